package importer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/risk"
)

// Kind is what a file holds.
type Kind string

const (
	Entities  Kind = "entities"
	Users     Kind = "users"
	Customers Kind = "customers"
	Invoices  Kind = "invoices"
	Payments  Kind = "payments"
	// ExchangeRates are dated rates between two currencies, for reporting in one currency.
	ExchangeRates Kind = "exchange_rates"
	// Holidays are public holidays added to the built-in calendars, for a
	// country or for one entity's customers.
	Holidays Kind = "holidays"
	// Documents are the invoices' PDFs: each row names an invoice already
	// imported and gives the file, base64-encoded. All or nothing: one bad row
	// and no document of the file is stored.
	Documents Kind = "documents"
	// Risk are observations of customers by credit risk providers (README "Signals in").
	Risk Kind = "risk"
)

// Kinds lists the kinds in the order a first load must follow (each refers to the ones before).
var Kinds = []Kind{Entities, Users, Customers, Invoices, Payments, ExchangeRates, Holidays}

// Feeds are the kinds that are not part of a first load and come at any
// time: the invoices' PDFs, a risk provider's observations.
var Feeds = []Kind{Documents, Risk}

// ParseKind accepts one of Kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := specs[k]; ok {
		return k, nil
	}
	var names []string
	for _, k := range append(slices.Clone(Kinds), Feeds...) {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("kind %q: want one of %s", s, strings.Join(names, ", "))
}

// Columns lists a kind's field names and whether each is required, for documentation and errors.
func Columns(k Kind) (names []string, required []bool) {
	sp, ok := specs[k]
	if !ok {
		return nil, nil
	}
	for _, c := range sp.columns {
		names = append(names, c.name)
		required = append(required, c.required)
	}
	return names, required
}

// spec says how one kind goes from file to tables: its columns, declared
// once, from which the header check, the staging table and the parsing
// follow; the checks that need the database (each moves bad staged rows to
// the rejections); and the upsert.
type spec struct {
	// columns in the order rows are parsed; the first names the row in its
	// rejections (its external id or code).
	columns []column
	checks  []string
	// upsert writes the staged rows and answers (inserted, updated); when
	// upsertArg is set, $1 is what it answers.
	upsert    string
	upsertArg func(im *Importer, importID int64) any
	// allOrNothing: one rejected row and nothing of the file is written (its
	// rejections are the answer); else the good rows land.
	allOrNothing bool
	// write, when set, writes the staged rows instead of upsert: a kind
	// whose rows go through a store function shared with another input.
	write func(ctx context.Context, tx pgx.Tx, importID int64) (inserted, updated int64, err error)

	// Derived from columns once, at package init.
	stageDDL  string         // CREATE TEMP TABLE stage (line, then one column per field)
	stageCols []string       // the COPY column list, in the same order
	index     map[string]int // column name -> position
}

// byImport is the upsertArg of the kinds whose rows are recorded under the
// import id.
func byImport(_ *Importer, importID int64) any { return importID }

