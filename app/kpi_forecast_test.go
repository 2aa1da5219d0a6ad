package app_test

import (
	"context"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// forecastBundle is the README's worked example of the cash-in forecast.
type forecastBundle struct {
	app          *app.App
	st           *store.Store
	admin, alice domain.Principal
	a, b, c, d   int64 // customers
	a1, a2, a3   int64
	b1, b2, c1   int64
	d1, u1       int64
}

// setupForecast records, in order (EUR unless said; rate USD→EUR 0.90 on 2026-03-01):
//
//	2025-12-01  A (retail, Alice's): AO1 1,000.00 due 01-10, AO2 500.00 due 02-01; D (no category): DO 1,500.00 due 01-05
//	2026-01-20  AO1 paid (10 days late)   2026-01-25  DO paid (20 days late)   2026-02-05  AO2 paid (4 days late)
//	2026-02-25  A1 600.00 due 03-10, A2 400.00 due 02-20, A3 800.00 due 01-31; B (retail): B1 300.00 due 03-20,
//	            B2 500.00 due 03-15; C (wholesale): C1 200.00 due 03-02; D1 900.00 due 02-15;
//	            U (US01, USD): U1 1,000.00 USD due 04-01
//	2026-03-01  a promise of 400.00 on A2 for 03-25; a plan on D1: 300.00 on 03-06, 04-06, 05-06;
//	            200.00 of B2 disputed
//	2026-03-02  100.00 paid on D1 (15 days late)
//	2026-03-06  A1 paid (after the forecast's date, for the back-test)
func setupForecast(t *testing.T) *forecastBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	ctx := context.Background()
	st := &store.Store{Pool: pool}
	f := &forecastBundle{app: app.New(st, nil, nil), st: st,
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
	_, err := pool.Exec(ctx, `INSERT INTO exchange_rates (rate_date, from_currency, to_currency, rate) VALUES ('2026-03-01', 'USD', 'EUR', 0.90)`)
	require.NoError(t, err)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01"})
	us := rows.Entity(t, storetest.Entity{Code: "US01", Country: "US", Currency: money.MustCurrency("USD")})
	alice := rows.User(t, storetest.User{Email: "alice@example.com", Role: domain.RoleAgent})
	f.alice = domain.Principal{UserID: alice, Role: domain.RoleAgent, Email: "alice@example.com", AllEntities: true}
	f.a = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "A", Category: "retail", Agent: alice})
	f.b = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "B", Category: "retail"})
	f.c = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C", Category: "wholesale"})
	f.d = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "D"})
	u := rows.Customer(t, storetest.Customer{Entity: us, ExternalID: "U"})
	inv := func(c int64, due string, amount money.Money) int64 {
		return rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: day(due), Amount: amount})
	}

	ao1 := inv(f.a, "2026-01-10", eur(100000))
	ao2 := inv(f.a, "2026-02-01", eur(50000))
	do := inv(f.d, "2026-01-05", eur(150000))
	rows.Backdate(t, noon("2025-12-01"))
	for _, p := range []struct {
		invoice int64
		on      string
	}{{ao1, "2026-01-20"}, {do, "2026-01-25"}, {ao2, "2026-02-05"}} {
		rows.Payment(t, storetest.Payment{Invoice: p.invoice, ReceivedOn: day(p.on)})
		rows.Backdate(t, noon(p.on))
	}

	f.a1 = inv(f.a, "2026-03-10", eur(60000))
	f.a2 = inv(f.a, "2026-02-20", eur(40000))
	f.a3 = inv(f.a, "2026-01-31", eur(80000))
	f.b1 = inv(f.b, "2026-03-20", eur(30000))
	f.b2 = inv(f.b, "2026-03-15", eur(50000))
	f.c1 = inv(f.c, "2026-03-02", eur(20000))
	f.d1 = inv(f.d, "2026-02-15", eur(90000))
	f.u1 = inv(u, "2026-04-01", usd(100000))
	rows.Backdate(t, noon("2026-02-25"))

	rows.Promise(t, storetest.Promise{Invoice: f.a2, Due: day("2026-03-25"), Made: noon("2026-03-01")})
	var plan int64
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO payment_plans (customer_id, invoice_ids, currency, total_minor, tolerance_days,
		tolerance_minor, created_by, created_at) VALUES ($1, ARRAY[$2::bigint], 'EUR', 90000, 3, 0, 'alice@example.com', $3) RETURNING id`,
		f.d, f.d1, noon("2026-03-01")).Scan(&plan))
	_, err = pool.Exec(ctx, `INSERT INTO plan_instalments (plan_id, seq, due_date, amount_minor)
		VALUES ($1, 1, '2026-03-06', 30000), ($1, 2, '2026-04-06', 30000), ($1, 3, '2026-05-06', 30000)`, plan)
	require.NoError(t, err)
	k, err := st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: f.b, Reason: "price",
		Invoices: []store.NewCaseInvoice{{InvoiceID: f.b2, DisputedMinor: 20000}}, Source: "agent", Actor: "x"})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE cases SET opened_at = $2 WHERE id = $1`, k.ID, noon("2026-03-01"))
	require.NoError(t, err)
	rows.Backdate(t, noon("2026-03-01"))

	rows.Payment(t, storetest.Payment{Invoice: f.d1, Amount: eur(10000), ReceivedOn: day("2026-03-02")})
	rows.Backdate(t, noon("2026-03-02"))
	rows.Payment(t, storetest.Payment{Invoice: f.a1, ReceivedOn: day("2026-03-06")})
	rows.Backdate(t, noon("2026-03-06"))
	return f
}

