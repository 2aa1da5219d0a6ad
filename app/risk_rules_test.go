package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/app"
	"recoup/capture"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/store/storetest"
)

type riskBundle struct {
	a        *app.App
	st       *store.Store
	pool     *pgxpool.Pool
	rows     *storetest.Factory
	admin    domain.Principal
	entity   int64
	code     string
	customer int64
	agent    int64
	manager  int64 // a credit manager of the customer's entity
	other    int64 // a credit manager of another entity only
	scenario int64 // a scenario rules may switch to
	events   int   // signals recorded, for event ids
}

// setupRisk: a French entity, one customer (agent, 1,000.00 EUR open over two
// invoices, one paid), a credit manager of the entity and one of another
// entity; no Temporal.
func setupRisk(t *testing.T) *riskBundle {
	t.Helper()
	return setupRiskWith(t, storetest.NewPool(t))
}

// setupRiskWith is setupRisk on pool, the use cases with opts.
func setupRiskWith(t *testing.T, pool *pgxpool.Pool, opts ...app.Option) *riskBundle {
	t.Helper()
	st := &store.Store{Pool: pool}
	ctx := context.Background()
	b := &riskBundle{a: app.New(st, nil, nil, opts...), st: st, pool: pool, rows: storetest.NewFactory(pool),
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
	_, err := st.EnsureDefaultScenario(ctx, "Default", json.RawMessage(`[{"offset_days": 0, "channel": "email", "template": "reminder_due"}]`))
	require.NoError(t, err)
	sc, err := st.CreateScenario(ctx, "High risk", json.RawMessage(`[{"offset_days": -5, "channel": "email", "template": "reminder_due"}]`),
		false, "test", nil)
	require.NoError(t, err)
	b.scenario = sc.ScenarioID
	b.code = "FR01"
	b.entity = b.rows.Entity(t, storetest.Entity{Code: b.code})
	otherEntity := b.rows.Entity(t, storetest.Entity{Code: "DE01", Country: "DE"})
	b.agent = b.rows.User(t, storetest.User{Email: "agent@example.com"})
	b.manager = b.rows.User(t, storetest.User{Email: "cm@example.com", Role: domain.RoleCreditManager})
	b.other = b.rows.User(t, storetest.User{Email: "cm.de@example.com", Role: domain.RoleCreditManager})
	b.exec(t, `INSERT INTO user_entities (user_id, entity_id) VALUES ($1, $2), ($3, $4)`, b.manager, b.entity, b.other, otherEntity)
	b.customer = b.rows.Customer(t, storetest.Customer{Entity: b.entity, Name: "Dupont SA", Agent: b.agent})
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	today := dunning.DateOf(time.Now())
	b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: today.AddDays(-20), Amount: eur(60000)})
	b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: today.AddDays(10), Amount: eur(40000)})
	b.rows.Invoice(t, storetest.Invoice{Customer: b.customer, DueDate: today.AddDays(-40), Amount: eur(50000), Open: eur(0)})
	return b
}

func (b *riskBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

func (b *riskBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// observation is one signal of a provider about the customer; nil and ""
// fields were not sent.
type observation struct {
	daysAgo     int
	score       *int
	rating      string
	limitMinor  *int64
	legal       domain.LegalStatus
	publishedOn *time.Time
}

func score(v int) *int              { return &v }
func limit(minor int64) *int64      { return &minor }
func dateOf(s string) *time.Time    { d, _ := time.Parse(time.DateOnly, s); return &d }
func (o observation) at() time.Time { return time.Now().UTC().AddDate(0, 0, -o.daysAgo) }

// signal records a matched signal as ingestion does: the risk_signals row,
// then the customer's latest risk columns. It answers the signal's id.
func (b *riskBundle) signal(t *testing.T, o observation) int64 {
	t.Helper()
	b.events++
	var currency *string
	if o.limitMinor != nil {
		eur := "EUR"
		currency = &eur
	}
	var legal *string
	if o.legal != "" {
		l := string(o.legal)
		legal = &l
	}
	var id int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `
INSERT INTO risk_signals (provider, event_id, company_id, company_id_kind, customer_id, matched_by, matched_at, observed_at,
                          score, rating, limit_minor, limit_currency, legal_status, published_on, source)
VALUES ('acme', $1, 'RCS 1', 'registration', $2, 'registration', now(), $3, $4, $5, $6, $7, $8, $9, 'webhook') RETURNING id`,
		fmt.Sprintf("ev-%d", b.events), b.customer, o.at(), o.score, o.rating, o.limitMinor, currency, legal, o.publishedOn).Scan(&id))
	b.exec(t, `
UPDATE customers SET risk_score = coalesce($2::smallint, risk_score), risk_rating = coalesce(nullif($3::text, ''), risk_rating),
       risk_limit_minor = coalesce($4::bigint, risk_limit_minor), risk_observed_at = $5::timestamptz,
       legal_status = coalesce($6::text, legal_status),
       legal_status_since = CASE WHEN $6::text IS NOT NULL AND $6::text <> legal_status THEN ($5::timestamptz)::date
                                 ELSE legal_status_since END
WHERE id = $1`, b.customer, o.score, o.rating, o.limitMinor, o.at(), legal)
	return id
}

