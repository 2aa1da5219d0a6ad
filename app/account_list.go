package app

import (
	"cmp"
	"context"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// MaxColumnScan bounds the accounts a sort or a filter by a user-defined
// column evaluates, and the rows of an export: the first MaxColumnScan
// accounts of the perimeter that the other filters keep, in the list's
// order (by name unless a built-in sort is asked). AccountList.Bounded says
// when there were more.
const MaxColumnScan = 10_000

// AccountQuery is CustomerQuery plus the user-defined columns: Sort may name
// a column (with a leading - for descending); Where names a yes/no column
// (keep the accounts where it is true); Min and Max, by number column, keep
// the accounts whose value is at least / at most a decimal. An account whose
// value is blank never passes a filter and sorts last either way.
type AccountQuery struct {
	CustomerQuery
	Where    string
	Min, Max map[string]string
}

// AccountRow is one account of the list with its figures and its columns' values.
type AccountRow struct {
	domain.Customer
	Figures store.AccountFigures
	Values  map[string]ColumnValue // by column name
}

// AccountList is a page of accounts (all of them, up to MaxColumnScan, for
// an export) with the user-defined columns who sees.
type AccountList struct {
	Columns []store.Column
	Rows    []AccountRow
	Total   int64
	Bounded bool // a column sort or filter, or the export, met more than MaxColumnScan accounts
}

// AccountList is one page of the accounts list: the customers inside who's
// perimeter with their figures and user-defined columns.
func (a *App) AccountList(ctx context.Context, who domain.Principal, q AccountQuery) (AccountList, error) {
	return a.accountList(ctx, who, q, false)
}

// AccountExport is the accounts list as AccountList filters and sorts it,
// every row (up to MaxColumnScan) rather than a page.
func (a *App) AccountExport(ctx context.Context, who domain.Principal, q AccountQuery) (AccountList, error) {
	return a.accountList(ctx, who, q, true)
}

// columnSort is a parsed sort: a built-in key, a computed figure, or a column.
type columnSort struct {
	builtin store.CustomerSort
	figure  func(store.AccountFigures) *big.Rat
	column  *liveColumn
	desc    bool
}

// scannedFigures are the per-account figures the list sorts and filters by
// (sort=limit_use, limit_use_min=80) though the database does not keep them:
// computed exactly over the scanned accounts, as a column is.
var scannedFigures = map[string]func(store.AccountFigures) *big.Rat{
	"limit_use": store.AccountFigures.LimitUse,
}

func (a *App) accountList(ctx context.Context, who domain.Principal, q AccountQuery, all bool) (AccountList, error) {
	var out AccountList
	if err := allow(who, auth.AccountsRead); err != nil {
		return out, err
	}
	saved, err := a.Columns(ctx, who)
	if err != nil {
		return out, err
	}
	cols, err := compileColumns(saved)
	if err != nil {
		return out, err
	}
	out.Columns = saved
	byName := map[string]*liveColumn{}
	for i := range cols {
		byName[cols[i].Name] = &cols[i]
	}
	s, err := parseAccountSort(q.Sort, byName)
	if err != nil {
		return out, err
	}
	keep, err := columnFilters(q, byName)
	if err != nil {
		return out, err
	}
	byColumn := s.column != nil || s.figure != nil
	f := store.CustomerFilter{EntityCode: q.Entity, AgentEmail: q.Agent, Category: q.Category, Search: q.Search,
		Overdue: q.Overdue, OnHold: q.OnHold, Sort: s.builtin, Desc: s.desc && !byColumn, Page: q.Page}
	scan := all || byColumn || keep != nil
	if scan {
		f.Page = domain.Page{Limit: MaxColumnScan + 1}
	}
	per := perimeter(who)
	list, total, err := a.store.ListCustomers(ctx, per, f)
	if err != nil {
		return out, err
	}
	if scan && len(list) > MaxColumnScan {
		list, out.Bounded = list[:MaxColumnScan], true
	}
	if out.Rows, err = a.accountRows(ctx, per, list, cols); err != nil {
		return out, err
	}
	out.Total = total
	if !scan {
		return out, nil
	}
	if keep != nil {
		out.Rows = slices.DeleteFunc(out.Rows, func(r AccountRow) bool { return !keep(r) })
	}
	if s.column != nil {
		name := s.column.Name
		slices.SortStableFunc(out.Rows, func(x, y AccountRow) int { return compareValues(x.Values[name], y.Values[name], s.desc) })
	}
	if s.figure != nil { // each account's figure once, not at every comparison
		keys := make(map[int64]*big.Rat, len(out.Rows))
		for _, r := range out.Rows {
			keys[r.ID] = s.figure(r.Figures)
		}
		slices.SortStableFunc(out.Rows, func(x, y AccountRow) int { return compareRats(keys[x.ID], keys[y.ID], s.desc) })
	}
	if keep != nil {
		out.Total = int64(len(out.Rows))
	}
	if !all {
		lo := min(q.Offset, len(out.Rows))
		out.Rows = out.Rows[lo:min(lo+q.Limit, len(out.Rows))]
	}
	return out, nil
}

// accountRows adds each customer's figures and column values.
func (a *App) accountRows(ctx context.Context, per store.Perimeter, list []domain.Customer, cols []liveColumn) ([]AccountRow, error) {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	now := time.Now()
	figs, err := a.store.AccountFigures(ctx, per, ids, now)
	if err != nil {
		return nil, err
	}
	rows := make([]AccountRow, 0, len(list))
	for _, c := range list {
		f, ok := figs[c.ID]
		if !ok {
			continue // left the perimeter between the two reads
		}
		rows = append(rows, AccountRow{Customer: c, Figures: f, Values: columnValues(cols, f, now)})
	}
	return rows, nil
}

func parseAccountSort(v string, cols map[string]*liveColumn) (columnSort, error) {
	s := columnSort{builtin: store.SortByName}
	if v == "" {
		return s, nil
	}
	key := v
	if key[0] == '-' {
		s.desc, key = true, key[1:]
	}
	if slices.Contains(store.CustomerSorts, store.CustomerSort(key)) {
		s.builtin = store.CustomerSort(key)
		return s, nil
	}
	if fig, ok := scannedFigures[key]; ok {
		s.figure = fig
		return s, nil
	}
	if k, ok := cols[key]; ok {
		s.column = k
		return s, nil
	}
	return s, domain.FieldError("sort", "%q: want one of %s, limit_use or a column's name, with a leading - for descending", v, sortNames())
}

// columnFilters is the test of q's column filters; nil when it has none.
func columnFilters(q AccountQuery, cols map[string]*liveColumn) (func(AccountRow) bool, error) {
	var tests []func(AccountRow) bool
	if q.Where != "" {
		k, ok := cols[q.Where]
		if !ok || k.typ != ColumnBool {
			return nil, domain.FieldError("where", "%q: want the name of a yes/no column", q.Where)
		}
		tests = append(tests, func(r AccountRow) bool { v := r.Values[k.Name]; return !v.Null && v.Bool })
	}
	for _, b := range []struct {
		suffix string
		set    map[string]string
		pass   func(v, limit float64) bool
	}{
		{"_min", q.Min, func(v, limit float64) bool { return v >= limit }},
		{"_max", q.Max, func(v, limit float64) bool { return v <= limit }},
	} {
		for name, raw := range b.set {
			if fig, ok := scannedFigures[name]; ok {
				limit, ok := new(big.Rat).SetString(strings.TrimSpace(raw))
				if !ok {
					return nil, domain.FieldError(name+b.suffix, "%q: want a decimal number", raw)
				}
				pass := b.pass
				tests = append(tests, func(r AccountRow) bool {
					v := fig(r.Figures)
					// v ≥ limit ⇔ cmp ≥ 0: the bound's own test, exact.
					return v != nil && pass(float64(v.Cmp(limit)), 0)
				})
				continue
			}
			k, ok := cols[name]
			if !ok || k.typ != ColumnNumber {
				return nil, domain.FieldError(name+b.suffix, "%q is not a number column", name)
			}
			limit, err := strconv.ParseFloat(raw, 64)
			if err != nil || math.IsNaN(limit) || math.IsInf(limit, 0) {
				return nil, domain.FieldError(name+b.suffix, "%q: want a decimal number", raw)
			}
			pass := b.pass
			tests = append(tests, func(r AccountRow) bool { v := r.Values[k.Name]; return !v.Null && pass(v.Number, limit) })
		}
	}
	if tests == nil {
		return nil, nil
	}
	return func(r AccountRow) bool {
		for _, t := range tests {
			if !t(r) {
				return false
			}
		}
		return true
	}, nil
}

// compareRats orders two exact figures; nil (blank) goes last in both directions.
func compareRats(x, y *big.Rat, desc bool) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	if desc {
		return y.Cmp(x)
	}
	return x.Cmp(y)
}

// compareValues orders two values of one column; blanks go last in both directions.
func compareValues(x, y ColumnValue, desc bool) int {
	switch {
	case x.Null && y.Null:
		return 0
	case x.Null:
		return 1
	case y.Null:
		return -1
	}
	var c int
	switch x.Type {
	case ColumnNumber:
		c = cmp.Compare(x.Number, y.Number)
	case ColumnBool:
		c = cmp.Compare(b2i(x.Bool), b2i(y.Bool))
	default:
		c = cmp.Compare(x.Text, y.Text)
	}
	if desc {
		return -c
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CustomerFigures are one customer's per-account figures (the account page,
// the customer's JSON); not found outside who's perimeter.
func (a *App) CustomerFigures(ctx context.Context, who domain.Principal, id int64) (store.AccountFigures, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return store.AccountFigures{}, err
	}
	per := perimeter(who)
	figs, err := a.store.AccountFigures(ctx, per, []int64{id}, time.Now())
	if err != nil {
		return store.AccountFigures{}, err
	}
	f, ok := figs[id]
	if !ok {
		return f, domain.Errorf(domain.CodeNotFound, "customer %d not found", id)
	}
	return f, nil
}
