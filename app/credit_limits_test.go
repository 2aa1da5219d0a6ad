package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/importer"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// Thresholds as a person types them: whole percents, sorted, each once.
func TestParseThresholds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []int
		err  bool
	}{
		{in: "80, 100", want: []int{80, 100}},
		{in: "100 80 80 %", want: []int{80, 100}},
		{in: "", want: []int{}},
		{in: "75;90", want: []int{75, 90}},
		{in: "eighty", err: true},
		{in: "0", err: true},
		{in: "1001", err: true},
		{in: "10, 20, 30, 40, 50, 60", err: true},
		{in: "80.5", err: true},
	} {
		got, err := app.ParseThresholds(tc.in)
		if tc.err {
			require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), tc.in)
			require.Contains(t, err.Error(), "credit_limit_thresholds", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
		again, err := app.ParseThresholds(app.FormatThresholds(got))
		require.NoError(t, err)
		require.Equal(t, got, again, "FormatThresholds writes what ParseThresholds reads")
	}
}

// A change to named accounts (a payment, a decision: AccountsChanged)
// evaluates their thresholds once it is committed; a second change at the
// same use raises nothing. A person's hold is such a change.
func TestLimitUseEvaluatedWhenAccountsChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil)
	rows := storetest.NewFactory(pool)
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	limit := eur(100000)
	id := rows.Customer(t, storetest.Customer{CreditLimit: &limit})
	rows.Invoice(t, storetest.Invoice{Customer: id, Amount: eur(85000)})
	count := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM risk_alerts WHERE customer_id = $1 AND kind = 'limit_use'`, id).Scan(&n))
		return n
	}
	require.Zero(t, count(), "nothing evaluated yet")
	a.AccountsChanged(ctx, app.Change{CustomerIDs: []int64{id}})
	require.Equal(t, 1, count(), "80 % crossed")
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	cs, err := a.PlaceCreditHold(ctx, admin, id, app.CreditHoldRequest{Reason: "over 80 %"})
	require.NoError(t, err)
	require.True(t, cs.OnHold)
	require.Equal(t, 1, count(), "evaluated again, same episode")
	_, err = a.PlaceCreditHold(ctx, domain.Principal{Role: domain.RoleSalesRep, Email: "rep@example.com", AllEntities: true},
		id, app.CreditHoldRequest{Reason: "x"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))

	// The ERP lowers the limit through a customers import: 85,000 of 80,000
	// crosses 100 % at once, not at the next daily sweep.
	var external, entity, currency string
	require.NoError(t, pool.QueryRow(ctx, `SELECT c.external_id, e.code, c.currency FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE c.id = $1`, id).Scan(&external, &entity, &currency))
	csv := fmt.Sprintf("external_id,entity,name,currency,credit_limit\n%s,%s,Lowered SA,%s,800.00\n", external, entity, currency)
	res, err := a.Import(ctx, admin, app.ImportRequest{Kind: "customers", Format: importer.CSV, Name: "erp.csv", Body: strings.NewReader(csv)})
	require.NoError(t, err)
	require.Empty(t, res.Rejections)
	require.Equal(t, 2, count(), "100 % crossed by the import")
}
