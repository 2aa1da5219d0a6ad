package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

func TestCheckFormula(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		formula, typ, err string
	}{
		{formula: "overdue_60 / outstanding", typ: app.ColumnNumber},
		{formula: "outstanding > credit_limit", typ: app.ColumnBool},
		{formula: `risk_class == "A" ? "watch" : "ok"`, typ: app.ColumnText},
		{formula: "round(days_to_pay) - payment_delay", typ: app.ColumnNumber},
		{formula: "days_overdue > 60 and disputed == 0", typ: app.ColumnBool},
		{formula: "1 + 2", typ: app.ColumnNumber},
		{formula: "outstanding >", err: "formula: line 1, column 13: unexpected token EOF"},
		{formula: "outstanding + risk_class", err: "formula: line 1, column 13: invalid operation: + (mismatched types float64 and string)"},
		{formula: "overdue /\n  balance_due", err: "formula: line 2, column 3: unknown name balance_due"},
		{formula: `repeat("x", 1000)`, err: "formula: line 1, column 1: unknown name repeat"},
		{formula: "outstanding > 0 ? 1 : \"x\"", err: "formula: line 1, column 1: the result has no single type: want a number, a yes/no or a text"},
		{formula: "nil", err: "formula: line 1, column 1: the result has no single type: want a number, a yes/no or a text"},
		{formula: "  ", err: "formula: required"},
		{formula: "1 % 0", err: "formula: line 1, column 3: integer divide by zero"},
		{formula: strings.Repeat("1+", 240) + "1", err: "formula: line 1, column 202: compilation failed: expression exceeds maximum allowed nodes"},
		{formula: strings.Repeat("1 + ", 130) + "1", err: "formula: 521 characters: at most 500"},
	} {
		t.Run(tc.formula[:min(len(tc.formula), 40)], func(t *testing.T) {
			typ, err := app.CheckFormula(tc.formula)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.typ, typ)
		})
	}
}

// columnsBundle: entity FR01 (Paris); the agent Alice has Alpha and Bravo,
// Bob has Charlie; Delta owes nothing. Dates are relative to today in Paris.
//
//	Alpha   1,000.00 due 10 days ago;  credit limit   500.00
//	Bravo     200.00 not due;          credit limit 1,000.00
//	Charlie 5,000.00 due 70 days ago;  no credit limit
//	Delta   nothing
type columnsBundle struct {
	app                          *app.App
	pool                         *pgxpool.Pool
	admin, manager, alice        domain.Principal
	alpha, bravo, charlie, delta int64
	fr                           int64
}

func setupColumns(t *testing.T) columnsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	fr := f.Entity(t, storetest.Entity{Code: "FR01"})
	f.Entity(t, storetest.Entity{Code: "DE01"})
	aliceID := f.User(t, storetest.User{Email: "alice@example.com", Role: domain.RoleAgent})
	bobID := f.User(t, storetest.User{Email: "bob@example.com", Role: domain.RoleAgent})
	b := columnsBundle{app: app.New(&store.Store{Pool: pool}, nil, nil), pool: pool,
		admin:   domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true},
		manager: domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", AllEntities: true},
		alice:   domain.Principal{UserID: aliceID, Role: domain.RoleAgent, Email: "alice@example.com", AllEntities: true}, fr: fr}
	loc, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	n := time.Now().In(loc)
	today := dunning.NewDate(n.Year(), n.Month(), n.Day())
	eur := func(units int64) *money.Money {
		return &money.Money{Minor: units * 100, Currency: money.MustCurrency("EUR")}
	}
	b.alpha = f.Customer(t, storetest.Customer{Entity: fr, Name: "Alpha", Agent: aliceID, CreditLimit: eur(500)})
	b.bravo = f.Customer(t, storetest.Customer{Entity: fr, Name: "Bravo", Agent: aliceID, CreditLimit: eur(1000)})
	b.charlie = f.Customer(t, storetest.Customer{Entity: fr, Name: "Charlie", Agent: bobID})
	b.delta = f.Customer(t, storetest.Customer{Entity: fr, Name: "Delta", Agent: bobID})
	f.Invoice(t, storetest.Invoice{Customer: b.alpha, DueDate: today.AddDays(-10), Amount: *eur(1000)})
	f.Invoice(t, storetest.Invoice{Customer: b.bravo, DueDate: today.AddDays(5), Amount: *eur(200)})
	f.Invoice(t, storetest.Invoice{Customer: b.charlie, DueDate: today.AddDays(-70), Amount: *eur(5000)})
	return b
}