// piece is an expected amount, as the tests write it.
type piece struct {
	invoice  int64
	minor    int64
	expected string
	basis    app.ForecastBasis
}

func pieces(f app.Forecast) []piece {
	out := []piece{}
	for _, p := range f.Pieces {
		out = append(out, piece{p.InvoiceID, p.Amount.Minor, p.Expected.String(), p.Basis})
	}
	slices.SortFunc(out, func(x, y piece) int {
		if x.expected != y.expected {
			return compare(x.expected, y.expected)
		}
		return int(x.invoice - y.invoice)
	})
	return out
}

func compare(x, y string) int {
	if x < y {
		return -1
	}
	if x > y {
		return 1
	}
	return 0
}

func weekly(f app.Forecast) []int64 {
	out := []int64{}
	for _, w := range f.Weeks {
		out = append(out, w.Reporting.Minor)
	}
	return out
}

// The README's worked example: each basis of the fallback chain, a promise,
// a plan paid in part, a dispute, an overdue invoice and another currency.
func TestForecastAsOfAHandComputedDate(t *testing.T) {
	t.Parallel()
	f := setupForecast(t)
	ctx := context.Background()

	fc := forecastBoth(t, f.app, f.admin, app.ForecastQuery{AsOf: "2026-03-04"})
	// Delays in the year to 03-04: A (1,000 × 10 + 500 × 4) ÷ 1,500 = 8 days; retail = A's = 8;
	// FR01 (12,000 + 1,500 × 20 + 100 × 15) ÷ 3,100 = 14.03 → 14; US01 none.
	require.Equal(t, []piece{
		{f.a3, 80000, "2026-02-08", app.BasisCustomer}, // overdue: counted in week 1
		{f.d1, 20000, "2026-03-06", app.BasisPlan},     // 800 still owed of 900 pending: the 100 paid comes off the first
		{f.c1, 20000, "2026-03-16", app.BasisEntity},
		{f.a1, 60000, "2026-03-18", app.BasisCustomer},
		{f.b2, 30000, "2026-03-23", app.BasisSegment}, // 500 less the 200 disputed
		{f.a2, 40000, "2026-03-25", app.BasisPromise},
		{f.b1, 30000, "2026-03-28", app.BasisSegment},
		{f.u1, 100000, "2026-04-01", app.BasisDueDate},
		{f.d1, 30000, "2026-04-06", app.BasisPlan},
		{f.d1, 30000, "2026-05-06", app.BasisPlan},
	}, pieces(fc))

	require.Len(t, fc.Weeks, 13)
	require.Equal(t, day("2026-03-02"), fc.Weeks[0].Start, "week 1 is the Monday–Sunday week of the day after as_of")
	require.Equal(t, day("2026-03-08"), fc.Weeks[0].End)
	require.Equal(t, day("2026-05-25"), fc.Weeks[12].Start)
	// Week 1: A3 800 (overdue: in week 1) + D1 200; week 3: C1 200 + A1 600; week 4: B2 300 + A2 400 + B1 300;
	// week 5: U1 1,000 USD × 0.90 = 900 EUR; week 6 and week 10: D1 300.
	require.Equal(t, []int64{100000, 0, 80000, 100000, 90000, 30000, 0, 0, 0, 30000, 0, 0, 0}, weekly(fc))
	require.Equal(t, []money.Money{usd(100000)}, fc.Weeks[4].ByCurrency)
	require.True(t, fc.Weeks[4].Complete)
	require.Equal(t, int64(0), fc.Later.Reporting.Minor)
	require.Equal(t, []money.Money{eur(20000)}, fc.Disputed.ByCurrency)
	require.Equal(t, int64(20000), fc.Disputed.Reporting.Minor)
	require.Empty(t, fc.MissingRates)

	// Four weeks: D1's May instalment is later.
	short := forecastBoth(t, f.app, f.admin, app.ForecastQuery{AsOf: "2026-03-04", Weeks: 4})
	require.Equal(t, []int64{100000, 0, 80000, 100000}, weekly(short))
	require.Equal(t, int64(150000), short.Later.Reporting.Minor)

	// As of 02-28, before the promise, the plan, the dispute and D1's 100: A2 at 02-20 + 8, D1 at
	// 02-15 + D's own 20 days, B2 whole; C1 at FR01's (10,000 + 30,000 + 2,000) ÷ 3,000 = 14 days.
	early := forecastBoth(t, f.app, f.admin, app.ForecastQuery{AsOf: "2026-02-28", Entity: "FR01"})
	require.Equal(t, []piece{
		{f.a3, 80000, "2026-02-08", app.BasisCustomer},
		{f.a2, 40000, "2026-02-28", app.BasisCustomer},
		{f.d1, 90000, "2026-03-07", app.BasisCustomer},
		{f.c1, 20000, "2026-03-16", app.BasisEntity},
		{f.a1, 60000, "2026-03-18", app.BasisCustomer},
		{f.b2, 50000, "2026-03-23", app.BasisSegment},
		{f.b1, 30000, "2026-03-28", app.BasisSegment},
	}, pieces(early))
	require.Empty(t, early.Disputed.ByCurrency)

	// In USD there is no EUR rate: reported, and the EUR amounts left out.
	inUSD := forecastBoth(t, f.app, f.admin, app.ForecastQuery{AsOf: "2026-03-04", Currency: "USD"})
	require.Equal(t, []app.MissingRate{{From: money.MustCurrency("EUR"), To: money.MustCurrency("USD"), On: day("2026-03-04")}}, inUSD.MissingRates)
	require.False(t, inUSD.Weeks[0].Complete)
	require.Equal(t, int64(100000), inUSD.Weeks[4].Reporting.Minor)

	for field, q := range map[string]app.ForecastQuery{"weeks": {Weeks: 60}, "as_of": {AsOf: "2026-13-01"}, "currency": {Currency: "EURO"}} {
		_, err := f.app.Forecast(ctx, f.admin, q)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), field)
	}
}