func (b *riskBundle) rule(t *testing.T, req app.RiskRuleRequest) store.RiskRule {
	t.Helper()
	req.Entity = b.code
	if req.Name == "" {
		req.Name = "rule " + req.Kind
	}
	r, err := b.a.CreateRiskRule(context.Background(), b.admin, req)
	require.NoError(t, err)
	return r
}

func (b *riskBundle) evaluate(t *testing.T) int {
	t.Helper()
	n, err := b.a.EvaluateRiskSignals(context.Background())
	require.NoError(t, err)
	return n
}

func (b *riskBundle) alerts(t *testing.T) []store.RiskAlertView {
	t.Helper()
	list, _, err := b.a.RiskAlerts(context.Background(), b.admin, app.RiskAlertQuery{CustomerID: b.customer})
	require.NoError(t, err)
	return list
}

func TestRiskRuleKindsFireOncePerEpisode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule app.RiskRuleRequest
		// each observation, and how many alerts exist after it is evaluated
		steps []observation
		want  []int
	}{
		{"score drop of 20 points in 30 days", app.RiskRuleRequest{Kind: "score_drop", Points: score(20), Days: score(30), Notify: true},
			[]observation{{daysAgo: 20, score: score(80)}, {daysAgo: 10, score: score(70)}, {daysAgo: 5, score: score(55)}, {daysAgo: 1, score: score(50)}},
			[]int{0, 0, 1, 1}},
		{"a drop older than the window does not count", app.RiskRuleRequest{Kind: "score_drop", Points: score(20), Days: score(7), Notify: true},
			[]observation{{daysAgo: 20, score: score(80)}, {daysAgo: 1, score: score(55)}},
			[]int{0, 0}},
		{"rating worse on the default scale", app.RiskRuleRequest{Kind: "rating_worse", Notify: true},
			[]observation{{daysAgo: 9, rating: "A"}, {daysAgo: 6, rating: "A"}, {daysAgo: 3, rating: "BBB"}, {daysAgo: 1, rating: "BBB"}},
			[]int{0, 0, 1, 1}},
		{"rating worse on the rule's own scale", app.RiskRuleRequest{Kind: "rating_worse", Scale: []string{"1", "2", "3"}, Notify: true},
			[]observation{{daysAgo: 9, rating: "2"}, {daysAgo: 6, rating: "1"}, {daysAgo: 3, rating: "3"}},
			[]int{0, 0, 1}},
		{"limit below the 1,000.00 EUR outstanding", app.RiskRuleRequest{Kind: "limit_below_outstanding", Notify: true},
			[]observation{{daysAgo: 9, limitMinor: limit(200000)}, {daysAgo: 6, limitMinor: limit(50000)}, {daysAgo: 3, limitMinor: limit(40000)}},
			[]int{0, 1, 1}},
		{"legal status change", app.RiskRuleRequest{Kind: "legal_status_change", Notify: true},
			[]observation{{daysAgo: 9, legal: domain.LegalActive}, {daysAgo: 6, legal: domain.LegalCeased}, {daysAgo: 3, legal: domain.LegalCeased}},
			[]int{0, 1, 1}},
		{"consecutive 2: not on the first observation of a drop", app.RiskRuleRequest{Kind: "score_drop", Points: score(20), Days: score(60),
			Consecutive: 2, Notify: true},
			[]observation{{daysAgo: 20, score: score(80)}, {daysAgo: 10, score: score(50)}, {daysAgo: 5, score: score(52)}, {daysAgo: 1, score: score(49)}},
			[]int{0, 0, 1, 1}},
		{"consecutive 2: a rating back up is no downgrade", app.RiskRuleRequest{Kind: "rating_worse", Consecutive: 2, Notify: true},
			[]observation{{daysAgo: 9, rating: "A"}, {daysAgo: 6, rating: "BB"}, {daysAgo: 3, rating: "A"}, {daysAgo: 2, rating: "BB"}, {daysAgo: 1, rating: "B"}},
			[]int{0, 0, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupRisk(t)
			r := b.rule(t, tt.rule)
			for i, o := range tt.steps {
				b.signal(t, o)
				require.Equal(t, 1, b.evaluate(t), "step %d", i)
				alerts := b.alerts(t)
				require.Len(t, alerts, tt.want[i], "alerts after step %d", i)
				for _, a := range alerts {
					require.Equal(t, store.RiskAlertKind(domain.RiskRuleKind(tt.rule.Kind)), a.Kind)
					require.Equal(t, r.ID, *a.RuleID)
					require.Equal(t, r.Name, a.RuleName)
				}
			}
		})
	}
}

