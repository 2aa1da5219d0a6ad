package app_test

import (
	"context"
	"math/big"
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

// kpiBundle is the small hand-computed data set of the README's worked
// examples: two entities (EUR, USD), three customers, history recorded on a
// year end, a leap day and two later days (see setupKPIs).
type kpiBundle struct {
	app          *app.App
	admin, alice domain.Principal
	c1, c2, c3   int64
	a0, a1, b1   int64
	rows         *storetest.Factory
	store        *store.Store
}

func eur(minor int64) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")}
}
func usd(minor int64) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency("USD")}
}
func day(s string) dunning.Date {
	d, err := dunning.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
func noon(s string) time.Time { return day(s).In(time.UTC).Add(12 * time.Hour) }

// setupKPIs records, in order:
//
//	2023-12-31 (year end)  A0 C1 1,000.00 EUR due 2023-12-15; B0 C2 2,000.00 USD due 2023-12-31
//	2024-02-29 (leap day)  A1 C1 3,000.00 EUR issued 01-15 due 02-14; A2 C1 1,500.00 EUR issued 02-29 due 03-30;
//	                       B1 C2 4,000.10 USD issued 02-10 due 03-11; 400.00 paid on A0 (partial);
//	                       250.00 EUR paid in advance by C3 (unallocated)
//	2024-03-20             credit note CN1 C1 200.00 EUR; the ERP says B0 has 500.00 USD open;
//	                       G1 C3 800.00 EUR issued 03-15 due 04-14
//	2024-04-10 (after)     A1 paid; the ERP says B1 is paid; G2 C3 100.00 EUR issued 03-25
//
// Rates USD→EUR: 0.90 on 2023-12-29, 0.925 on 2024-03-28.
func setupKPIs(t *testing.T) *kpiBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	b := &kpiBundle{app: app.New(&store.Store{Pool: pool}, nil, nil), rows: rows, store: &store.Store{Pool: pool},
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
	_, err := pool.Exec(context.Background(), `INSERT INTO exchange_rates (rate_date, from_currency, to_currency, rate)
VALUES ('2023-12-29', 'USD', 'EUR', 0.90), ('2024-03-28', 'USD', 'EUR', 0.925)`)
	require.NoError(t, err)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France", Country: "FR", Currency: money.MustCurrency("EUR")})
	us := rows.Entity(t, storetest.Entity{Code: "US01", Name: "USA", Country: "US", Currency: money.MustCurrency("USD"), TimeZone: "America/New_York", Language: "en"})
	alice := rows.User(t, storetest.User{Email: "alice@example.com", Name: "Alice", Role: domain.RoleAgent})
	bob := rows.User(t, storetest.User{Email: "bob@example.com", Name: "Bob", Role: domain.RoleAgent})
	b.alice = domain.Principal{UserID: alice, Role: domain.RoleAgent, Email: "alice@example.com", AllEntities: true}
	b.c1 = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Alpha", Category: "retail", Agent: alice})
	b.c2 = rows.Customer(t, storetest.Customer{Entity: us, ExternalID: "C2", Name: "Beta", Category: "wholesale", Agent: bob})
	b.c3 = rows.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C3", Name: "Gamma", Category: "retail", Country: "BE"})
	inv := func(c int64, issue, due string, amount money.Money, typ domain.InvoiceType) int64 {
		return rows.Invoice(t, storetest.Invoice{Customer: c, IssueDate: day(issue), DueDate: day(due), Amount: amount, Type: typ})
	}

	b.a0 = inv(b.c1, "2023-11-15", "2023-12-15", eur(100000), "")
	b0 := inv(b.c2, "2023-12-01", "2023-12-31", usd(200000), "")
	rows.Backdate(t, noon("2023-12-31"))

	b.a1 = inv(b.c1, "2024-01-15", "2024-02-14", eur(300000), "")
	inv(b.c1, "2024-02-29", "2024-03-30", eur(150000), "")
	b.b1 = inv(b.c2, "2024-02-10", "2024-03-11", usd(400010), "")
	rows.Payment(t, storetest.Payment{Invoice: b.a0, Amount: eur(40000), ReceivedOn: day("2024-02-28")})
	rows.Payment(t, storetest.Payment{Customer: b.c3, Amount: eur(25000), ReceivedOn: day("2024-02-27")})
	rows.Backdate(t, noon("2024-02-29"))

	inv(b.c1, "2024-03-20", "2024-03-20", eur(20000), domain.TypeCreditNote)
	rows.ERPOpen(t, b0, 50000, false)
	inv(b.c3, "2024-03-15", "2024-04-14", eur(80000), "")
	rows.Backdate(t, noon("2024-03-20"))

	rows.Payment(t, storetest.Payment{Invoice: b.a1, ReceivedOn: day("2024-04-09")})
	rows.ERPOpen(t, b.b1, 0, false)
	inv(b.c3, "2024-03-25", "2024-04-24", eur(10000), "")
	rows.Backdate(t, noon("2024-04-10"))
	return b
}

// buckets is an aged balance line: not due, 1–30, 31–60, 61–90, 91–120, over 120, credits, total.
func buckets(a app.AgingAmounts) []int64 {
	out := make([]int64, 0, 8)
	for _, m := range a.Buckets {
		out = append(out, m.Minor)
	}
	return append(out, a.Credits.Minor, a.Total.Minor)
}

func TestAgingAsOfAHandComputedDate(t *testing.T) {
	t.Parallel()
	b := setupKPIs(t)
	ctx := context.Background()

	// 2024-03-31: A0 600 EUR 107 days late, A1 3,000 46 days, A2 1,500 1 day, G1 800 not due,
	// credits CN1 200 and C3's 250 in advance; B0 500 USD 91 days, B1 4,000.10 USD 20 days.
	ag, err := b.app.Aging(ctx, b.admin, app.KPIQuery{AsOf: "2024-03-31", GroupBy: "entity"})
	require.NoError(t, err)
	require.Len(t, ag.Groups, 2)
	require.Equal(t, "FR01", ag.Groups[0].Key)
	require.Equal(t, []int64{80000, 150000, 300000, 0, 60000, 0, -45000, 545000}, buckets(ag.Groups[0].ByCurrency[0]))
	require.Equal(t, []int64{80000, 150000, 300000, 0, 60000, 0, -45000, 545000}, buckets(ag.Groups[0].Reporting))
	require.Equal(t, "US01", ag.Groups[1].Key)
	require.Equal(t, []int64{0, 400010, 0, 0, 50000, 0, 0, 450010}, buckets(ag.Groups[1].ByCurrency[0]))
	// × 0.925 (the rate of 03-28, the latest on or before 03-31): 3,700.0925 → 3,700.09; 462.50.
	require.Equal(t, []int64{0, 370009, 0, 0, 46250, 0, 0, 416259}, buckets(ag.Groups[1].Reporting))
	require.Equal(t, []int64{80000, 520009, 300000, 0, 106250, 0, -45000, 961259}, buckets(ag.Total.Reporting))
	require.True(t, ag.Total.Complete)
	require.Empty(t, ag.MissingRates)
	require.Equal(t, []store.Rate{{From: "USD", To: "EUR", On: day("2024-03-28"), Value: "0.925000000000"}}, ag.Rates)

	// Year end: A0 1,000 EUR 16 days late; B0 2,000 USD due that day, at 0.90.
	ye, err := b.app.Aging(ctx, b.admin, app.KPIQuery{AsOf: "2023-12-31", GroupBy: "entity"})
	require.NoError(t, err)
	require.Equal(t, []int64{180000, 100000, 0, 0, 0, 0, 0, 280000}, buckets(ye.Total.Reporting))

	// Agents: Alice's C1, Bob's C2 and C3 without an agent.
	byAgent, err := b.app.Aging(ctx, b.admin, app.KPIQuery{AsOf: "2024-03-31", GroupBy: "agent"})
	require.NoError(t, err)
	keys := []string{}
	for _, g := range byAgent.Groups {
		keys = append(keys, g.Key)
	}
	require.Equal(t, []string{"", "alice@example.com", "bob@example.com"}, keys)
	require.Equal(t, []int64{80000, 0, 0, 0, 0, 0, -25000, 55000}, buckets(byAgent.Groups[0].Reporting))

	// An agent sees their portfolio only.
	mine, err := b.app.Aging(ctx, b.alice, app.KPIQuery{AsOf: "2024-03-31", GroupBy: "customer"})
	require.NoError(t, err)
	require.Len(t, mine.Groups, 1)
	require.Equal(t, "C1", mine.Groups[0].Key)
	require.Equal(t, []int64{0, 150000, 300000, 0, 60000, 0, -20000, 490000}, buckets(mine.Total.Reporting))

	// In USD there is no EUR rate: reported, and the EUR amounts are left out.
	inUSD, err := b.app.Aging(ctx, b.admin, app.KPIQuery{AsOf: "2024-03-31", Currency: "USD"})
	require.NoError(t, err)
	require.Equal(t, []app.MissingRate{{From: money.MustCurrency("EUR"), To: money.MustCurrency("USD"), On: day("2024-03-31")}}, inUSD.MissingRates)
	require.False(t, inUSD.Total.Complete)
	require.Equal(t, int64(450010), inUSD.Total.Reporting.Total.Minor)

	// What happened on 04-10 changes the later figures only.
	later, err := b.app.Aging(ctx, b.admin, app.KPIQuery{AsOf: "2024-04-10", GroupBy: "entity"})
	require.NoError(t, err)
	require.Equal(t, int64(545000-300000+10000), later.Groups[0].ByCurrency[0].Total.Minor)

	for _, bad := range []app.KPIQuery{{GroupBy: "region"}, {AsOf: "2024-02-30"}, {Currency: "EURO"}} {
		_, err := b.app.Aging(ctx, b.admin, bad)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%+v", bad)
	}
}

func rat(t *testing.T, r *big.Rat) string {
	t.Helper()
	require.NotNil(t, r)
	return r.FloatString(4)
}

func TestDSOOfAHandComputedQuarter(t *testing.T) {
	t.Parallel()
	b := setupKPIs(t)
	// Q1 2024 (91 days, a leap year), as of 03-31 at 0.925 USD→EUR:
	// sales S = 3,000 + 1,500 − 200 + 800 EUR + 4,000.10 USD × 0.925 = 8,800.0925 (G2, issued 03-25 but
	// only known on 04-10, is not counted); receivables AR = 5,450 + 4,500.10 × 0.925 = 9,612.5925;
	// current 800; receivables at the year end 1,000 + 2,000 × 0.925 = 2,850.
	d, err := b.app.DSO(context.Background(), b.admin, app.KPIQuery{From: "2024-01-01", To: "2024-03-31"})
	require.NoError(t, err)
	require.Equal(t, 91, d.Days)
	require.Equal(t, eur(880009), d.CreditSales)
	require.Equal(t, eur(961259), d.Receivables)
	require.Equal(t, eur(285000), d.BeginReceivables)
	require.Equal(t, eur(80000), d.Current)
	require.Equal(t, eur(106250), d.Over60)
	require.Equal(t, "99.4019", rat(t, d.Standard))    // 9,612.5925 / 8,800.0925 × 91
	require.Equal(t, "8.2726", rat(t, d.BestPossible)) // 800 / 8,800.0925 × 91
	require.Equal(t, "91.1293", rat(t, d.Delinquent))  // 99.4019 − 8.2726
	require.Equal(t, "18.7786", rat(t, d.CEI))         // (2,850 + 8,800.0925 − 9,612.5925) / (2,850 + 8,800.0925 − 800) × 100
	require.Equal(t, "34.5248", rat(t, d.AverageDaysDelinquent))
	require.Equal(t, "10.5589", rat(t, d.Over60Share)) // 1,062.50 / 10,062.5925 × 100
	// Countback: March (31 days) sales 600, February (29 days, leap) 5,200.0925, January (31) 3,000
	// take 8,800.0925 of 9,612.5925; the 812.50 left are 812.50/1,850 of December's 31 days.
	require.Equal(t, "104.6149", rat(t, d.Countback))
	require.Empty(t, d.Notes)

	none, err := b.app.DSO(context.Background(), b.admin, app.KPIQuery{From: "2023-06-01", To: "2023-06-30"})
	require.NoError(t, err)
	require.Nil(t, none.Standard)
	require.NotEmpty(t, none.Notes)
}

func TestTopOverdueRanksInTheReportingCurrency(t *testing.T) {
	t.Parallel()
	b := setupKPIs(t)
	ctx := context.Background()
	top, err := b.app.TopOverdue(ctx, b.admin, app.KPIQuery{AsOf: "2024-03-31"})
	require.NoError(t, err)
	require.Len(t, top.Customers, 2, "C3 owes nothing overdue")
	require.Equal(t, "C1", top.Customers[0].ExternalID)
	require.Equal(t, eur(510000), top.Customers[0].Overdue)
	require.Equal(t, eur(60000), top.Customers[0].Over60)
	require.Equal(t, 107, top.Customers[0].DaysOverdue)
	require.Equal(t, "C2", top.Customers[1].ExternalID)
	require.Equal(t, usd(450010), top.Customers[1].Overdue)
	require.Equal(t, eur(416259), top.Customers[1].OverdueReporting)
	require.Equal(t, 91, top.Customers[1].DaysOverdue)

	// In USD, C1's EUR cannot be ranked: said, not guessed.
	inUSD, err := b.app.TopOverdue(ctx, b.admin, app.KPIQuery{AsOf: "2024-03-31", Currency: "USD"})
	require.NoError(t, err)
	require.Len(t, inUSD.Customers, 1)
	require.Equal(t, "C2", inUSD.Customers[0].ExternalID)
	require.Len(t, inUSD.MissingRates, 1)

	mine, err := b.app.TopOverdue(ctx, b.alice, app.KPIQuery{AsOf: "2024-03-31"})
	require.NoError(t, err)
	require.Len(t, mine.Customers, 1)
}