// An agent's forecast counts their portfolio only, and its fallbacks learn
// from it only.
func TestForecastKeepsToThePerimeter(t *testing.T) {
	t.Parallel()
	f := setupForecast(t)
	fc := forecastBoth(t, f.app, f.alice, app.ForecastQuery{AsOf: "2026-03-04"})
	require.Equal(t, []piece{
		{f.a3, 80000, "2026-02-08", app.BasisCustomer},
		{f.a1, 60000, "2026-03-18", app.BasisCustomer},
		{f.a2, 40000, "2026-03-25", app.BasisPromise},
	}, pieces(fc))
	require.Empty(t, fc.Disputed.ByCurrency)
}

// Every perimeter reads the snapshot its own way (the sums by entity, a
// portfolio's customers, the customers one by one for a department): each
// forecast and back-test equals the one made invoice by invoice.
func TestForecastOfEachPerimeterFromTheSnapshot(t *testing.T) {
	t.Parallel()
	f := setupForecast(t)
	var fr int64
	require.NoError(t, f.st.Pool.QueryRow(context.Background(), `SELECT id FROM entities WHERE code = 'FR01'`).Scan(&fr))
	whos := map[string]domain.Principal{
		"admin": f.admin, "agent": f.alice,
		"credit manager of FR01": {UserID: 99, Role: domain.RoleCreditManager, Email: "cm@example.com", EntityIDs: []int64{fr}},
		"department":             {UserID: 98, Role: domain.RoleDepartment, Email: "dep@example.com", AllEntities: true, Department: domain.DepartmentCreditManagement},
	}
	for name, who := range whos {
		for _, entity := range []string{"", "FR01", "US01"} {
			for _, asOf := range []string{"2026-02-28", "2026-03-04"} {
				q := app.ForecastQuery{AsOf: asOf, Entity: entity, Weeks: 5}
				summed, err := f.app.Forecast(context.Background(), who, q)
				require.NoError(t, err, name)
				q.Pieces = true
				each, err := f.app.Forecast(context.Background(), who, q)
				require.NoError(t, err, name)
				require.Empty(t, summed.Pieces, name)
				each.Pieces = []app.ForecastPiece{}
				require.Equal(t, each, summed, "%s, entity %q, as of %s", name, entity, asOf)
				q.Pieces = false
				backtestBoth(t, f.app, who, q)
			}
		}
	}
}