func TestRiskRuleActionsTakenOnce(t *testing.T) {
	t.Parallel()
	b := setupRisk(t)
	ctx := context.Background()
	r := b.rule(t, app.RiskRuleRequest{Kind: "score_drop", Points: score(10), Days: score(30), Notify: true, Email: true,
		ScenarioID: &b.scenario, CreditHold: true, TaskKind: "call"})
	b.signal(t, observation{daysAgo: 3, score: score(70)})
	drop := b.signal(t, observation{daysAgo: 1, score: score(40)})
	require.Equal(t, 2, b.evaluate(t))

	check := func() {
		t.Helper()
		alerts := b.alerts(t)
		require.Len(t, alerts, 1)
		require.Equal(t, drop, *alerts[0].SignalID)
		// the agent and the entity's credit manager, not the other entity's
		require.ElementsMatch(t, []int64{b.agent, b.manager}, userIDs(t, b,
			`SELECT user_id FROM notifications WHERE kind = 'risk_alert' AND (params->>'alert_id')::bigint = $1`, alerts[0].ID))
		require.ElementsMatch(t, []int64{b.agent, b.manager}, userIDs(t, b, `SELECT user_id FROM risk_alert_emails WHERE alert_id = $1`, alerts[0].ID))
		require.Equal(t, 1, b.count(t, `SELECT count(*) FROM customers WHERE id = $1 AND on_hold AND scenario_id = $2`, b.customer, b.scenario))
		require.Equal(t, 1, b.count(t, `SELECT count(*) FROM tasks WHERE customer_id = $1 AND kind = 'call' AND assignee_id = $2`, b.customer, b.agent))
		for _, action := range []string{"risk.alert", "customer.credit_hold", "customer.scenario", "task.create"} {
			require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_journal WHERE actor = 'risk:acme' AND action = $1 AND target = $2`,
				action, fmt.Sprintf("customer/%d", b.customer)), action)
		}
	}
	check()

	// The same signal evaluated again (a crash after the actions, before
	// evaluated_at): the alert exists, nothing is done twice.
	b.exec(t, `UPDATE risk_signals SET evaluated_at = NULL WHERE id = $1`, drop)
	require.Equal(t, 1, b.evaluate(t))
	check()

	// An inactive rule raises nothing on a new drop.
	_, err := b.a.UpdateRiskRule(ctx, b.admin, r.ID, app.RiskRuleRequest{Entity: b.code, Name: r.Name, Kind: "score_drop",
		Points: score(10), Days: score(30), Notify: true, Active: new(bool)})
	require.NoError(t, err)
	b.signal(t, observation{score: score(90)})
	b.signal(t, observation{score: score(10)})
	require.Equal(t, 2, b.evaluate(t))
	check()
}

func userIDs(t *testing.T, b *riskBundle, sql string, args ...any) []int64 {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	var out []int64
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		out = append(out, id)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestInsolvencyStopsDunningAndOpensTheClaim(t *testing.T) {
	t.Parallel()
	b := setupRisk(t)
	ctx := context.Background()
	accounts := &activities.Accounts{Store: b.st}
	snap, err := accounts.LoadAccount(ctx, b.customer)
	require.NoError(t, err)
	require.Len(t, snap.Account.Items, 2, "dunned before")

	b.signal(t, observation{daysAgo: 30, legal: domain.LegalActive})
	sig := b.signal(t, observation{daysAgo: 2, legal: domain.LegalReceivership, publishedOn: dateOf("2026-03-31")})
	require.Equal(t, 2, b.evaluate(t))

	// dunning sends nothing: the evaluation's snapshot has no items
	snap, err = accounts.LoadAccount(ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, snap.Account.Items)
	plan := dunning.PlanAt(snap.Account, dunning.State{}, time.Now())
	require.Empty(t, plan.Due)

	// the claim: legal, due two months after the BODACC publication (31 March: 31 May)
	cases, _, err := b.a.Cases(ctx, b.admin, app.CaseQuery{Type: "claim_declaration", Page: domain.Page{Limit: 10}})
	require.NoError(t, err)
	require.Len(t, cases, 1)
	require.Equal(t, domain.DepartmentLegal, cases[0].Department)
	require.Equal(t, b.customer, cases[0].CustomerID)
	var due time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT due_on FROM cases WHERE id = $1`, cases[0].ID).Scan(&due))
	require.Equal(t, "2026-05-31", due.Format(time.DateOnly))

	// the open invoices are flagged, the paid one is not
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM invoices WHERE customer_id = $1 AND in_proceedings AND status = 'open'`, b.customer))
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM invoices WHERE customer_id = $1 AND in_proceedings AND status = 'paid'`, b.customer))

	alerts := b.alerts(t)
	require.Len(t, alerts, 1)
	require.Equal(t, "insolvency", alerts[0].Kind)
	require.Equal(t, sig, *alerts[0].SignalID)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM notifications WHERE kind = 'risk_alert' AND params->>'alert' = 'insolvency'`))

	// liquidation next: still insolvent, no second claim
	b.signal(t, observation{daysAgo: 1, legal: domain.LegalLiquidation})
	require.Equal(t, 1, b.evaluate(t))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM cases WHERE type = 'claim_declaration'`))

	// a person cannot put the invoices back while the proceedings last
	_, err = b.a.ReleaseProceedings(ctx, b.admin, b.customer, app.ReleaseRequest{Reason: "too early"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))

	// back to active: an alert, nothing else; the declared invoices stay out of dunning
	b.signal(t, observation{legal: domain.LegalActive})
	require.Equal(t, 1, b.evaluate(t))
	alerts = b.alerts(t)
	require.Len(t, alerts, 2)
	require.Equal(t, "legal_status", alerts[0].Kind)
	snap, err = accounts.LoadAccount(ctx, b.customer)
	require.NoError(t, err)
	require.Empty(t, snap.Account.Items)

	// until a person decides: the invoices are dunned again, once
	released, err := b.a.ReleaseProceedings(ctx, b.admin, b.customer, app.ReleaseRequest{Reason: "continuation plan adopted"})
	require.NoError(t, err)
	require.Len(t, released, 2)
	snap, err = accounts.LoadAccount(ctx, b.customer)
	require.NoError(t, err)
	require.Len(t, snap.Account.Items, 2)
	_, err = b.a.ReleaseProceedings(ctx, b.admin, b.customer, app.ReleaseRequest{Reason: "again"})
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(err))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_journal WHERE action = 'customer.proceedings_release'`))
}

func TestClaimDeadlines(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	tests := []struct {
		from         string
		days, months *int
		want         string
	}{
		{"2026-03-10", nil, n(2), "2026-05-10"},
		{"2026-12-31", nil, n(2), "2027-02-28"}, // no 31 February: its last day
		{"2026-03-10", n(14), nil, "2026-03-24"},
	}
	for _, tt := range tests {
		from, _ := time.Parse(time.DateOnly, tt.from)
		require.Equal(t, tt.want, store.ClaimDue(from, tt.days, tt.months).Format(time.DateOnly), tt.from)
	}
}

func TestRiskRuleValidation(t *testing.T) {
	t.Parallel()
	b := setupRisk(t)
	ctx := context.Background()
	ok := app.RiskRuleRequest{Entity: b.code, Name: "drop", Kind: "score_drop", Points: score(10), Days: score(30), Notify: true}
	with := func(f func(*app.RiskRuleRequest)) app.RiskRuleRequest { r := ok; f(&r); return r }
	_, err := b.a.CreateRiskRule(ctx, b.admin, ok)
	require.NoError(t, err)
	tests := []struct {
		name  string
		who   domain.Principal
		req   app.RiskRuleRequest
		code  domain.Code
		field string
	}{
		{"kind", b.admin, with(func(r *app.RiskRuleRequest) { r.Kind = "vibes" }), domain.CodeInvalid, "kind"},
		{"points", b.admin, with(func(r *app.RiskRuleRequest) { r.Points = nil; r.Name = "x" }), domain.CodeInvalid, "points"},
		{"days", b.admin, with(func(r *app.RiskRuleRequest) { r.Days = score(0); r.Name = "x" }), domain.CodeInvalid, "days"},
		{"consecutive", b.admin, with(func(r *app.RiskRuleRequest) { r.Consecutive = 6; r.Name = "x" }), domain.CodeInvalid, "consecutive"},
		{"scale on a score rule", b.admin, with(func(r *app.RiskRuleRequest) { r.Scale = []string{"A", "B"}; r.Name = "x" }), domain.CodeInvalid, "scale"},
		{"no action", b.admin, with(func(r *app.RiskRuleRequest) { r.Notify = false; r.Name = "x" }), domain.CodeInvalid, "actions"},
		{"task kind", b.admin, with(func(r *app.RiskRuleRequest) { r.TaskKind = "case"; r.Name = "x" }), domain.CodeInvalid, "task_kind"},
		{"unknown entity", b.admin, with(func(r *app.RiskRuleRequest) { r.Entity = "XX"; r.Name = "x" }), domain.CodeInvalid, "entity"},
		{"name taken", b.admin, ok, domain.CodeInvalid, "name"},
		{"unknown scenario", b.admin, with(func(r *app.RiskRuleRequest) { r.ScenarioID = limit(999999); r.Name = "x" }), domain.CodeInvalid, "scenario_id"},
		{"another entity's manager", domain.Principal{Role: domain.RoleCreditManager, Email: "cm.de@example.com", EntityIDs: []int64{}},
			with(func(r *app.RiskRuleRequest) { r.Name = "x" }), domain.CodeInvalid, "entity"},
		{"an agent", domain.Principal{Role: domain.RoleAgent, Email: "agent@example.com", AllEntities: true},
			with(func(r *app.RiskRuleRequest) { r.Name = "x" }), domain.CodeForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.a.CreateRiskRule(ctx, tt.who, tt.req)
			require.Error(t, err)
			require.Equal(t, tt.code, domain.ErrorCode(err), err.Error())
			if tt.field != "" {
				require.Contains(t, err.Error(), tt.field)
			}
		})
	}
}

func TestRiskAlertsPerimeterAndAcknowledge(t *testing.T) {
	t.Parallel()
	b := setupRisk(t)
	ctx := context.Background()
	b.rule(t, app.RiskRuleRequest{Kind: "legal_status_change", Notify: true})
	b.signal(t, observation{legal: domain.LegalCeased})
	b.evaluate(t)
	agent := domain.Principal{Role: domain.RoleAgent, UserID: b.agent, Email: "agent@example.com", AllEntities: true}
	stranger := domain.Principal{Role: domain.RoleAgent, UserID: b.other, Email: "cm.de@example.com", AllEntities: true}

	list, total, err := b.a.RiskAlerts(ctx, agent, app.RiskAlertQuery{State: "open"})
	require.NoError(t, err)
	require.EqualValues(t, 1, total)
	list2, _, err := b.a.RiskAlerts(ctx, stranger, app.RiskAlertQuery{})
	require.NoError(t, err)
	require.Empty(t, list2, "outside the perimeter")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(b.a.AcknowledgeRiskAlert(ctx, stranger, list[0].ID)))

	require.NoError(t, b.a.AcknowledgeRiskAlert(ctx, agent, list[0].ID))
	require.Equal(t, domain.CodeConflict, domain.ErrorCode(b.a.AcknowledgeRiskAlert(ctx, agent, list[0].ID)))
	open, _, err := b.a.RiskAlerts(ctx, agent, app.RiskAlertQuery{State: "open"})
	require.NoError(t, err)
	require.Empty(t, open)
	done, _, err := b.a.RiskAlerts(ctx, agent, app.RiskAlertQuery{State: "acknowledged"})
	require.NoError(t, err)
	require.Len(t, done, 1)
	require.Equal(t, "agent@example.com", done[0].AcknowledgedBy)
	_, _, err = b.a.RiskAlerts(ctx, agent, app.RiskAlertQuery{State: "closed"})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
}

// An alert with the email action mails its people once each, in their
// language, with the account's link; a second run sends nothing more.
func TestRiskAlertEmailsGoOnce(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	mb, err := capture.NewMailbox("")
	require.NoError(t, err)
	srv, err := capture.ListenSMTP("127.0.0.1:0", mb, nil)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	mailer, err := notify.NewMailer("smtp://"+srv.Addr(), "recoup@example.com")
	require.NoError(t, err)
	b := setupRiskWith(t, pool, app.WithPortal(app.PortalOptions{PublicURL: "https://recoup.example", Mailer: mailer}))
	b.exec(t, `UPDATE users SET language = 'fr' WHERE id = $1`, b.manager)
	b.rule(t, app.RiskRuleRequest{Kind: "legal_status_change", Email: true})
	b.signal(t, observation{legal: domain.LegalCeased})
	b.evaluate(t)
	msgs, err := mb.WaitFor(context.Background(), 2)
	require.NoError(t, err)
	byTo := map[string]capture.Message{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}
	require.Equal(t, "Risk alert on Dupont SA: the legal status changed", byTo["agent@example.com"].Subject)
	require.Contains(t, byTo["agent@example.com"].Text, fmt.Sprintf("https://recoup.example/accounts/%d", b.customer))
	require.Contains(t, byTo["cm@example.com"].Subject, "Alerte de risque sur Dupont SA")
	require.Zero(t, b.count(t, `SELECT count(*) FROM risk_alert_emails WHERE sent_at IS NULL`))
	b.evaluate(t)
	require.Equal(t, 2, mb.Len(), "nothing sent twice")
}

// Two processes evaluating at once share the waiting signals: each signal is
// evaluated by one of them, and every alert is raised once.
func TestRiskSignalsEvaluatedOnceByConcurrentProcesses(t *testing.T) {
	t.Parallel()
	b := setupRisk(t)
	b.rule(t, app.RiskRuleRequest{Kind: "legal_status_change", Notify: true})
	const signals = 450 // more than two batches
	for i := range signals {
		status := domain.LegalActive
		if i%2 == 1 {
			status = domain.LegalCeased
		}
		b.signal(t, observation{daysAgo: signals - i, legal: status})
	}
	other := app.New(b.st, nil, nil)
	counts := make(chan int, 2)
	for _, a := range []*app.App{b.a, other} {
		go func() {
			n, err := a.EvaluateRiskSignals(context.Background())
			if err != nil {
				n = -1
			}
			counts <- n
		}()
	}
	first, second := <-counts, <-counts
	require.Equal(t, signals, first+second, "each signal evaluated once (%d + %d)", first, second)
	require.Equal(t, signals-1, b.count(t, `SELECT count(*) FROM risk_alerts`), "every change after the first observation, once")
	require.Equal(t, 2*(signals-1), b.count(t, `SELECT count(*) FROM notifications WHERE kind = 'risk_alert'`), "the agent and the manager, once per alert")
}
