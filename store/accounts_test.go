package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// today is the date now in zone, as a customer there sees it.
func today(t *testing.T, zone string) dunning.Date {
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	n := time.Now().In(loc)
	return dunning.NewDate(n.Year(), n.Month(), n.Day())
}

func eur(units int64) money.Money {
	return money.Money{Minor: units * 100, Currency: money.MustCurrency("EUR")}
}

// accountsBundle is four customers whose every sort key differs:
//
//	name   balance overdue days  last contact  on hold
//	Alpha      300     100   10  2 days ago    no
//	Bravo      500       0    0  never         yes
//	Charlie    -50       0    0  5 days ago    no   (a credit note only)
//	Delta      200     200    3  1 day ago     no
type accountsBundle struct {
	pool                        *pgxpool.Pool
	st                          *store.Store
	alpha, bravo, charlie, delt int64
}

func accountsSetup(t *testing.T) accountsBundle {
	t.Helper()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	b := accountsBundle{pool: pool, st: &store.Store{Pool: pool}}
	paris := today(t, "Europe/Paris")
	b.alpha = f.Customer(t, storetest.Customer{Name: "Alpha"})
	f.Invoice(t, storetest.Invoice{Customer: b.alpha, DueDate: paris.AddDays(-10), Amount: eur(100)})
	f.Invoice(t, storetest.Invoice{Customer: b.alpha, DueDate: paris.AddDays(5), Amount: eur(200)})
	b.bravo = f.Customer(t, storetest.Customer{Name: "Bravo"})
	f.Invoice(t, storetest.Invoice{Customer: b.bravo, DueDate: paris, Amount: eur(500)}) // due today: not overdue yet
	b.charlie = f.Customer(t, storetest.Customer{Name: "Charlie"})
	f.Invoice(t, storetest.Invoice{Customer: b.charlie, Type: domain.TypeCreditNote, DueDate: paris.AddDays(-20), Amount: eur(50)})
	b.delt = f.Customer(t, storetest.Customer{Name: "Delta"})
	f.Invoice(t, storetest.Invoice{Customer: b.delt, DueDate: paris.AddDays(-3), Amount: eur(200)})
	paid := f.Invoice(t, storetest.Invoice{Customer: b.delt, DueDate: paris.AddDays(-30), Amount: eur(70)})
	f.Payment(t, storetest.Payment{Invoice: paid}) // paid in full: neither balance nor overdue
	_, err := pool.Exec(ctx, `UPDATE customers SET on_hold = true WHERE id = $1`, b.bravo)
	require.NoError(t, err)
	for i, m := range []struct {
		customer int64
		ago      time.Duration
		status   string
	}{
		{b.alpha, 48 * time.Hour, "sent"}, {b.charlie, 120 * time.Hour, "delivered"}, {b.delt, 24 * time.Hour, "sent"},
		{b.bravo, time.Hour, "failed"}, // not sent: not a contact
	} {
		_, err := pool.Exec(ctx, `INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version,
			step_index, channel, invoice_ids, status, updated_at) VALUES ($1, $2, 'wf', 1, 1, 0, 'email', '{}', $3, now() - $4::interval)`,
			"k"+string(rune('a'+i)), m.customer, m.status, m.ago.String())
		require.NoError(t, err)
	}
	return b
}

func (b accountsBundle) list(t *testing.T, f store.CustomerFilter) []string {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Sort == "" {
		f.Sort = store.SortByName
	}
	list, total, err := b.st.ListCustomers(context.Background(), store.Everything, f)
	require.NoError(t, err)
	require.LessOrEqual(t, int64(len(list)), total)
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	return names
}