// The back-test of the worked example: A1 (600 expected on 03-18, week 3) was
// paid on 03-06 (week 1); D1's instalment of 03-06 was not paid.
func TestBacktestOfTheWorkedExample(t *testing.T) {
	t.Parallel()
	f := setupForecast(t)
	bt := backtestBoth(t, f.app, f.admin, app.ForecastQuery{AsOf: "2026-03-04", Weeks: 4})
	// B2 (disputed) is out of both sides: week 1 forecast A3 800 + D1 200, week 3 C1 200 + A1 600,
	// week 4 A2 400 + B1 300.
	require.Equal(t, []int64{100000, 0, 80000, 70000}, mapMinor(bt.Weeks, func(w app.BacktestWeek) money.Money { return w.Forecast }))
	require.Equal(t, []int64{60000, 0, 0, 0}, mapMinor(bt.Weeks, func(w app.BacktestWeek) money.Money { return w.Actual }))
	require.Equal(t, 1, bt.Scored)
	requireRat(t, big.NewRat(400*100, 600), bt.MAPE, "|1,000 − 600| ÷ 600 × 100")
	requireRat(t, big.NewRat((250000-60000)*100, 60000), bt.Bias, "(2,500 − 600) ÷ 600 × 100")
}

func requireRat(t *testing.T, want, got *big.Rat, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.Zero(t, want.Cmp(got), "%s: want %s, got %s", msg, want.RatString(), got.RatString())
}