var specs = build(map[Kind]*spec{
	Entities: {
		columns: []column{
			{name: "code", required: true, parse: identifier},
			{name: "name", required: true, parse: text(200)},
			{name: "country", required: true, parse: countryCode},
			{name: "currency", required: true, parse: currencyCode},
			{name: "timezone", required: true, parse: timeZone},
			{name: "language", required: true, parse: languageTag},
		},
		checks: []string{checkDuplicateCode},
		upsert: upsertEntities,
		// $1: the sending mode of the entities it creates
		upsertArg: func(im *Importer, _ int64) any { return im.newEntitySending() },
	},
	Users: {
		columns: []column{
			{name: "email", required: true, parse: emailAddress},
			{name: "name", required: true, parse: text(200)},
			{name: "role", required: true, parse: oneOf(domain.RoleNames()...)},
		},
		checks: []string{checkDuplicateEmail, checkManagedRoles},
		upsert: upsertUsers,
	},
	Customers: {
		columns: []column{
			{name: "external_id", required: true, parse: identifier},
			{name: "entity", required: true, parse: identifier},
			{name: "name", required: true, parse: text(300)},
			{name: "category", parse: text(100)},
			{name: "country", parse: countryCode},
			{name: "language", parse: languageTag},
			{name: "currency", required: true, parse: currencyCode},
			{name: "email", parse: emailAddress},
			{name: "phone", parse: phoneNumber},
			{name: "timezone", parse: timeZone},
			{name: "credit_limit", parse: amountIn("currency")}, // empty: no credit limit
			{name: "agent_email", parse: emailAddress},
			{name: "sales_rep_email", parse: emailAddress},
			{name: "risk_class", parse: text(50)},
			// Consent to texts and calls: true, false or empty (unknown). An
			// empty cell keeps what an earlier import recorded.
			{name: "sms_consent", parse: consent},
			{name: "voice_consent", parse: consent},
			// The numbers risk providers know the customer by, normalised as
			// signals' are (risk.NormaliseCompanyID), and what the customer has
			// on order, not yet invoiced (empty: unknown), for the use of the
			// credit limit.
			{name: "registration_number", parse: companyNumber(risk.IDRegistration)},
			{name: "vat_number", parse: companyNumber(risk.IDVAT)},
			{name: "open_orders", parse: amountIn("currency")},
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
			{name: "external_id", required: true, parse: identifier},
			{name: "customer_external_id", required: true, parse: identifier},
			{name: "number", required: true, parse: text(100)},
			{name: "type", required: true, parse: oneOf("invoice", "credit_note")},
			{name: "issue_date", required: true, parse: date},
			{name: "due_date", required: true, parse: dateNotBefore("issue_date")},
			{name: "currency", required: true, parse: currencyCode},
			{name: "amount", required: true, parse: amountIn("currency")},
			{name: "open_amount", required: true, parse: amountAtMost("currency", "amount")},
			// The ERP may only say an invoice is written off; paid/open follow from the open amount,
			// disputed is Recoup's own state.
			{name: "status", parse: flag("written_off", "open", "paid", "written_off"), stage: "written_off"},
		},
		checks:    []string{recordImportEntities, checkInvoices},
		upsert:    upsertInvoices,
		upsertArg: byImport,
	},
	Payments: {
		columns: []column{
			{name: "external_id", required: true, parse: identifier},
			{name: "customer_external_id", required: true, parse: identifier},
			{name: "invoice_number", parse: text(100)},
			{name: "date", required: true, parse: date, stage: "received_on"},
			{name: "currency", required: true, parse: currencyCode},
			{name: "amount", required: true, parse: positiveAmountIn("currency")},
		},
		checks: []string{
			recordImportEntities,
			checkDuplicateExternalID,
			checkUnknownCustomer,
			checkCurrencyMatchesCustomer,
			checkPaymentInvoice,
			checkPaymentChanged,
		},
		upsert:    upsertPayments,
		upsertArg: byImport,
	},
	// One rate per date and pair: 1 from = rate to. The rate is an exact
	// decimal, staged as its text and stored as numeric, never a float.
	ExchangeRates: {
		columns: []column{
			{name: "date", required: true, parse: date, stage: "rate_date"},
			{name: "from", required: true, parse: currencyCode, stage: "from_currency"},
			{name: "to", required: true, parse: currencyCode, stage: "to_currency"},
			{name: "rate", required: true, parse: decimalRate},
		},
		checks: []string{checkDuplicateRate, checkSameCurrency},
		upsert: upsertExchangeRates,
	},
	// One name per date and country (or entity): a corrected name replaces the old one.
	Holidays: {
		columns: []column{
			{name: "date", required: true, parse: date, stage: "holiday_date"},
			{name: "country", parse: countryCode},
			{name: "entity", parse: identifier},
			{name: "name", required: true, parse: text(200)},
		},
		checks: []string{checkHolidayTarget, checkDuplicateHoliday},
		upsert: upsertHolidays,
	},
	// A PDF per invoice, replacing the one an earlier import gave.
	Documents: {
		columns: []column{
			{name: "invoice_external_id", required: true, parse: identifier},
			{name: "file_name", required: true, parse: text(255)},
			{name: "content", required: true, parse: pdfFile("file_name")},
		},
		checks:       []string{checkDocumentInvoice, checkDuplicateDocument},
		upsert:       upsertDocuments,
		upsertArg:    byImport,
		allOrNothing: true,
	},
	// Observations of customers by a risk provider, matched and applied as
	// the webhook's are; a row already imported (same provider and event id)
	// is unchanged.
	Risk: {
		columns: []column{
			{name: "provider", required: true, parse: riskProvider},
			{name: "company_id_kind", required: true, parse: riskIDKind},
			{name: "company_id", required: true, parse: riskCompanyID},
			{name: "company_name", parse: text(300)},
			{name: "observed_at", required: true, parse: instant},
			{name: "score", parse: riskScore},
			{name: "rating", parse: text(risk.MaxRating)},
			{name: "limit_currency", parse: currencyCode},
			{name: "limit", parse: riskLimit, stage: "limit_amount"},
			{name: "legal_status", parse: riskLegalStatus},
			{name: "published_on", parse: optionalDate},
			{name: "event_id", parse: riskEventID},
		},
		write: writeRisk,
	},
})

