package store_test

import (
	"context"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type limitsBundle struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	st      *store.Store
	rows    *storetest.Factory
	entity  int64
	agent   int64
	manager int64 // a credit manager of the entity
	outside int64 // a credit manager of another entity only
}

func limitsSetup(t *testing.T) limitsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	b := limitsBundle{ctx: context.Background(), pool: pool, st: &store.Store{Pool: pool}, rows: storetest.NewFactory(pool)}
	b.entity = b.rows.Entity(t, storetest.Entity{Code: "FR01"})
	other := b.rows.Entity(t, storetest.Entity{Code: "DE01", Country: "DE", TimeZone: "Europe/Berlin", Language: "de"})
	b.agent = b.rows.User(t, storetest.User{Role: domain.RoleAgent})
	b.manager = b.rows.User(t, storetest.User{Role: domain.RoleCreditManager})
	b.outside = b.rows.User(t, storetest.User{Role: domain.RoleCreditManager})
	b.exec(t, `INSERT INTO user_entities (user_id, entity_id) VALUES ($1, $2), ($3, $4)`, b.manager, b.entity, b.outside, other)
	return b
}

func (b limitsBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.pool.Exec(b.ctx, sql, args...)
	require.NoError(t, err)
}

// customer makes a customer of the entity with a limit (minor units of its
// currency; nil: none) and an open invoice of open minor units.
func (b limitsBundle) customer(t *testing.T, cur string, limit *int64, open int64) int64 {
	t.Helper()
	c := money.MustCurrency(cur)
	var l *money.Money
	if limit != nil {
		l = &money.Money{Minor: *limit, Currency: c}
	}
	id := b.rows.Customer(t, storetest.Customer{Entity: b.entity, Currency: c, CreditLimit: l, Agent: b.agent})
	if open > 0 {
		b.rows.Invoice(t, storetest.Invoice{Customer: id, Amount: money.Money{Minor: open, Currency: c}})
	}
	return id
}

func (b limitsBundle) use(t *testing.T, id int64) *big.Rat {
	t.Helper()
	figs, err := b.st.AccountFigures(b.ctx, store.Everything, []int64{id}, time.Now())
	require.NoError(t, err)
	return figs[id].LimitUse()
}

// The use of the limit is (outstanding + open orders) ÷ limit, exact, in the
// customer's one currency (a yen customer's limit is in yen); blank without
// a limit or with a zero one; credit notes and payments in advance lower it.
func TestLimitUse(t *testing.T) {
	t.Parallel()
	b := limitsSetup(t)
	for _, tc := range []struct {
		name   string
		cur    string
		limit  *int64
		open   int64
		orders *int64
		credit int64 // a credit note
		paid   int64 // a payment received for no invoice
		want   string
	}{
		{name: "no limit", cur: "EUR", open: 50000, want: ""},
		{name: "a zero limit", cur: "EUR", limit: ptr(0), open: 50000, want: ""},
		{name: "outstanding only", cur: "EUR", limit: ptr(100000), open: 85000, want: "17/20"},
		{name: "open orders counted", cur: "EUR", limit: ptr(100000), open: 85000, orders: ptr(20000), want: "21/20"},
		{name: "credits and payments in advance lower it", cur: "EUR", limit: ptr(100000), open: 85000, credit: 10000, paid: 5000, want: "7/10"},
		{name: "a yen customer, limit in yen", cur: "JPY", limit: ptr(300000), open: 100000, want: "1/3"},
		{name: "nothing owed", cur: "EUR", limit: ptr(100000), want: "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := b.customer(t, tc.cur, tc.limit, tc.open)
			c := money.MustCurrency(tc.cur)
			if tc.orders != nil {
				b.exec(t, `UPDATE customers SET open_orders_minor = $2 WHERE id = $1`, id, *tc.orders)
			}
			if tc.credit > 0 {
				b.rows.Invoice(t, storetest.Invoice{Customer: id, Type: domain.TypeCreditNote, Amount: money.Money{Minor: tc.credit, Currency: c}})
			}
			if tc.paid > 0 {
				b.rows.Payment(t, storetest.Payment{Customer: id, Amount: money.Money{Minor: tc.paid, Currency: c}})
			}
			got := b.use(t, id)
			if tc.want == "" {
				require.Nil(t, got)
				return
			}
			want, ok := new(big.Rat).SetString(tc.want)
			require.True(t, ok)
			require.NotNil(t, got)
			require.Zero(t, want.Cmp(new(big.Rat).Quo(got, big.NewRat(100, 1))), "use %s %%", got.FloatString(4))
		})
	}
}

type limitAlert struct {
	key      string
	notified []int64
}