func TestListCustomersSortsByEveryKey(t *testing.T) {
	t.Parallel()
	b := accountsSetup(t)
	for _, tc := range []struct {
		sort store.CustomerSort
		asc  []string
	}{
		{store.SortByName, []string{"Alpha", "Bravo", "Charlie", "Delta"}},
		{store.SortByBalance, []string{"Charlie", "Delta", "Alpha", "Bravo"}},
		{store.SortByOverdue, []string{"Bravo", "Charlie", "Alpha", "Delta"}}, // ties by id
		{store.SortByDays, []string{"Charlie", "Bravo", "Delta", "Alpha"}},    // nothing open, due today, 3 and 10 days late
		{store.SortByContact, []string{"Bravo", "Charlie", "Alpha", "Delta"}}, // never contacted first
		{store.SortByExternalID, []string{"Alpha", "Bravo", "Charlie", "Delta"}},
		{store.SortByID, []string{"Alpha", "Bravo", "Charlie", "Delta"}},
	} {
		require.Equal(t, tc.asc, b.list(t, store.CustomerFilter{Sort: tc.sort}), "%s ascending", tc.sort)
		rev := append([]string{}, tc.asc...)
		slices.Reverse(rev)
		require.Equal(t, rev, b.list(t, store.CustomerFilter{Sort: tc.sort, Desc: true}), "%s descending", tc.sort)
	}
}

