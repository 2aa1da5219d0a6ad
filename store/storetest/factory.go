package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// DB is what the factory writes through: a pool, a connection or a transaction.
type DB interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Factory inserts test rows directly, the way the ERP importer would store
// them, so a test states only the fields that matter to it and gets the ids
// back. Fields left zero take the defaults each type documents; ids and
// numbers it makes up are unique within the factory.
//
// It is the importer's twin for tests that need rows, not imports (a test
// compares the two): each invoice and payment is recorded as its own import
// run, as the import that brought it, but nothing is journaled. What the
// importer would reject (a due date before the issue date, an amount in
// another currency than the customer's, more open than invoiced) fails the test.
//
// A Factory is for one test's goroutine, not for concurrent use.
type Factory struct {
	db       DB
	n        int64 // the last number made up
	entity   int64 // the default entity, made on first use
	customer int64 // the default customer, made on first use
}

// NewFactory writes rows through db, usually the pool of NewPool.
func NewFactory(db DB) *Factory { return &Factory{db: db} }

func (f *Factory) next() int64 {
	f.n++
	return f.n
}

// DefaultDueDate is an invoice's due date when neither it nor the issue date is given.
var DefaultDueDate = dunning.NewDate(2026, time.February, 1)

// DefaultReceivedOn is a payment's date when none is given.
var DefaultReceivedOn = dunning.NewDate(2026, time.February, 15)

// Entity is a legal entity of the group. Zero fields default to a French
// entity: code "E<n>", name "Entity <code>", FR, EUR, Europe/Paris, fr.
type Entity struct {
	Code     string
	Name     string
	Country  string
	Currency money.Currency
	TimeZone string
	Language string
}

const insertEntity = `
INSERT INTO entities (code, name, country, currency, timezone, language)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`

// Entity inserts e and returns its id.
func (f *Factory) Entity(t testing.TB, e Entity) int64 {
	t.Helper()
	if e.Code == "" {
		e.Code = fmt.Sprintf("E%d", f.next())
	}
	e.Name = or(e.Name, "Entity "+e.Code)
	e.Country = or(e.Country, "FR")
	if e.Currency.IsZero() {
		e.Currency = money.MustCurrency("EUR")
	}
	e.TimeZone = or(e.TimeZone, "Europe/Paris")
	e.Language = or(e.Language, "fr")
	return f.insert(t, "entity "+e.Code, insertEntity, e.Code, e.Name, e.Country, e.Currency.Code(), e.TimeZone, e.Language)
}

// User is a person of the credit department, as the ERP sends them: no
// password, no perimeter. Zero fields default to email "user<n>@example.com",
// name "User <n>", role agent.
type User struct {
	Email string
	Name  string
	Role  domain.Role
}

const insertUser = `INSERT INTO users (email, name, role) VALUES ($1, $2, $3) RETURNING id`

// User inserts u and returns its id.
func (f *Factory) User(t testing.TB, u User) int64 {
	t.Helper()
	n := f.next()
	u.Email = or(u.Email, fmt.Sprintf("user%d@example.com", n))
	u.Name = or(u.Name, fmt.Sprintf("User %d", n))
	if u.Role == "" {
		u.Role = domain.RoleAgent
	}
	return f.insert(t, "user "+u.Email, insertUser, u.Email, u.Name, string(u.Role))
}

// Customer is an account. Entity is an entity id (zero: the factory's default
// entity, made on first use); Agent and SalesRep are user ids (zero: none).
// Country, Language, TimeZone and Currency default to the entity's, as the
// importer fills them; ExternalID to "C<n>", Name to "Customer <n>"; the
// other fields stay empty. CreditLimit, when set, is in the customer's currency.
type Customer struct {
	Entity      int64
	ExternalID  string
	Name        string
	Category    string
	Country     string
	Language    string
	Currency    money.Currency
	TimeZone    string
	Email       string
	Phone       string
	CreditLimit *money.Money
	RiskClass   string
	Agent       int64
	SalesRep    int64
}

