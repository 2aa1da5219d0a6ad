package app

import (
	"context"
	"slices"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// CustomerQuery filters and sorts the customer list; sort is one of
// store.CustomerSorts (name, external_id, id, balance, overdue, days_overdue,
// last_contact), with a leading - for descending. Overdue and OnHold, when
// set, keep the customers that are (true) or are not (false).
type CustomerQuery struct {
	Entity, Agent, Category, Search, Sort string
	Overdue, OnHold                       *bool
	domain.Page
}

// Customers lists the customers inside who's perimeter, with how many match in all.
func (a *App) Customers(ctx context.Context, who domain.Principal, q CustomerQuery) ([]domain.Customer, int64, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return nil, 0, err
	}
	f := store.CustomerFilter{EntityCode: q.Entity, AgentEmail: q.Agent, Category: q.Category, Search: q.Search,
		Overdue: q.Overdue, OnHold: q.OnHold, Sort: store.SortByName, Page: q.Page}
	if v := q.Sort; v != "" {
		if v[0] == '-' {
			f.Desc, v = true, v[1:]
		}
		key := store.CustomerSort(v)
		if !slices.Contains(store.CustomerSorts, key) {
			return nil, 0, domain.FieldError("sort", "%q: want one of %s, with a leading - for descending", q.Sort, sortNames())
		}
		f.Sort = key
	}
	return a.store.ListCustomers(ctx, perimeter(who), f)
}

func sortNames() string {
	names := make([]string, len(store.CustomerSorts))
	for i, k := range store.CustomerSorts {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// Customer is one customer with its open items.
func (a *App) Customer(ctx context.Context, who domain.Principal, id int64) (domain.CustomerDetail, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return domain.CustomerDetail{}, err
	}
	return a.store.GetCustomer(ctx, perimeter(who), id)
}

// InvoiceQuery filters the invoice list; status is open, paid, disputed or written_off.
type InvoiceQuery struct {
	CustomerID *int64
	Status     string
	Overdue    *bool
	domain.Page
}

// Invoices lists the invoices of customers inside who's perimeter.
func (a *App) Invoices(ctx context.Context, who domain.Principal, q InvoiceQuery) (store.InvoicePage, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return store.InvoicePage{}, err
	}
	f := store.InvoiceFilter{CustomerID: q.CustomerID, Overdue: q.Overdue, Page: q.Page}
	if q.Status != "" {
		st, err := domain.ParseInvoiceStatus(q.Status)
		if err != nil {
			return store.InvoicePage{}, err
		}
		f.Status = &st
	}
	return a.store.ListInvoices(ctx, perimeter(who), f)
}

// visibleCustomer checks who may do action on customer id: not found outside the perimeter.
func (a *App) visibleCustomer(ctx context.Context, who domain.Principal, action auth.Action, id int64) error {
	if err := allow(who, action); err != nil {
		return err
	}
	return a.store.CheckCustomer(ctx, perimeter(who), id)
}

// TotalsByEntity is what the customers inside who's perimeter owe, by entity
// and currency: the home page's panel (an agent's portfolio, a manager's entities).
func (a *App) TotalsByEntity(ctx context.Context, who domain.Principal) ([]store.EntityTotals, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return nil, err
	}
	return a.store.TotalsByEntity(ctx, perimeter(who))
}