func TestListCustomersAnswersTotalsAndFilters(t *testing.T) {
	t.Parallel()
	b := accountsSetup(t)
	list, total, err := b.st.ListCustomers(context.Background(), store.Everything,
		store.CustomerFilter{Sort: store.SortByName, Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.EqualValues(t, 4, total)
	byName := map[string]domain.Customer{}
	for _, c := range list {
		byName[c.Name] = c
	}
	require.Equal(t, eur(300), byName["Alpha"].Balance)
	require.Equal(t, eur(100), byName["Alpha"].Overdue)
	require.Equal(t, 10, byName["Alpha"].DaysOverdue)
	require.Equal(t, 2, byName["Alpha"].OpenInvoices)
	require.NotNil(t, byName["Alpha"].LastContact)
	require.WithinDuration(t, time.Now().Add(-48*time.Hour), *byName["Alpha"].LastContact, time.Minute)
	require.Nil(t, byName["Bravo"].LastContact, "a failed send is no contact")
	require.Equal(t, eur(-50), byName["Charlie"].Balance)
	require.Equal(t, eur(200), byName["Delta"].Balance, "the paid invoice is gone from the balance")
	require.Equal(t, 3, byName["Delta"].DaysOverdue)

	yes, no := true, false
	require.Equal(t, []string{"Alpha", "Delta"}, b.list(t, store.CustomerFilter{Overdue: &yes}))
	require.Equal(t, []string{"Bravo", "Charlie"}, b.list(t, store.CustomerFilter{Overdue: &no}))
	require.Equal(t, []string{"Bravo"}, b.list(t, store.CustomerFilter{OnHold: &yes}))
	require.Equal(t, []string{"Alpha", "Charlie", "Delta"}, b.list(t, store.CustomerFilter{OnHold: &no}))
	require.Equal(t, []string{"Alpha"}, b.list(t, store.CustomerFilter{Overdue: &yes, OnHold: &no, Search: "alp"}))
}

// The stored overdue sum holds until the customer's date passes its next due
// date; after that the list adds the invoices up again, so a day without
// writes never leaves it stale.
func TestListCustomersOverdueFollowsTheCalendarWithoutWrites(t *testing.T) {
	t.Parallel()
	b := accountsSetup(t)
	ctx := context.Background()
	// As if the totals were computed 10 days ago: Bravo's invoice (due today) and
	// Alpha's (due 10 days ago) were not overdue then.
	_, err := b.pool.Exec(ctx, `UPDATE customer_totals SET overdue_minor = 0, overdue_on = overdue_on - 11,
		next_due = oldest_due WHERE customer_id IN ($1, $2)`, b.alpha, b.bravo)
	require.NoError(t, err)
	list, _, err := b.st.ListCustomers(ctx, store.Everything, store.CustomerFilter{Sort: store.SortByName,
		Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Equal(t, "Alpha", list[0].Name)
	require.Equal(t, eur(100), list[0].Overdue, "a stale stored sum is not shown")
	require.Equal(t, eur(0), list[1].Overdue, "Bravo's invoice is due today")
	list, _, err = b.st.ListCustomers(ctx, store.Everything, store.CustomerFilter{Sort: store.SortByOverdue, Desc: true,
		Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Equal(t, "Delta", list[0].Name)
	require.Equal(t, "Alpha", list[1].Name, "sorted by the real overdue amount")
	require.Equal(t, eur(100), list[1].Overdue)
	var stored int64
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT overdue_minor FROM customer_totals WHERE customer_id = $1`, b.alpha).Scan(&stored))
	require.EqualValues(t, 10000, stored, "sorting by overdue brought the stored sum up to date")
}

// Overdue is judged by the date where the customer is: an invoice due
// yesterday there is overdue, one due today is not, whatever the date in UTC.
func TestListCustomersJudgesOverdueInTheCustomersZone(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	st := &store.Store{Pool: pool}
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Paris"} {
		c := f.Customer(t, storetest.Customer{Name: zone, TimeZone: zone})
		local := today(t, zone)
		f.Invoice(t, storetest.Invoice{Customer: c, DueDate: local.AddDays(-1), Amount: eur(10)})
		f.Invoice(t, storetest.Invoice{Customer: c, DueDate: local, Amount: eur(20)})
	}
	list, _, err := st.ListCustomers(context.Background(), store.Everything, store.CustomerFilter{Sort: store.SortByName,
		Page: domain.Page{Limit: 50}})
	require.NoError(t, err)
	require.Len(t, list, 3)
	for _, c := range list {
		require.Equal(t, eur(10), c.Overdue, c.Name)
		require.Equal(t, eur(30), c.Balance, c.Name)
		require.Equal(t, 1, c.DaysOverdue, c.Name)
	}
}

// The totals follow a payment imported later and a customer's new time zone.
func TestCustomerTotalsFollowWrites(t *testing.T) {
	t.Parallel()
	b := accountsSetup(t)
	ctx := context.Background()
	f := storetest.NewFactory(b.pool)
	inv := f.Invoice(t, storetest.Invoice{Customer: b.alpha, ExternalID: "late", DueDate: today(t, "Europe/Paris").AddDays(-40), Amount: eur(40)})
	f.Payment(t, storetest.Payment{Invoice: inv, Amount: eur(15)})
	d, err := b.st.GetCustomer(ctx, store.Everything, b.alpha)
	require.NoError(t, err)
	require.Equal(t, eur(325), d.Balance)
	require.Equal(t, eur(125), d.Overdue)
	require.Equal(t, 40, d.DaysOverdue)

	_, err = b.pool.Exec(ctx, `UPDATE invoices SET status = 'written_off', open_minor = 0 WHERE id = $1`, inv)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `UPDATE customers SET timezone = 'Pacific/Kiritimati' WHERE id = $1`, b.alpha)
	require.NoError(t, err)
	var on time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT overdue_on FROM customer_totals WHERE customer_id = $1`, b.alpha).Scan(&on))
	k := today(t, "Pacific/Kiritimati")
	require.Equal(t, k.In(time.UTC), on.UTC(), "recomputed in the new zone")
	d, err = b.st.GetCustomer(ctx, store.Everything, b.alpha)
	require.NoError(t, err)
	require.Equal(t, eur(300), d.Balance)
}

// A reassignment moves the account once and journals it once; the same call
// again (an activity retried after its write committed) changes nothing.
func TestReassignAgentJournalsEachMoveOnce(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	st := &store.Store{Pool: pool}
	f.User(t, storetest.User{Email: "bob@example.com", Role: domain.RoleAgent})
	customer := f.Customer(t, storetest.Customer{Name: "Alpha"})

	require.NoError(t, st.ReassignAgent(ctx, customer, "bob@example.com", "manager@example.com"))
	require.NoError(t, st.ReassignAgent(ctx, customer, "bob@example.com", "manager@example.com"))

	var agent string
	var moves int
	require.NoError(t, pool.QueryRow(ctx, `SELECT u.email FROM customers c JOIN users u ON u.id = c.agent_id WHERE c.id = $1`, customer).Scan(&agent))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action = 'customer.reassign'`).Scan(&moves))
	require.Equal(t, "bob@example.com", agent)
	require.Equal(t, 1, moves)

	err := st.ReassignAgent(ctx, customer, "nobody@example.com", "manager@example.com")
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "an unknown agent is refused")
}