// insertCustomer takes the blanks from the entity, as the importer's upsert does.
const insertCustomer = `
INSERT INTO customers (external_id, entity_id, name, category, country, language, currency, timezone,
                       email, phone, credit_limit_minor, risk_class, agent_id, sales_rep_id)
SELECT $1, e.id, $3, $4, coalesce(nullif($5, ''), e.country), coalesce(nullif($6, ''), e.language),
       $7, coalesce(nullif($8, ''), e.timezone),
       $9, $10, $11, $12, $13, $14
FROM entities e WHERE e.id = $2
RETURNING id`

// Customer inserts c and returns its id.
func (f *Factory) Customer(t testing.TB, c Customer) int64 {
	t.Helper()
	if c.Entity == 0 {
		c.Entity = f.defaultEntity(t)
	}
	n := f.next()
	c.ExternalID = or(c.ExternalID, fmt.Sprintf("C%d", n))
	c.Name = or(c.Name, fmt.Sprintf("Customer %d", n))
	if c.Currency.IsZero() {
		c.Currency = f.currency(t, "customer "+c.ExternalID, entityCurrency, c.Entity)
	}
	var limit *int64
	if c.CreditLimit != nil {
		if c.CreditLimit.Currency != c.Currency {
			t.Fatalf("storetest: customer %s: credit limit in %s, customer in %s", c.ExternalID, c.CreditLimit.Currency, c.Currency)
		}
		limit = &c.CreditLimit.Minor
	}
	return f.insert(t, "customer "+c.ExternalID, insertCustomer, c.ExternalID, c.Entity, c.Name, c.Category,
		c.Country, c.Language, c.Currency.Code(), c.TimeZone, c.Email, c.Phone, limit, c.RiskClass,
		nullID(c.Agent), nullID(c.SalesRep))
}

// Invoice is an invoice or a credit note of a customer (zero: the factory's
// default customer, made on first use). Defaults: ExternalID "I<n>", Number
// "INV-<n>", type invoice, DueDate DefaultDueDate or IssueDate + 30 days,
// IssueDate DueDate - 30 days, Amount 100 units (100.00 EUR, 100 JPY) in the
// customer's currency, which is the only one the importer accepts.
//
// Open is the ERP's open amount; a zero Money (no currency) means all of
// Amount is open, unless Status is paid. Status defaults as the importer
// derives it: paid when nothing is open, else open; written_off and disputed
// may be asked for.
type Invoice struct {
	Customer   int64
	ExternalID string
	Number     string
	Type       domain.InvoiceType
	IssueDate  dunning.Date
	DueDate    dunning.Date
	Amount     money.Money
	Open       money.Money
	Status     domain.InvoiceStatus
}

// insertInvoice records the import run the invoice's ERP open amount came
// from (the reference point for later payments), the account it touched and
// the entity it spoke for, as the importer does.
const insertInvoice = `
WITH run AS (
    INSERT INTO imports (kind, source, finished_at, inserted) VALUES ('invoices', 'storetest', now(), 1) RETURNING id),
inv AS (
    INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency,
                          amount_minor, erp_open_minor, erp_import_id, open_minor, status)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, run.id, $9, $10 FROM run
    RETURNING id, customer_id, erp_import_id),
touched AS (INSERT INTO import_accounts (import_id, customer_id) SELECT erp_import_id, customer_id FROM inv),
spoke AS (INSERT INTO import_entities (import_id, entity_id)
          SELECT inv.erp_import_id, c.entity_id FROM inv JOIN customers c ON c.id = inv.customer_id)
SELECT id FROM inv`

