package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type teamBundle struct {
	app                *app.App
	admin, alice, dave domain.Principal
	franceManager      domain.Principal // a credit manager of FR01 only
	aliceID, bobID     int64
	carolID            int64
}

// setupTeam is the README's worked example of the team figures, March 2026
// (EUR unless said; USD→EUR 0.90 on 2026-03-01). Alice is the agent of A1
// and A2, Bob of B1 (US01, USD), N has no agent; Carol is a credit manager;
// Dave an agent with no account.
//
//	invoices   A1 1,000.00 due 02-01; A2 500.00; B1 2,000.00 USD; N1 250.00
//	actions    02-20 Alice closes a call on A1 (before the period); 03-05 Alice closes a call on A1;
//	           03-08 Carol closes a fix-contact task on A1; 03-10 Carol closes a call on B1;
//	           03-12 Bob records a promise on B1; 03-20 Alice (API token) closes a check-payment on A2;
//	           03-22 the system closes a task on A1
//	dunning    A1: an email 03-02, a text 03-03, a call (voice, by fallback) 03-04, a failed email 03-05,
//	           an email 04-02; N: an email 03-06
//	payments   A1 100.00 on 03-01, 400.00 on 03-10, 300.00 on 04-10; B1 200.00 USD on 03-12 and
//	           1,000.00 USD on 03-15; A2 500.00 on 03-25
func setupTeam(t *testing.T) *teamBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	ctx := context.Background()
	b := &teamBundle{app: app.New(&store.Store{Pool: pool}, nil, nil),
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
	_, err := pool.Exec(ctx, `INSERT INTO exchange_rates (rate_date, from_currency, to_currency, rate) VALUES ('2026-03-01', 'USD', 'EUR', 0.90)`)
	require.NoError(t, err)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01"})
	us := rows.Entity(t, storetest.Entity{Code: "US01", Country: "US", Currency: money.MustCurrency("USD")})
	b.aliceID = rows.User(t, storetest.User{Email: "alice@example.com", Name: "Alice"})
	b.bobID = rows.User(t, storetest.User{Email: "bob@example.com", Name: "Bob"})
	b.carolID = rows.User(t, storetest.User{Email: "carol@example.com", Name: "Carol", Role: domain.RoleCreditManager})
	dave := rows.User(t, storetest.User{Email: "dave@example.com", Name: "Dave"})
	b.alice = domain.Principal{UserID: b.aliceID, Role: domain.RoleAgent, Email: "alice@example.com", AllEntities: true}
	b.franceManager = domain.Principal{UserID: b.carolID, Role: domain.RoleCreditManager, Email: "carol@example.com", EntityIDs: []int64{fr}}
	b.dave = domain.Principal{UserID: dave, Role: domain.RoleAgent, Email: "dave@example.com", AllEntities: true}
	a1c := rows.Customer(t, storetest.Customer{Entity: fr, Agent: b.aliceID})
	a2c := rows.Customer(t, storetest.Customer{Entity: fr, Agent: b.aliceID})
	b1c := rows.Customer(t, storetest.Customer{Entity: us, Agent: b.bobID})
	nc := rows.Customer(t, storetest.Customer{Entity: fr})
	a1 := rows.Invoice(t, storetest.Invoice{Customer: a1c, Amount: eur(100000)})
	a2 := rows.Invoice(t, storetest.Invoice{Customer: a2c, Amount: eur(50000)})
	b1 := rows.Invoice(t, storetest.Invoice{Customer: b1c, Amount: usd(200000)})
	rows.Invoice(t, storetest.Invoice{Customer: nc, Amount: eur(25000)})
	rows.Backdate(t, noon("2026-02-15"))

	task := func(customer int64, kind, by, closed string) {
		t.Helper()
		_, err := pool.Exec(ctx, `INSERT INTO tasks (key, customer_id, kind, assignee_role, invoice_ids, due_at, status, closed_by, closed_at)
			VALUES (gen_random_uuid()::text, $1, $2, 'agent', '{}', $3, 'done', $4, $3)`, customer, kind, noon(closed), by)
		require.NoError(t, err)
	}
	task(a1c, "call", "alice@example.com", "2026-02-20")
	task(a1c, "call", "alice@example.com", "2026-03-05")
	task(a1c, "fix_contact", "carol@example.com", "2026-03-08")
	task(b1c, "call", "carol@example.com", "2026-03-10")
	task(a2c, "check_payment", "alice@example.com (token 4)", "2026-03-20")
	task(a1c, "call", "system", "2026-03-22")
	promise := rows.Promise(t, storetest.Promise{Invoice: b1, Due: day("2026-04-15"), Made: noon("2026-03-12")})
	_, err = pool.Exec(ctx, `UPDATE promises SET created_by = 'bob@example.com' WHERE id = $1`, promise)
	require.NoError(t, err)
	message := func(customer int64, channel, status, on string) {
		t.Helper()
		_, err := pool.Exec(ctx, `INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version, step_index, channel,
			invoice_ids, status, created_at) VALUES (gen_random_uuid()::text, $1, 'dunning/x', 1, 1, 0, $2, '{}', $3, $4)`,
			customer, channel, status, noon(on))
		require.NoError(t, err)
	}
	message(a1c, "email", "sent", "2026-03-02")
	message(a1c, "sms", "sent", "2026-03-03")
	message(a1c, "voice", "fallback", "2026-03-04")
	message(a1c, "email", "failed", "2026-03-05")
	message(a1c, "email", "sent", "2026-04-02")
	message(nc, "email", "sent", "2026-03-06")

	for _, p := range []struct {
		invoice int64
		amount  money.Money
		on      string
	}{{a1, eur(10000), "2026-03-01"}, {a1, eur(40000), "2026-03-10"}, {b1, usd(20000), "2026-03-12"}, {b1, usd(100000), "2026-03-15"},
		{a2, eur(50000), "2026-03-25"}, {a1, eur(30000), "2026-04-10"}} {
		rows.Payment(t, storetest.Payment{Invoice: p.invoice, Amount: p.amount, ReceivedOn: day(p.on)})
		rows.Backdate(t, noon(p.on))
	}
	return b
}