func mapMinor[T any](xs []T, f func(T) money.Money) []int64 {
	out := []int64{}
	for _, x := range xs {
		out = append(out, f(x).Minor)
	}
	return out
}

// history generates two years of invoices for six customers of two
// entities, each paid delay(invoice) days after its due date, recorded day by
// day as an import would have recorded them.
func history(t *testing.T, delay func() int) (*app.App, domain.Principal) {
	t.Helper()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	rng := rand.New(rand.NewPCG(7, 13))
	type event struct {
		create   bool
		customer int64
		due      dunning.Date
		amount   int64
		invoice  *int64
	}
	byDay := map[dunning.Date][]event{}
	var customers []int64
	for range 2 {
		entity := rows.Entity(t, storetest.Entity{})
		for c := range 3 {
			customers = append(customers, rows.Customer(t, storetest.Customer{Entity: entity, Category: []string{"retail", "wholesale"}[c%2]}))
		}
	}
	start := dunning.NewDate(2025, time.January, 6)
	for _, c := range customers {
		for issue := start.AddDays(rng.IntN(7)); issue.Before(dunning.NewDate(2026, time.June, 1)); issue = issue.AddDays(5 + rng.IntN(10)) {
			due := issue.AddDays(30 + 15*rng.IntN(3))
			id := new(int64)
			amount := int64(10_000 + rng.IntN(500_000))
			byDay[issue] = append(byDay[issue], event{create: true, customer: c, due: due, amount: amount, invoice: id})
			paid := due.AddDays(delay())
			byDay[paid] = append(byDay[paid], event{invoice: id})
		}
	}
	days := slices.SortedFunc(func(yield func(dunning.Date) bool) {
		for d := range byDay {
			if !yield(d) {
				return
			}
		}
	}, func(x, y dunning.Date) int { return compare(x.String(), y.String()) })
	for _, d := range days {
		for _, e := range byDay[d] { // creations first: an invoice may be paid the day it is issued
			if e.create {
				*e.invoice = rows.Invoice(t, storetest.Invoice{Customer: e.customer, IssueDate: d, DueDate: e.due, Amount: eur(e.amount)})
			}
		}
		for _, e := range byDay[d] {
			if !e.create {
				require.NotZero(t, *e.invoice)
				rows.Payment(t, storetest.Payment{Invoice: *e.invoice, ReceivedOn: d})
			}
		}
		rows.Backdate(t, noon(d.String()))
	}
	return app.New(&store.Store{Pool: pool}, nil, nil), admin
}

// Every customer pays exactly 10 days late: the forecast made at a past date
// is right week by week.
func TestBacktestOnAHistoryWithAKnownDelay(t *testing.T) {
	t.Parallel()
	a, admin := history(t, func() int { return 10 })
	for _, asOf := range []string{"2025-09-30", "2026-01-04"} {
		bt := backtestBoth(t, a, admin, app.ForecastQuery{AsOf: asOf})
		require.GreaterOrEqual(t, bt.Scored, 10, asOf)
		require.Positive(t, bt.Actual.Minor)
		for _, w := range bt.Weeks {
			require.Equal(t, w.Actual, w.Forecast, "%s week %d", asOf, w.Week)
		}
		requireRat(t, new(big.Rat), bt.MAPE, asOf)
		requireRat(t, new(big.Rat), bt.Bias, asOf)
	}
}

// With noise (10 ± 6 days) the error is bounded, and not zero. (Every invoice
// open on the date is paid within the 13 weeks, so the bias is 0: the
// amounts are right, only their weeks move.)
func TestBacktestOnAHistoryWithNoise(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	a, admin := history(t, func() int { return 4 + rng.IntN(13) })
	bt := backtestBoth(t, a, admin, app.ForecastQuery{AsOf: "2026-01-04"})
	mape, _ := bt.MAPE.Float64()
	bias, _ := bt.Bias.Float64()
	t.Logf("MAPE %.2f%%, bias %.2f%% over %d weeks", mape, bias, bt.Scored)
	require.Positive(t, mape)
	require.Less(t, mape, 40.0)
	require.Less(t, bias, 10.0)
	require.Greater(t, bias, -10.0)
}