func (b limitsBundle) alerts(t *testing.T, customer int64) []limitAlert {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `
SELECT a.dedupe_key, coalesce(array_agg(n.user_id ORDER BY n.user_id) FILTER (WHERE n.id IS NOT NULL), '{}')
FROM risk_alerts a LEFT JOIN notifications n ON n.kind = 'risk_alert' AND (n.params->>'alert_id')::bigint = a.id
WHERE a.customer_id = $1 AND a.kind = 'limit_use' GROUP BY a.id ORDER BY a.id`, customer)
	require.NoError(t, err)
	var out []limitAlert
	for rows.Next() {
		var a limitAlert
		require.NoError(t, rows.Scan(&a.key, &a.notified))
		out = append(out, a)
	}
	require.NoError(t, rows.Err())
	return out
}

// A threshold alerts when the use crosses it upward, once per episode: going
// higher, or evaluating again, raises nothing; falling below ends the
// episode, so crossing again alerts again. Each alert tells the account's
// agent and the entity's credit managers, not another entity's.
func TestLimitUseAlertsOncePerEpisode(t *testing.T) {
	t.Parallel()
	b := limitsSetup(t)
	id := b.customer(t, "EUR", ptr(10000), 2000) // limit 100.00, 20.00 owed
	other := b.customer(t, "EUR", ptr(10000), 0)
	key := func(threshold, episode int) string {
		return "limit_use/" + itoa64(id) + "/" + itoa64(int64(threshold)) + "/" + itoa64(int64(episode))
	}
	var want []string
	for _, step := range []struct {
		use    int64 // percent: the open orders make up the rest over the 20 % owed
		sweep  bool  // the daily sweep (every customer) rather than this account's change
		raised []string
	}{
		{use: 70},
		{use: 85, raised: []string{key(80, 1)}},
		{use: 90},
		{use: 90, sweep: true},
		{use: 105, raised: []string{key(100, 1)}},
		{use: 105},
		{use: 50},
		{use: 85, sweep: true, raised: []string{key(80, 2)}},
		{use: 120, raised: []string{key(100, 2)}},
	} {
		b.exec(t, `UPDATE customers SET open_orders_minor = $2 WHERE id = $1`, id, step.use*100-2000)
		ids := []int64{id}
		if step.sweep {
			ids = nil
		}
		got, err := b.st.EvaluateLimitUse(b.ctx, ids, step.sweep)
		require.NoError(t, err)
		var keys []string
		for _, a := range got {
			require.Equal(t, id, a.Alert.CustomerID, "only the account that crossed")
			require.Equal(t, int64(step.use*100), a.UsedMinor)
			require.EqualValues(t, 2, a.Notified)
			keys = append(keys, a.Alert.DedupeKey)
		}
		require.Equal(t, step.raised, keys, "use %d %%", step.use)
		want = append(want, step.raised...)
	}
	var stored []string
	for _, a := range b.alerts(t, id) {
		require.Equal(t, []int64{b.agent, b.manager}, a.notified, "%s: the agent and the entity's credit manager", a.key)
		stored = append(stored, a.key)
	}
	require.Equal(t, want, stored)
	require.Empty(t, b.alerts(t, other))
}

// An entity's thresholds are its own (none: no alert), and removing a
// customer's limit ends its episodes: with a limit again, it alerts again.
func TestLimitUseThresholdsAndRemovedLimit(t *testing.T) {
	t.Parallel()
	b := limitsSetup(t)
	id := b.customer(t, "EUR", ptr(10000), 9500) // 95 %
	b.exec(t, `UPDATE entities SET credit_limit_thresholds = '{}' WHERE id = $1`, b.entity)
	got, err := b.st.EvaluateLimitUse(b.ctx, []int64{id}, false)
	require.NoError(t, err)
	require.Empty(t, got, "no threshold, no alert")

	b.exec(t, `UPDATE entities SET credit_limit_thresholds = '{90}' WHERE id = $1`, b.entity)
	got, err = b.st.EvaluateLimitUse(b.ctx, []int64{id}, false)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 90, got[0].Threshold)

	b.exec(t, `UPDATE customers SET credit_limit_minor = NULL WHERE id = $1`, id)
	got, err = b.st.EvaluateLimitUse(b.ctx, nil, true)
	require.NoError(t, err)
	require.Empty(t, got)
	b.exec(t, `UPDATE customers SET credit_limit_minor = 10000 WHERE id = $1`, id)
	got, err = b.st.EvaluateLimitUse(b.ctx, []int64{id}, false)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 2, got[0].Episode)
}