// teamLine is a row as the tests write it: messages (email, sms, voice),
// actions (calls, tasks, promises), collected in reporting minor units,
// accounts, open in reporting minor units.
type teamLine struct {
	email                  string
	emails, texts, voice   int
	calls, tasks, promises int
	collected              int64
	accounts               int
	open                   int64
	collectedIn, openIn    []money.Money
}

func line(r app.TeamRow) teamLine {
	return teamLine{r.Email, r.EmailsSent, r.TextsSent, r.CallsPlaced, r.Calls, r.TasksClosed, r.Promises,
		r.Collected.Reporting.Minor, r.Accounts, r.Open.Reporting.Minor, r.Collected.ByCurrency, r.Open.ByCurrency}
}

func TestTeamFiguresOfAPeriod(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	ctx := context.Background()
	q := app.KPIQuery{From: "2026-03-01", To: "2026-03-31"}
	team, err := b.app.TeamFigures(ctx, b.admin, q)
	require.NoError(t, err)
	got := []teamLine{}
	for _, r := range team.Agents {
		got = append(got, line(r))
	}
	require.Equal(t, []teamLine{
		// Alice: 400 of A1 on 03-10 (5 days after her call of 03-05; the 100 of 03-01 came before it, and the
		// call of 02-20 is outside the period), 500 of A2 on 03-25; A1's 300 of 04-10 is after the period.
		{"alice@example.com", 1, 1, 1, 1, 2, 0, 90000, 1, 50000, []money.Money{eur(90000)}, []money.Money{eur(50000)}},
		// Bob: his promise of 03-12, and B1's 200 (the same day) and 1,000 USD after it: 1,200 × 0.90 = 1,080;
		// B1 still owes 800 USD = 720 EUR.
		{"bob@example.com", 0, 0, 0, 0, 0, 1, 108000, 1, 72000, []money.Money{usd(120000)}, []money.Money{usd(80000)}},
		// Carol: A1's 400 (after her task of 03-08) and B1's 1,200 USD (after her call of 03-10), no account.
		{"carol@example.com", 0, 0, 0, 1, 2, 0, 148000, 0, 0, []money.Money{eur(40000), usd(120000)}, []money.Money{}},
		// The accounts without an agent: N's email and its 250 open.
		{"", 1, 0, 0, 0, 0, 0, 0, 1, 25000, []money.Money{}, []money.Money{eur(25000)}},
	}, got)
	require.Equal(t, teamLine{"", 2, 1, 1, 2, 4, 1, 346000, 3, 147000, []money.Money{eur(130000), usd(240000)}, []money.Money{eur(75000), usd(80000)}},
		line(team.Total), "the rows added: a payment after the actions of two people counts for each")
	require.Empty(t, team.MissingRates)

	// An agent sees their own row only, though Carol acted on their account.
	mine, err := b.app.TeamFigures(ctx, b.alice, q)
	require.NoError(t, err)
	require.Len(t, mine.Agents, 1)
	require.Equal(t, line(team.Agents[0]), line(mine.Agents[0]))
	// A manager of FR01: Bob's account is in US01, and so is Carol's call on B1 and what followed it.
	france, err := b.app.TeamFigures(ctx, b.franceManager, q)
	require.NoError(t, err)
	emails := []string{}
	for _, r := range france.Agents {
		emails = append(emails, r.Email)
	}
	require.Equal(t, []string{"alice@example.com", "carol@example.com", ""}, emails)
	require.Equal(t, teamLine{"carol@example.com", 0, 0, 0, 0, 1, 0, 40000, 0, 0, []money.Money{eur(40000)}, []money.Money{}}, line(france.Agents[1]))
	// An agent with nothing: one row of zeros.
	none, err := b.app.TeamFigures(ctx, b.dave, q)
	require.NoError(t, err)
	require.Equal(t, []teamLine{{"dave@example.com", 0, 0, 0, 0, 0, 0, 0, 0, 0, []money.Money{}, []money.Money{}}},
		[]teamLine{line(none.Agents[0])})

	// As of 03-09, the period 03-01–03-09: Alice's call and the 400 of 03-10 is not known yet.
	early, err := b.app.TeamFigures(ctx, b.alice, app.KPIQuery{From: "2026-03-01", To: "2026-03-09"})
	require.NoError(t, err)
	require.Equal(t, teamLine{"alice@example.com", 1, 1, 1, 1, 1, 0, 0, 2, 140000, []money.Money{}, []money.Money{eur(140000)}},
		line(early.Agents[0]), "A1 900 open (1,000 less 100), A2 500")

	for field, q := range map[string]app.KPIQuery{"group_by": {GroupBy: "agent"}, "from": {From: "2026-04-01", To: "2026-03-01"}, "currency": {Currency: "X"}} {
		_, err := b.app.TeamFigures(ctx, b.admin, q)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), field)
	}
}
