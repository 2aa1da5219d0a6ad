package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/money"
)

// CustomerSort is a key customers can be listed by.
type CustomerSort string

const (
	SortByName       CustomerSort = "name"
	SortByExternalID CustomerSort = "external_id"
	SortByID         CustomerSort = "id"
	SortByBalance    CustomerSort = "balance"
	SortByOverdue    CustomerSort = "overdue"      // the amount past due
	SortByDays       CustomerSort = "days_overdue" // how late the oldest open invoice is
	SortByContact    CustomerSort = "last_contact" // the last message sent; never contacted sorts as oldest
)

// CustomerSorts lists the keys customers can be sorted by.
var CustomerSorts = []CustomerSort{SortByName, SortByExternalID, SortByID, SortByBalance, SortByOverdue, SortByDays, SortByContact}

// CustomerFilter narrows a customer list; empty fields do not filter.
type CustomerFilter struct {
	EntityCode string
	AgentEmail string
	Category   string
	Search     string // part of the name, or an exact external id
	Overdue    *bool  // has an open invoice past due (in the customer's time zone)
	OnHold     *bool
	Sort       CustomerSort
	Desc       bool
	domain.Page
}

// InvoiceFilter narrows an invoice list; nil fields do not filter.
type InvoiceFilter struct {
	CustomerID *int64
	Status     *domain.InvoiceStatus
	Overdue    *bool
	domain.Page
}

// MaxOpenItems bounds the open items returned with one customer.
const MaxOpenItems = 200

// ListCustomers returns one page of the customers inside per and how many match in all.
func (s *Store) ListCustomers(ctx context.Context, per Perimeter, f CustomerFilter) ([]domain.Customer, int64, error) {
	if f.Sort == SortByOverdue {
		if _, err := s.Pool.Exec(ctx, refreshStaleTotals); err != nil {
			return nil, 0, err
		}
	}
	args := per.args(pgx.NamedArgs{
		"entity": nullable(f.EntityCode), "agent": nullable(f.AgentEmail), "category": nullable(f.Category),
		"search": nullable(f.Search), "overdue": f.Overdue, "on_hold": f.OnHold, "sort": string(f.Sort), "desc": f.Desc,
		"limit": f.Limit, "offset": f.Offset, "id": nil,
	})
	count := countCustomers
	if f.Overdue != nil {
		count = countCustomersRows
	}
	var total int64
	if err := s.Pool.QueryRow(ctx, count, args).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 || int64(f.Offset) >= total {
		return []domain.Customer{}, total, nil
	}
	var list []domain.Customer
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// A page walks an index and stops after its rows; parallel workers
		// would read ahead through the whole index (a search then takes 10x).
		if _, err := tx.Exec(ctx, noParallelScan); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, listCustomers, args)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Customer, error) { return scanCustomer(r) })
		return err
	})
	return list, total, err
}

const noParallelScan = `SET LOCAL max_parallel_workers_per_gather = 0`

// GetCustomer returns one customer with its open items; domain CodeNotFound if
// there is none inside per (what the caller may not see does not exist for them).
func (s *Store) GetCustomer(ctx context.Context, per Perimeter, id int64) (domain.CustomerDetail, error) {
	var d domain.CustomerDetail
	c, err := scanCustomer(s.Pool.QueryRow(ctx, listCustomers, per.args(pgx.NamedArgs{
		"entity": nil, "agent": nil, "category": nil, "search": nil, "overdue": nil, "on_hold": nil,
		"sort": string(SortByID), "desc": false, "limit": 1, "offset": 0, "id": id,
	})))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, customerNotFound(id)
	}
	if err != nil {
		return d, err
	}
	d.Customer = c
	rows, err := s.Pool.Query(ctx, listOpenItems, id, MaxOpenItems)
	if err != nil {
		return d, err
	}
	var total int64
	d.OpenItems, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Invoice, error) {
		return scanInvoice(r, &total)
	})
	d.OpenItemsTruncated = total > int64(len(d.OpenItems))
	return d, err
}

func customerNotFound(id int64) error {
	return domain.Errorf(domain.CodeNotFound, "customer %d not found", id)
}

// CheckCustomer answers domain CodeNotFound unless customer id exists inside per.
func (s *Store) CheckCustomer(ctx context.Context, per Perimeter, id int64) error {
	var ok bool
	if err := s.Pool.QueryRow(ctx, customerVisible, per.args(pgx.NamedArgs{"id": id})).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return customerNotFound(id)
	}
	return nil
}

// InvoicePage is one page of an invoice list and how many invoices match.
type InvoicePage struct {
	Items []domain.Invoice
	// Total is exact when TotalExact; otherwise at least this many match
	// (counting stops InvoiceCountAhead invoices past the page).
	Total      int64
	TotalExact bool
}

// InvoiceCountAhead is how far past the end of a page an invoice list counts
// the matches: enough to page ahead, without counting a million rows for
// every page (see countInvoices).
const InvoiceCountAhead = 10_000