// An ERP that sends open amounts and no payments: its falls are receipts
// (a write-off is not), for the delays and for the back-test alike.
func TestForecastLearnsFromERPOpenAmounts(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	a := app.New(&store.Store{Pool: pool}, nil, nil)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	c := rows.Customer(t, storetest.Customer{})
	paid := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: day("2026-01-10"), Amount: eur(30000)})
	lost := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: day("2026-01-10"), Amount: eur(90000)})
	open := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: day("2026-03-10"), Amount: eur(50000)})
	rows.Backdate(t, noon("2025-12-10"))
	rows.ERPOpen(t, lost, 0, true) // written off 2 days after its due date: not a receipt
	rows.Backdate(t, noon("2026-01-12"))
	rows.ERPOpen(t, paid, 10000, false) // 200.00 received 15 days late, then 100.00 25 days late
	rows.Backdate(t, noon("2026-01-25"))
	rows.ERPOpen(t, paid, 0, false)
	rows.Backdate(t, noon("2026-02-04"))
	rows.ERPOpen(t, open, 20000, false) // 300.00 of the open one on 03-20
	rows.Backdate(t, noon("2026-03-20"))

	fc := forecastBoth(t, a, admin, app.ForecastQuery{AsOf: "2026-03-04"})
	// (200 × 15 + 100 × 25) ÷ 300 = 18.33 → 18 days: 03-10 + 18 = 03-28.
	require.Equal(t, []piece{{open, 50000, "2026-03-28", app.BasisCustomer}}, pieces(fc))
	require.Equal(t, day("2026-03-02"), fc.Weeks[0].Start)

	bt := backtestBoth(t, a, admin, app.ForecastQuery{AsOf: "2026-03-04", Weeks: 4})
	require.Equal(t, []int64{0, 0, 0, 50000}, mapMinor(bt.Weeks, func(w app.BacktestWeek) money.Money { return w.Forecast }))
	require.Equal(t, []int64{0, 0, 30000, 0}, mapMinor(bt.Weeks, func(w app.BacktestWeek) money.Money { return w.Actual }))

	// As of a Sunday, week 1 is the next week.
	sunday := forecastBoth(t, a, admin, app.ForecastQuery{AsOf: "2026-03-08", Weeks: 1})
	require.Equal(t, day("2026-03-09"), sunday.Weeks[0].Start)
	require.Equal(t, day("2026-03-15"), sunday.Weeks[0].End)
}

// forecastBoth makes the forecast both ways, from the day's snapshot sums
// and invoice by invoice (the drill-down), requires the same figures, and
// returns the one with its pieces.
func forecastBoth(t *testing.T, a *app.App, who domain.Principal, q app.ForecastQuery) app.Forecast {
	t.Helper()
	summed, err := a.Forecast(context.Background(), who, q)
	require.NoError(t, err)
	q.Pieces = true
	each, err := a.Forecast(context.Background(), who, q)
	require.NoError(t, err)
	require.NotEmpty(t, each.Pieces)
	require.Empty(t, summed.Pieces, "read from the snapshot")
	withPieces := summed
	withPieces.Pieces = each.Pieces
	require.Equal(t, each, withPieces, "the same figures both ways")
	return each
}

// backtestBoth is forecastBoth for the back-test.
func backtestBoth(t *testing.T, a *app.App, who domain.Principal, q app.ForecastQuery) app.Backtest {
	t.Helper()
	summed, err := a.ForecastBacktest(context.Background(), who, q)
	require.NoError(t, err)
	q.Pieces = true
	each, err := a.ForecastBacktest(context.Background(), who, q)
	require.NoError(t, err)
	require.Equal(t, each, summed, "the same figures both ways")
	return summed
}