// A person's credit hold carries its reason, who and when; a second is a
// conflict; the release clears them and journals the reason it lifted.
func TestPlaceCreditHold(t *testing.T) {
	t.Parallel()
	b := limitsSetup(t)
	id := b.customer(t, "EUR", nil, 1000)
	since, err := b.st.PlaceCreditHold(b.ctx, id, "cheque bounced", "carla@example.com")
	require.NoError(t, err)
	cs, err := b.st.CreditStatus(b.ctx, store.Everything, id)
	require.NoError(t, err)
	require.True(t, cs.OnHold)
	require.Equal(t, "cheque bounced", cs.HoldReason)
	require.Equal(t, "carla@example.com", cs.HoldBy)
	require.WithinDuration(t, since, *cs.HoldSince, time.Microsecond)
	require.Equal(t, domain.LegalActive, cs.LegalStatus)

	_, err = b.st.PlaceCreditHold(b.ctx, id, "again", "carla@example.com")
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	_, err = b.st.PlaceCreditHold(b.ctx, id+1000, "nobody", "carla@example.com")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))

	released, err := b.st.ReleaseCreditHold(b.ctx, id, "paid", "carla@example.com", false)
	require.NoError(t, err)
	require.True(t, released)
	cs, err = b.st.CreditStatus(b.ctx, store.Everything, id)
	require.NoError(t, err)
	require.Equal(t, store.CreditStatus{CustomerID: id, LegalStatus: domain.LegalActive}, cs)
	var before string
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT before->>'reason' FROM audit_journal
		WHERE action = 'customer.credit_hold_release' AND target = $1`, "customer/"+itoa64(id)).Scan(&before))
	require.Equal(t, "cheque bounced", before)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// The use of the limit is written twice, in Go for the pages and exports
// (AccountFigures.LimitUse) and in SQL for the thresholds (limitUseLevels,
// one statement over every customer): both must say the same. For each
// account, each threshold's level after an evaluation is "above" exactly when
// the Go figure is at or over it.
func TestLimitUseInGoAndInSQLAgree(t *testing.T) {
	t.Parallel()
	b := limitsSetup(t)
	b.exec(t, `UPDATE entities SET credit_limit_thresholds = '{50,80,100,150}' WHERE id = $1`, b.entity)
	type line struct {
		typ    domain.InvoiceType
		status domain.InvoiceStatus
		amount int64
		open   int64
	}
	for _, tc := range []struct {
		name   string
		limit  int64
		lines  []line
		orders *int64
		paid   int64 // a payment received for no invoice
	}{
		{name: "exactly at a threshold", limit: 100000, lines: []line{{open: 80000}}},
		{name: "one minor unit under", limit: 100000, lines: []line{{open: 79999}}},
		{name: "a disputed invoice counts", limit: 100000, lines: []line{{open: 60000}, {status: domain.StatusDisputed, open: 40000}}},
		{name: "a paid invoice does not", limit: 100000, lines: []line{{open: 60000}, {status: domain.StatusPaid, amount: 90000}}},
		{name: "a part-paid invoice counts what is open", limit: 100000, lines: []line{{amount: 200000, open: 100000}}},
		{name: "credit notes and payments in advance lower it", limit: 100000,
			lines: []line{{open: 120000}, {typ: domain.TypeCreditNote, open: 30000}}, paid: 10000},
		{name: "open orders on top", limit: 100000, lines: []line{{open: 40000}}, orders: ptr(15000)},
		{name: "more credit than owed", limit: 100000, lines: []line{{open: 10000}, {typ: domain.TypeCreditNote, open: 30000}}},
		{name: "a limit that does not divide", limit: 30001, lines: []line{{open: 24001}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := b.customer(t, "EUR", ptr(tc.limit), 0)
			eur := money.MustCurrency("EUR")
			for _, l := range tc.lines {
				amount, status := max(l.amount, l.open), l.status
				if status == "" {
					status = domain.StatusOpen
				}
				b.rows.Invoice(t, storetest.Invoice{Customer: id, Type: l.typ, Status: status,
					Amount: money.Money{Minor: amount, Currency: eur}, Open: money.Money{Minor: l.open, Currency: eur}})
			}
			if tc.orders != nil {
				b.exec(t, `UPDATE customers SET open_orders_minor = $2 WHERE id = $1`, id, *tc.orders)
			}
			if tc.paid > 0 {
				b.rows.Payment(t, storetest.Payment{Customer: id, Amount: money.Money{Minor: tc.paid, Currency: eur}})
			}
			use := b.use(t, id)
			require.NotNil(t, use)
			_, err := b.st.EvaluateLimitUse(b.ctx, []int64{id}, false)
			require.NoError(t, err)
			// A level is written once a threshold is crossed; no row is below.
			var above []int64
			require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT coalesce(array_agg(threshold ORDER BY threshold) FILTER (WHERE above), '{}')
FROM credit_limit_levels WHERE customer_id = $1`, id).Scan(&above))
			want := []int64{}
			for _, threshold := range []int64{50, 80, 100, 150} {
				if use.Cmp(big.NewRat(threshold, 1)) >= 0 {
					want = append(want, threshold)
				}
			}
			require.Equal(t, want, above, "thresholds above at a use of %s %%", use.FloatString(4))
		})
	}
}