// ListInvoices returns one page of the invoices of customers inside per, oldest due first, and how many match.
func (s *Store) ListInvoices(ctx context.Context, per Perimeter, f InvoiceFilter) (InvoicePage, error) {
	var status *string
	if f.Status != nil {
		st := string(*f.Status)
		status = &st
	}
	capAt := int64(f.Offset) + int64(f.Limit) + InvoiceCountAhead
	args := per.args(pgx.NamedArgs{
		"customer": f.CustomerID, "status": status, "overdue": f.Overdue, "limit": f.Limit, "offset": f.Offset, "cap": capAt,
	})
	list, count := listInvoicesChecked, countInvoicesChecked
	if f.Overdue == nil && per.everyone() {
		list, count = listInvoices, countInvoices // no customer row to read
	}
	// Planned with the values (QueryExecModeExec, an unnamed statement),
	// never with a cached generic plan: the "@x IS NULL OR" filters only
	// fold away, and the partial and covering indexes only apply, when the
	// planner sees the actual arguments.
	rows, err := s.Pool.Query(ctx, list, pgx.QueryExecModeExec, args)
	if err != nil {
		return InvoicePage{}, err
	}
	p := InvoicePage{}
	if p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Invoice, error) {
		return scanInvoice(r)
	}); err != nil {
		return p, err
	}
	if err := s.Pool.QueryRow(ctx, count, pgx.QueryExecModeExec, args).Scan(&p.Total); err != nil {
		return p, err
	}
	p.TotalExact = p.Total < capAt
	return p, nil
}

// Counts summarizes what the database holds.
func (s *Store) Counts(ctx context.Context) (domain.Counts, error) {
	var c domain.Counts
	err := s.Pool.QueryRow(ctx, countTables).Scan(&c.Entities, &c.Customers, &c.Invoices, &c.OpenInvoices, &c.Payments)
	return c, err
}

func scanCustomer(r pgx.Row) (domain.Customer, error) {
	var c domain.Customer
	var cur string
	var limit, orders *int64
	var balance, overdue int64
	err := r.Scan(&c.ID, &c.ExternalID, &c.EntityCode, &c.Name, &c.Category, &c.Country, &c.Language, &cur, &c.TimeZone,
		&c.Email, &c.Phone, &limit, &c.RiskClass, &c.RegistrationNumber, &c.VATNumber, &orders, &c.AgentEmail, &c.SalesRep, &balance, &overdue, &c.OpenInvoices, &c.OnHold, &c.DaysOverdue, &c.LastContact)
	if err != nil {
		return c, err
	}
	if c.Currency, err = money.ParseCurrency(cur); err != nil {
		return c, fmt.Errorf("customer %d: %w", c.ID, err)
	}
	c.Balance = money.Money{Minor: balance, Currency: c.Currency}
	c.Overdue = money.Money{Minor: overdue, Currency: c.Currency}
	if limit != nil {
		c.CreditLimit = &money.Money{Minor: *limit, Currency: c.Currency}
	}
	if orders != nil {
		c.OpenOrders = &money.Money{Minor: *orders, Currency: c.Currency}
	}
	return c, nil
}

// scanInvoice reads invoiceColumns, then more (a query's extra columns).
func scanInvoice(r pgx.Row, more ...any) (domain.Invoice, error) {
	var i domain.Invoice
	var cur, typ, status string
	var amount, open int64
	err := r.Scan(append([]any{&i.ID, &i.ExternalID, &i.CustomerID, &i.CustomerExternalID, &i.Number, &typ, &i.IssueDate,
		&i.DueDate, &cur, &amount, &open, &status, &i.DaysOverdue, &i.InProceedings}, more...)...)
	if err != nil {
		return i, err
	}
	c, err := money.ParseCurrency(cur)
	if err != nil {
		return i, fmt.Errorf("invoice %d: %w", i.ID, err)
	}
	i.Type, i.Status = domain.InvoiceType(typ), domain.InvoiceStatus(status)
	i.Amount = money.Money{Minor: amount, Currency: c}
	i.Open = money.Money{Minor: open, Currency: c}
	return i, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const (
	findAgent    = `SELECT id FROM users WHERE email = $1`
	currentAgent = `SELECT coalesce(a.email, '') FROM customers c LEFT JOIN users a ON a.id = c.agent_id WHERE c.id = $1`
	setAgent     = `UPDATE customers SET agent_id = $2, updated_at = now() WHERE id = $1`
)

// ReassignAgent gives the customer to another agent and journals it. Giving
// it to the agent it has does nothing: an activity retried after its write
// committed journals no second move.
func (s *Store) ReassignAgent(ctx context.Context, customerID int64, agentEmail, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before string
		if err := tx.QueryRow(ctx, currentAgent, customerID).Scan(&before); errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
		} else if err != nil {
			return err
		}
		if before == agentEmail {
			return nil
		}
		var agentID int64
		if err := tx.QueryRow(ctx, findAgent, agentEmail).Scan(&agentID); errors.Is(err, pgx.ErrNoRows) {
			return domain.FieldError("agent_email", "no user %s", agentEmail)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, setAgent, customerID, agentID); err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]string{"agent_email": before})
		a, _ := json.Marshal(map[string]string{"agent_email": agentEmail})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.reassign", Target: fmt.Sprintf("customer/%d", customerID), Before: b, After: a})
	})
}

const userExists = `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`

// UserExists says whether a user has this (lower-case) email.
func (s *Store) UserExists(ctx context.Context, email string) (bool, error) {
	var ok bool
	err := s.Pool.QueryRow(ctx, userExists, email).Scan(&ok)
	return ok, err
}