// The snapshot's sums follow the changes that reach a day's forecast (the
// stale marks of migrations 00035 and 00037): a payment today reaches
// today's forecast only; a receipt of the past stops counting when its
// invoice is written off later, and an invoice moved to another customer
// takes that customer's delay, on every day. forecastBoth checks each
// forecast against the one made invoice by invoice from the history.
func TestForecastSumsFollowChanges(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	a := app.New(&store.Store{Pool: pool}, nil, nil)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	today := dunning.DateOf(time.Now().UTC())
	at := func(days int) time.Time { return noon(today.AddDays(days).String()) }
	c := rows.Customer(t, storetest.Customer{Category: "retail"})
	other := rows.Customer(t, storetest.Customer{})
	p1 := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: today.AddDays(-100), Amount: eur(100000)})
	p2 := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: today.AddDays(-100), Amount: eur(100000)})
	q1 := rows.Invoice(t, storetest.Invoice{Customer: other, DueDate: today.AddDays(-100), Amount: eur(100000)})
	open := rows.Invoice(t, storetest.Invoice{Customer: c, DueDate: today.AddDays(5), Amount: eur(50000)})
	rows.Backdate(t, at(-130))
	rows.Payment(t, storetest.Payment{Invoice: p2, ReceivedOn: today.AddDays(-98)}) // 2 days late
	rows.Backdate(t, at(-98))
	rows.ERPOpen(t, p1, 0, false) // 30 days late
	rows.Backdate(t, at(-70))
	rows.ERPOpen(t, q1, 0, false) // 40 days late
	rows.Backdate(t, at(-60))

	past := today.AddDays(-30)
	forecasts := func() (app.Forecast, app.Forecast) {
		t.Helper()
		return forecastBoth(t, a, admin, app.ForecastQuery{AsOf: past.String()}),
			forecastBoth(t, a, admin, app.ForecastQuery{AsOf: today.String()})
	}
	expected := func(f app.Forecast) dunning.Date {
		t.Helper()
		require.Len(t, f.Pieces, 1)
		return f.Pieces[0].Expected
	}
	pastBefore, todayBefore := forecasts()
	require.Equal(t, today.AddDays(5+16), expected(pastBefore), "(2 × 1,000 + 30 × 1,000) ÷ 2,000 = 16 days")
	backtest := func() app.Backtest {
		t.Helper()
		return backtestBoth(t, a, admin, app.ForecastQuery{AsOf: past.String()})
	}
	require.Zero(t, backtest().Actual.Minor)
	stale := func() int {
		var n int
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM kpi_snapshot_after_stale`).Scan(&n))
		return n
	}

	// A payment today: today's forecast changes, the past one does not, but
	// the back-test of the past day receives it.
	rows.Payment(t, storetest.Payment{Invoice: open, Amount: eur(10000), ReceivedOn: today})
	require.Equal(t, 1, stale(), "the past day's back-test rows of the customer")
	require.Equal(t, int64(10000), backtest().Actual.Minor)
	require.Zero(t, stale(), "rebuilt")
	pastPaid, todayPaid := forecasts()
	require.Equal(t, pastBefore, pastPaid)
	require.NotEqual(t, todayBefore.Weeks, todayPaid.Weeks)

	rows.ERPOpen(t, p1, 0, true) // its fall to 0 is no receipt any more
	pastOff, _ := forecasts()
	require.Equal(t, today.AddDays(5+2), expected(pastOff))
	require.Equal(t, int64(10000), backtest().Actual.Minor)

	_, err := pool.Exec(context.Background(), `UPDATE invoices SET customer_id = $1 WHERE id = $2`, other, open)
	require.NoError(t, err)
	pastMoved, _ := forecasts()
	require.Equal(t, today.AddDays(5+40), expected(pastMoved))
	require.Equal(t, int64(10000), backtest().Actual.Minor)
}