// identPattern is what a declared field or staging column name must look
// like: headers are matched lower-cased, and staging names go into SQL as is.
var identPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// build checks every kind's declarations and derives from them the staging
// table and the index by name. A bad declaration is a programming error, so it
// panics when the package loads: every test and binary catches it.
func build(specs map[Kind]*spec) map[Kind]*spec {
	for k, sp := range specs {
		if err := sp.derive(); err != nil {
			panic(fmt.Sprintf("importer: kind %s: %v", k, err))
		}
	}
	return specs
}

func (sp *spec) derive() error {
	sp.index = make(map[string]int, len(sp.columns))
	sp.stageCols = []string{"line"}
	defs := []string{"line bigint PRIMARY KEY"}
	for i, c := range sp.columns {
		switch {
		case !identPattern.MatchString(c.name):
			return fmt.Errorf("column %q: want a lower-case name", c.name)
		case c.parse.parse == nil || c.parse.sqlType == "":
			return fmt.Errorf("column %s: no parser", c.name)
		case slices.Contains(sp.stageCols, c.stageName()):
			return fmt.Errorf("column %s: staging column %s is taken", c.name, c.stageName())
		case !identPattern.MatchString(c.stageName()):
			return fmt.Errorf("column %s: bad staging column %q", c.name, c.stageName())
		}
		if _, dup := sp.index[c.name]; dup {
			return fmt.Errorf("column %s is declared twice", c.name)
		}
		for _, s := range c.parse.siblings {
			if _, ok := sp.index[s]; !ok {
				return fmt.Errorf("column %s reads %s, which is not declared before it", c.name, s)
			}
		}
		sp.index[c.name] = i
		sp.stageCols = append(sp.stageCols, c.stageName())
		defs = append(defs, c.stageName()+" "+c.parse.sqlType)
	}
	if len(sp.columns) == 0 {
		return errors.New("no columns")
	}
	sp.stageDDL = "CREATE TEMP TABLE stage (" + strings.Join(defs, ", ") + ") ON COMMIT DROP"
	return nil
}

// parse turns a record into its staged values, line first. The cells are
// parsed in declaration order and the first bad one rejects the row; the
// rejection carries the value of the row's first column.
func (sp *spec) parse(rec record, files FileCheck) ([]any, *Rejection) {
	r := row{rec: rec, sp: sp, files: files, vals: make([]any, 1+len(sp.columns))}
	r.vals[0] = rec.line
	for i := range sp.columns {
		r.vals[1+i] = sp.columns[i].parse.parse(cell{r: &r, col: &sp.columns[i], i: i})
		if r.bad != nil {
			r.bad.ExternalID, _ = r.vals[1].(string)
			return nil, r.bad
		}
	}
	return r.vals, nil
}