// Invoice inserts in and returns its id.
func (f *Factory) Invoice(t testing.TB, in Invoice) int64 {
	t.Helper()
	if in.Customer == 0 {
		in.Customer = f.defaultCustomer(t)
	}
	n := f.next()
	in.ExternalID = or(in.ExternalID, fmt.Sprintf("I%d", n))
	in.Number = or(in.Number, fmt.Sprintf("INV-%d", n))
	if in.Type == "" {
		in.Type = domain.TypeInvoice
	}
	in.IssueDate, in.DueDate = invoiceDates(in.IssueDate, in.DueDate)
	cur := f.currency(t, "invoice "+in.ExternalID, customerCurrency, in.Customer)
	open, status, err := invoiceAmounts(&in, cur)
	if err != nil {
		t.Fatalf("storetest: invoice %s: %v", in.ExternalID, err)
	}
	return f.insert(t, "invoice "+in.ExternalID, insertInvoice, in.ExternalID, in.Customer, in.Number, string(in.Type),
		in.IssueDate.In(time.UTC), in.DueDate.In(time.UTC), cur.Code(), in.Amount.Minor, open, string(status))
}

// invoiceDates fills the dates not given: 30 days' terms, due DefaultDueDate.
func invoiceDates(issue, due dunning.Date) (dunning.Date, dunning.Date) {
	switch {
	case issue.IsZero() && due.IsZero():
		return DefaultDueDate.AddDays(-30), DefaultDueDate
	case due.IsZero():
		return issue, issue.AddDays(30)
	case issue.IsZero():
		return due.AddDays(-30), due
	}
	return issue, due
}

// invoiceAmounts fills in.Amount and answers the open amount in minor units
// and the status, refusing what the importer would reject.
func invoiceAmounts(in *Invoice, cur money.Currency) (open int64, status domain.InvoiceStatus, err error) {
	if in.DueDate.Before(in.IssueDate) {
		return 0, "", fmt.Errorf("due %s before issue %s", in.DueDate, in.IssueDate)
	}
	if in.Amount == (money.Money{}) {
		in.Amount = units(100, cur)
	}
	if in.Amount.Currency != cur {
		return 0, "", fmt.Errorf("amount in %q, customer in %s", in.Amount.Currency, cur)
	}
	switch {
	case in.Open != (money.Money{}):
		if in.Open.Currency != cur {
			return 0, "", fmt.Errorf("open amount in %q, customer in %s", in.Open.Currency, cur)
		}
		open = in.Open.Minor
	case in.Status == domain.StatusPaid:
		open = 0
	default:
		open = in.Amount.Minor
	}
	if open < 0 || open > in.Amount.Minor {
		return 0, "", fmt.Errorf("open amount %d is not between 0 and the amount %d", open, in.Amount.Minor)
	}
	status = domain.StatusOpen
	if open == 0 {
		status = domain.StatusPaid
	}
	switch in.Status {
	case "":
	case domain.StatusOpen, domain.StatusPaid:
		if in.Status != status {
			return 0, "", fmt.Errorf("status %s with %d open", in.Status, open)
		}
	case domain.StatusDisputed, domain.StatusWrittenOff:
		status = in.Status
	default:
		return 0, "", fmt.Errorf("unknown status %q", in.Status)
	}
	return open, status, nil
}

// units is n whole units of cur.
func units(n int64, cur money.Currency) money.Money {
	for range cur.Exponent() {
		n *= 10
	}
	return money.Money{Minor: n, Currency: cur}
}

// Payment is money received from a customer. Customer defaults to the
// invoice's, else the factory's default customer; Invoice, when set, is the
// invoice it pays (an invoice of that customer, not a credit note). Defaults:
// ExternalID "P<n>", ReceivedOn DefaultReceivedOn, Amount what is open on the
// invoice. As the importer does, it goes to the invoice up to what is open
// there, the rest stays unallocated, and the invoice is paid when nothing is
// left open.
type Payment struct {
	Customer   int64
	Invoice    int64
	ExternalID string
	ReceivedOn dunning.Date
	Amount     money.Money
}

const invoiceToPay = `
SELECT customer_id, number, open_minor FROM invoices
WHERE id = $1 AND type = 'invoice' AND customer_id = coalesce(nullif($2::bigint, 0), customer_id)`

