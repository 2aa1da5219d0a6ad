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

func TestCustomersSortsAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	a := app.New(&store.Store{Pool: pool}, nil, nil)
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	eur := func(n int64) money.Money { return money.Money{Minor: n * 100, Currency: money.MustCurrency("EUR")} }
	late := rows.Customer(t, storetest.Customer{Name: "Late"})
	rows.Invoice(t, storetest.Invoice{Customer: late, DueDate: storetest.DefaultDueDate, Amount: eur(10)})
	early := rows.Customer(t, storetest.Customer{Name: "Early"})
	rows.Invoice(t, storetest.Invoice{Customer: early, DueDate: storetest.DefaultDueDate.AddDays(3650), Amount: eur(90)})

	names := func(q app.CustomerQuery) []string {
		t.Helper()
		q.Limit = 50
		list, _, err := a.Customers(ctx, admin, q)
		require.NoError(t, err)
		var out []string
		for _, c := range list {
			out = append(out, c.Name)
		}
		return out
	}
	yes := true
	require.Equal(t, []string{"Early", "Late"}, names(app.CustomerQuery{}), "by name by default")
	require.Equal(t, []string{"Early", "Late"}, names(app.CustomerQuery{Sort: "-balance"}))
	require.Equal(t, []string{"Late", "Early"}, names(app.CustomerQuery{Sort: "-overdue"}))
	require.Equal(t, []string{"Late", "Early"}, names(app.CustomerQuery{Sort: "-days_overdue"}))
	require.Equal(t, []string{"Late"}, names(app.CustomerQuery{Overdue: &yes}))
	require.Empty(t, names(app.CustomerQuery{OnHold: &yes}))

	for _, bad := range []string{"balance_minor", "-", "--name", "name;drop"} {
		_, _, err := a.Customers(ctx, admin, app.CustomerQuery{Sort: bad, Page: domain.Page{Limit: 50}})
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), bad)
		require.ErrorContains(t, err, "last_contact", "the message lists the keys")
	}
}
