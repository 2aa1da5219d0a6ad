package importer

import (
	"fmt"
	"strings"
)

// Kind is what a file holds.
type Kind string

const (
	Entities  Kind = "entities"
	Users     Kind = "users"
	Customers Kind = "customers"
	Invoices  Kind = "invoices"
	Payments  Kind = "payments"
)

// Kinds lists the kinds in the order a first load must follow (each refers to the ones before).
var Kinds = []Kind{Entities, Users, Customers, Invoices, Payments}

// ParseKind accepts one of Kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := specs[k]; ok {
		return k, nil
	}
	return "", fmt.Errorf("kind %q: want one of entities, users, customers, invoices, payments", s)
}

// Columns lists a kind's field names and whether each is required, for documentation and errors.
func Columns(k Kind) (names []string, required []bool) {
	for _, c := range specs[k].columns {
		names = append(names, c.name)
		required = append(required, c.required)
	}
	return names, required
}

// spec says how one kind goes from file to tables: the columns it reads, the
// temporary staging table the rows are copied into, the checks that need the
// database (each moves bad staged rows to the rejections), and the upsert.
type spec struct {
	columns   []column
	stageDDL  string
	stageCols []string
	// parse turns a record into staging values (line first); r.bad is set for a bad row.
	parse  func(r *row) []any
	checks []string
	// upsert writes the staged rows and answers (inserted, updated); when
	// upsertByImport is set, $1 is the import id the rows are recorded under.
	upsert         string
	upsertByImport bool
}

var specs = map[Kind]spec{
	Entities: {
		columns: []column{
			{"code", true}, {"name", true}, {"country", true}, {"currency", true}, {"timezone", true}, {"language", true},
		},
		stageDDL:  `CREATE TEMP TABLE stage (line bigint PRIMARY KEY, code text, name text, country text, currency text, timezone text, language text) ON COMMIT DROP`,
		stageCols: []string{"line", "code", "name", "country", "currency", "timezone", "language"},
		parse: func(r *row) []any {
			return []any{r.rec.line, r.id(0), r.text(1, 200), r.country(2), r.currency(3).Code(), r.timezone(4), r.language(5)}
		},
		checks: []string{checkDuplicateCode},
		upsert: upsertEntities,
	},
	Users: {
		columns:   []column{{"email", true}, {"name", true}, {"role", true}},
		stageDDL:  `CREATE TEMP TABLE stage (line bigint PRIMARY KEY, email text, name text, role text) ON COMMIT DROP`,
		stageCols: []string{"line", "email", "name", "role"},
		parse: func(r *row) []any {
			return []any{r.rec.line, r.email(0), r.text(1, 200),
				r.oneOf(2, roleNames...)}
		},
		checks: []string{checkDuplicateEmail, checkManagedRoles},
		upsert: upsertUsers,
	},
	Customers: {
		columns: []column{
			{"external_id", true}, {"entity", true}, {"name", true}, {"category", false}, {"country", false},
			{"language", false}, {"currency", true}, {"email", false}, {"phone", false}, {"timezone", false},
			{"credit_limit", false}, {"agent_email", false}, {"sales_rep_email", false}, {"risk_class", false},
		},
		stageDDL: `CREATE TEMP TABLE stage (line bigint PRIMARY KEY, external_id text, entity text, name text, category text,
			country text, language text, currency text, email text, phone text, timezone text, credit_limit bigint,
			agent_email text, sales_rep_email text, risk_class text) ON COMMIT DROP`,
		stageCols: []string{"line", "external_id", "entity", "name", "category", "country", "language", "currency",
			"email", "phone", "timezone", "credit_limit", "agent_email", "sales_rep_email", "risk_class"},
		parse: func(r *row) []any {
			cur := r.currency(6)
			var limit any // NULL: no credit limit
			if r.rec.vals[10] != "" {
				limit = r.amount(10, cur)
			}
			return []any{r.rec.line, r.id(0), r.id(1), r.text(2, 300), r.text(3, 100), r.country(4), r.language(5),
				cur.Code(), r.email(7), r.phone(8), r.timezone(9), limit, r.email(11), r.email(12), r.text(13, 50)}
		},
		checks: []string{
			checkDuplicateExternalID,
			checkCustomerEntity,
			checkCustomerUsers,
			checkCustomerCurrencyChange,
		},
		upsert: upsertCustomers,
	},
	Invoices: {
		columns: []column{
			{"external_id", true}, {"customer_external_id", true}, {"number", true}, {"type", true},
			{"issue_date", true}, {"due_date", true}, {"currency", true}, {"amount", true}, {"open_amount", true},
			{"status", false},
		},
		stageDDL: `CREATE TEMP TABLE stage (line bigint PRIMARY KEY, external_id text, customer_external_id text, number text,
			type text, issue_date date, due_date date, currency text, amount bigint, open_amount bigint, written_off boolean) ON COMMIT DROP`,
		stageCols: []string{"line", "external_id", "customer_external_id", "number", "type", "issue_date", "due_date",
			"currency", "amount", "open_amount", "written_off"},
		parse: func(r *row) []any {
			cur := r.currency(6)
			issue, due := r.date(4), r.date(5)
			amount, open := r.amount(7, cur), r.amount(8, cur)
			if r.bad == nil && due.Before(issue) {
				r.fail(5, "due_date %s is before issue_date %s", r.rec.vals[5], r.rec.vals[4])
			}
			if r.bad == nil && open > amount {
				r.fail(8, "open_amount %s is more than amount %s", r.rec.vals[8], r.rec.vals[7])
			}
			// The ERP may only say an invoice is written off; paid/open follow from the open amount,
			// disputed is Recoup's own state.
			status := r.oneOf(9, "open", "paid", "written_off")
			return []any{r.rec.line, r.id(0), r.id(1), r.text(2, 100), r.oneOf(3, "invoice", "credit_note"),
				issue, due, cur.Code(), amount, open, status == "written_off"}
		},
		checks:         []string{checkInvoices},
		upsert:         upsertInvoices,
		upsertByImport: true,
	},
	Payments: {
		columns: []column{
			{"external_id", true}, {"customer_external_id", true}, {"invoice_number", false}, {"date", true},
			{"currency", true}, {"amount", true},
		},
		stageDDL: `CREATE TEMP TABLE stage (line bigint PRIMARY KEY, external_id text, customer_external_id text,
			invoice_number text, received_on date, currency text, amount bigint) ON COMMIT DROP`,
		stageCols: []string{"line", "external_id", "customer_external_id", "invoice_number", "received_on", "currency", "amount"},
		parse: func(r *row) []any {
			cur := r.currency(4)
			amount := r.amount(5, cur)
			if r.bad == nil && amount == 0 {
				r.fail(5, "amount must be more than zero")
			}
			return []any{r.rec.line, r.id(0), r.id(1), r.text(2, 100), r.date(3), cur.Code(), amount}
		},
		checks: []string{
			checkDuplicateExternalID,
			checkUnknownCustomer,
			checkCurrencyMatchesCustomer,
			checkPaymentInvoice,
			checkPaymentChanged,
		},
		upsert:         upsertPayments,
		upsertByImport: true,
	},
}