// insertPayment allocates $7 to invoice $8 (none when NULL), as the importer does.
const insertPayment = `
WITH run AS (
    INSERT INTO imports (kind, source, finished_at, inserted) VALUES ('payments', 'storetest', now(), 1) RETURNING id),
p AS (
    INSERT INTO payments (external_id, customer_id, invoice_number, received_on, currency, amount_minor,
                          unallocated_minor, import_id)
    SELECT $1, $2, $3, $4, $5, $6::bigint, $6::bigint - $7::bigint, run.id FROM run
    RETURNING id, customer_id, import_id),
allocated AS (
    INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor, import_id)
    SELECT p.id, $8, $7, p.import_id FROM p WHERE $7 > 0),
paid AS (
    UPDATE invoices i SET
        open_minor = i.open_minor - $7,
        status = CASE WHEN i.open_minor - $7 = 0 AND i.status <> 'written_off' THEN 'paid' ELSE i.status END,
        updated_at = now()
    WHERE i.id = $8 AND $7 > 0),
touched AS (INSERT INTO import_accounts (import_id, customer_id) SELECT import_id, customer_id FROM p),
spoke AS (INSERT INTO import_entities (import_id, entity_id)
          SELECT p.import_id, c.entity_id FROM p JOIN customers c ON c.id = p.customer_id)
SELECT id FROM p`

// Payment inserts p, allocates it and returns its id.
func (f *Factory) Payment(t testing.TB, p Payment) int64 {
	t.Helper()
	p.ExternalID = or(p.ExternalID, fmt.Sprintf("P%d", f.next()))
	if p.ReceivedOn.IsZero() {
		p.ReceivedOn = DefaultReceivedOn
	}
	var number string
	var open int64
	switch {
	case p.Invoice != 0:
		err := f.db.QueryRow(t.Context(), invoiceToPay, p.Invoice, p.Customer).Scan(&p.Customer, &number, &open)
		if err != nil {
			t.Fatalf("storetest: payment %s: invoice %d (of customer %d): %v", p.ExternalID, p.Invoice, p.Customer, err)
		}
	case p.Customer == 0:
		p.Customer = f.defaultCustomer(t)
	}
	cur := f.currency(t, "payment "+p.ExternalID, customerCurrency, p.Customer)
	if p.Amount == (money.Money{}) {
		if p.Invoice == 0 {
			t.Fatalf("storetest: payment %s: an amount, or an invoice to pay", p.ExternalID)
		}
		p.Amount = money.Money{Minor: open, Currency: cur}
	}
	if p.Amount.Currency != cur {
		t.Fatalf("storetest: payment %s: in %q, customer in %s", p.ExternalID, p.Amount.Currency, cur)
	}
	allocated := min(p.Amount.Minor, open)
	return f.insert(t, "payment "+p.ExternalID, insertPayment, p.ExternalID, p.Customer, number,
		p.ReceivedOn.In(time.UTC), cur.Code(), p.Amount.Minor, allocated, nullID(p.Invoice))
}

func (f *Factory) defaultEntity(t testing.TB) int64 {
	t.Helper()
	if f.entity == 0 {
		f.entity = f.Entity(t, Entity{})
	}
	return f.entity
}

func (f *Factory) defaultCustomer(t testing.TB) int64 {
	t.Helper()
	if f.customer == 0 {
		f.customer = f.Customer(t, Customer{})
	}
	return f.customer
}

const (
	entityCurrency   = `SELECT currency FROM entities WHERE id = $1`
	customerCurrency = `SELECT currency FROM customers WHERE id = $1`
)

// currency reads the currency of the entity or customer id.
func (f *Factory) currency(t testing.TB, what, sql string, id int64) money.Currency {
	t.Helper()
	var code string
	if err := f.db.QueryRow(t.Context(), sql, id).Scan(&code); err != nil {
		t.Fatalf("storetest: %s: currency of %d: %v", what, id, err)
	}
	return money.MustCurrency(code)
}

// insert runs an INSERT … RETURNING id.
func (f *Factory) insert(t testing.TB, what, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.db.QueryRow(t.Context(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("storetest: %s: %v", what, err)
	}
	return id
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// nullID is NULL for a zero id.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