func (b columnsBundle) save(t *testing.T, name, formula string) store.Column {
	t.Helper()
	k, err := b.app.SaveColumn(context.Background(), b.manager, 0, app.ColumnInput{Name: name, Label: name, Formula: formula})
	require.NoError(t, err)
	return k
}

// names lists the accounts of a list, each with its value of column col.
func names(l app.AccountList, col string) []string {
	out := []string{}
	for _, r := range l.Rows {
		out = append(out, r.Name+"="+r.Values[col].String())
	}
	return out
}

func TestSaveColumn(t *testing.T) {
	t.Parallel()
	b := setupColumns(t)
	ctx := context.Background()

	_, err := b.app.SaveColumn(ctx, b.alice, 0, app.ColumnInput{Name: "x", Label: "X", Formula: "1"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err), "agents do not define columns")

	k := b.save(t, "over_limit", "outstanding > credit_limit")
	require.Equal(t, app.ColumnBool, k.Type, "inferred by the type check")
	require.Equal(t, "cm@example.com", k.CreatedBy)

	for _, tc := range []struct {
		in    app.ColumnInput
		field string
	}{
		{app.ColumnInput{Name: "Over", Label: "x", Formula: "1"}, "name"},
		{app.ColumnInput{Name: "over_limit", Label: "x", Formula: "1"}, "name"},  // taken
		{app.ColumnInput{Name: "outstanding", Label: "x", Formula: "1"}, "name"}, // a figure
		{app.ColumnInput{Name: "sort", Label: "x", Formula: "1"}, "name"},        // a parameter
		{app.ColumnInput{Name: "y", Label: "", Formula: "1"}, "label"},
		{app.ColumnInput{Name: "y", Label: "Y", Formula: "overdue +"}, "formula"},
		{app.ColumnInput{Name: "y", Label: "Y", Formula: "1", Entity: "XX99"}, "entity"},
		{app.ColumnInput{Name: "y", Label: "Y", Formula: "1", Entity: "DE01"}, "entity"}, // not one of the FR01 manager's
	} {
		frManager := domain.Principal{Role: domain.RoleCreditManager, Email: "fr@example.com", EntityIDs: []int64{b.fr}}
		_, err := b.app.SaveColumn(ctx, frManager, 0, tc.in)
		var de *domain.Error
		require.ErrorAs(t, err, &de, "%+v", tc.in)
		require.Equal(t, tc.field, de.Field, "%+v: %v", tc.in, err)
	}

	k, err = b.app.SaveColumn(ctx, b.manager, k.ID, app.ColumnInput{Name: "headroom", Label: "Headroom", Formula: "credit_limit - outstanding"})
	require.NoError(t, err)
	require.Equal(t, app.ColumnNumber, k.Type)
	list, err := b.app.Columns(ctx, b.alice)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "headroom", list[0].Name)

	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(b.app.DeleteColumn(ctx, b.alice, k.ID)))
	require.NoError(t, b.app.DeleteColumn(ctx, b.manager, k.ID))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(b.app.DeleteColumn(ctx, b.manager, k.ID)))

	rows, err := b.pool.Query(ctx, `SELECT action FROM audit_journal WHERE target = $1 ORDER BY id`, fmt.Sprintf("column/%d", k.ID))
	require.NoError(t, err)
	actions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"column.create", "column.update", "column.delete"}, actions)
}

func TestAccountListColumns(t *testing.T) {
	t.Parallel()
	b := setupColumns(t)
	ctx := context.Background()
	b.save(t, "over_limit", "outstanding > credit_limit")
	b.save(t, "late_share", "overdue / outstanding * 100")
	b.save(t, "headroom", "credit_limit - outstanding")
	b.save(t, "by_zero", "outstanding / (overdue - overdue)")
	b.save(t, "huge", "len(1..1000000000) > 0") // past the memory budget: blank, at once
	page := domain.Page{Limit: 50}
	list := func(who domain.Principal, q app.AccountQuery) app.AccountList {
		t.Helper()
		if q.Limit == 0 {
			q.Page = page
		}
		l, err := b.app.AccountList(ctx, who, q)
		require.NoError(t, err)
		return l
	}

	l := list(b.admin, app.AccountQuery{})
	require.Len(t, l.Columns, 5)
	require.Equal(t, []string{"Alpha=", "Bravo=", "Charlie=", "Delta="}, names(l, "huge"))
	// x ÷ 0 is blank too, not ±Inf.
	require.Equal(t, []string{"Alpha=", "Bravo=", "Charlie=", "Delta="}, names(l, "by_zero"))
	// Delta owes nothing: 0 ÷ 0 is blank, not NaN; Charlie has no credit limit: blank.
	require.Equal(t, []string{"Alpha=100.00", "Bravo=0.00", "Charlie=100.00", "Delta="}, names(l, "late_share"))
	require.Equal(t, []string{"Alpha=true", "Bravo=false", "Charlie=", "Delta="}, names(l, "over_limit"))
	require.Equal(t, int64(4), l.Total)
	require.False(t, l.Bounded)
	require.Equal(t, int64(100000), l.Rows[0].Figures.Outstanding())

	t.Run("bool filter", func(t *testing.T) {
		l := list(b.admin, app.AccountQuery{Where: "over_limit"})
		require.Equal(t, []string{"Alpha=true"}, names(l, "over_limit"))
		require.Equal(t, int64(1), l.Total)
	})
	t.Run("sort, blanks last both ways", func(t *testing.T) {
		require.Equal(t, []string{"Alpha=-500.00", "Bravo=800.00", "Charlie=", "Delta="},
			names(list(b.admin, app.AccountQuery{CustomerQuery: app.CustomerQuery{Sort: "headroom"}}), "headroom"))
		require.Equal(t, []string{"Bravo=800.00", "Alpha=-500.00", "Charlie=", "Delta="},
			names(list(b.admin, app.AccountQuery{CustomerQuery: app.CustomerQuery{Sort: "-headroom"}}), "headroom"))
	})
	t.Run("range and page", func(t *testing.T) {
		l := list(b.admin, app.AccountQuery{Min: map[string]string{"late_share": "50"}, CustomerQuery: app.CustomerQuery{Sort: "-name", Page: domain.Page{Limit: 1}}})
		require.Equal(t, []string{"Charlie=100.00"}, names(l, "late_share"))
		require.Equal(t, int64(2), l.Total)
		l = list(b.admin, app.AccountQuery{Max: map[string]string{"late_share": "50"}})
		require.Equal(t, []string{"Bravo=0.00"}, names(l, "late_share"))
	})
	t.Run("an agent sees their portfolio only, through a filter too", func(t *testing.T) {
		require.Equal(t, []string{"Alpha=true", "Bravo=false"}, names(list(b.alice, app.AccountQuery{}), "over_limit"))
		require.Equal(t, []string{"Alpha=100.00"}, names(list(b.alice, app.AccountQuery{Min: map[string]string{"late_share": "1"}}), "late_share"))
	})
	t.Run("refused", func(t *testing.T) {
		for _, q := range []app.AccountQuery{
			{Where: "late_share"}, {Where: "nope"}, {Min: map[string]string{"over_limit": "1"}},
			{Max: map[string]string{"late_share": "ten"}}, {CustomerQuery: app.CustomerQuery{Sort: "nope"}},
		} {
			q.Page = page
			_, err := b.app.AccountList(ctx, b.admin, q)
			require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), "%+v", q)
		}
	})
	t.Run("figures of one account", func(t *testing.T) {
		f, err := b.app.CustomerFigures(ctx, b.alice, b.alpha)
		require.NoError(t, err)
		require.Equal(t, int64(100000), f.Overdue())
		_, err = b.app.CustomerFigures(ctx, b.alice, b.charlie)
		require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	})
}
