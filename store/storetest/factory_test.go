package storetest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/importer"
	"recoup/money"
	"recoup/store/storetest"
)

var (
	eur = money.MustCurrency("EUR")
	jpy = money.MustCurrency("JPY")
)

func date(y int, m time.Month, d int) dunning.Date { return dunning.NewDate(y, m, d) }

// The factory is the importer's twin: the same feed, imported from files into
// one database and made by the factory in another, leaves the same rows.
func TestFactoryStoresWhatTheImporterStores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	imported := storetest.NewPool(t)
	im := importer.New(imported)
	for _, file := range []struct {
		kind importer.Kind
		body string
	}{
		{importer.Entities, "code,name,country,currency,timezone,language\n" +
			"FR01,Recoup France SAS,FR,EUR,Europe/Paris,fr\n" +
			"JP01,Recoup Japan KK,JP,JPY,Asia/Tokyo,ja\n"},
		{importer.Users, "email,name,role\nagent@example.com,Alice Agent,agent\nrep@example.com,Sam Rep,sales_rep\n"},
		{importer.Customers, "external_id,entity,name,category,country,language,currency,email,phone,timezone,credit_limit,agent_email,sales_rep_email,risk_class\n" +
			"C1,FR01,Dupont SARL,retail,,,EUR,compta@dupont.example,+33612345678,,5000.00,agent@example.com,rep@example.com,B\n" +
			"C2,FR01,Martin GmbH,wholesale,DE,de,EUR,,,Europe/Berlin,,,,\n" +
			"C3,JP01,Yamada Shoji,,,,JPY,,,,1000000,agent@example.com,,\n"},
		{importer.Invoices, "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status\n" +
			"I1,C1,F-1,invoice,2026-01-01,2026-02-01,EUR,1200.00,1000.00,\n" +
			"I2,C1,F-2,invoice,2026-01-15,2026-02-14,EUR,50.00,0,\n" +
			"I3,C1,F-3,invoice,2026-01-01,2026-02-01,EUR,70.00,70.00,written_off\n" +
			"CN1,C1,A-1,credit_note,2026-01-10,2026-01-10,EUR,20.00,20.00,\n" +
			"I4,C2,F-4,invoice,2026-01-01,2026-03-01,EUR,80.00,80.00,\n" +
			"I5,C3,J-1,invoice,2026-01-01,2026-02-01,JPY,120000,120000,\n"},
		{importer.Payments, "external_id,customer_external_id,invoice_number,date,currency,amount\n" +
			"P1,C1,F-1,2026-02-10,EUR,400.00\n" +
			"P2,C2,F-4,2026-02-11,EUR,100.00\n" +
			"P3,C3,,2026-02-12,JPY,5000\n"},
	} {
		res, err := im.Import(ctx, file.kind, importer.CSV, strings.NewReader(file.body), importer.Source{Name: "test", Actor: "test"})
		require.NoError(t, err)
		require.Zero(t, res.Rejected, res.Rejections)
	}

	made := storetest.NewPool(t)
	f := storetest.NewFactory(made)
	fr := f.Entity(t, storetest.Entity{Code: "FR01", Name: "Recoup France SAS"})
	jp := f.Entity(t, storetest.Entity{Code: "JP01", Name: "Recoup Japan KK", Country: "JP", Currency: jpy,
		TimeZone: "Asia/Tokyo", Language: "ja"})
	agent := f.User(t, storetest.User{Email: "agent@example.com", Name: "Alice Agent"})
	rep := f.User(t, storetest.User{Email: "rep@example.com", Name: "Sam Rep", Role: domain.RoleSalesRep})
	c1 := f.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C1", Name: "Dupont SARL", Category: "retail",
		Email: "compta@dupont.example", Phone: "+33612345678", CreditLimit: &money.Money{Minor: 500000, Currency: eur},
		Agent: agent, SalesRep: rep, RiskClass: "B"})
	c2 := f.Customer(t, storetest.Customer{Entity: fr, ExternalID: "C2", Name: "Martin GmbH", Category: "wholesale",
		Country: "DE", Language: "de", TimeZone: "Europe/Berlin"})
	c3 := f.Customer(t, storetest.Customer{Entity: jp, ExternalID: "C3", Name: "Yamada Shoji",
		CreditLimit: &money.Money{Minor: 1000000, Currency: jpy}, Agent: agent})
	i1 := f.Invoice(t, storetest.Invoice{Customer: c1, ExternalID: "I1", Number: "F-1", IssueDate: date(2026, 1, 1),
		DueDate: date(2026, 2, 1), Amount: money.Money{Minor: 120000, Currency: eur}, Open: money.Money{Minor: 100000, Currency: eur}})
	f.Invoice(t, storetest.Invoice{Customer: c1, ExternalID: "I2", Number: "F-2", IssueDate: date(2026, 1, 15),
		Amount: money.Money{Minor: 5000, Currency: eur}, Status: domain.StatusPaid})
	f.Invoice(t, storetest.Invoice{Customer: c1, ExternalID: "I3", Number: "F-3", DueDate: date(2026, 2, 1),
		IssueDate: date(2026, 1, 1), Amount: money.Money{Minor: 7000, Currency: eur}, Status: domain.StatusWrittenOff})
	f.Invoice(t, storetest.Invoice{Customer: c1, ExternalID: "CN1", Number: "A-1", Type: domain.TypeCreditNote,
		IssueDate: date(2026, 1, 10), DueDate: date(2026, 1, 10), Amount: money.Money{Minor: 2000, Currency: eur}})
	i4 := f.Invoice(t, storetest.Invoice{Customer: c2, ExternalID: "I4", Number: "F-4", IssueDate: date(2026, 1, 1),
		DueDate: date(2026, 3, 1), Amount: money.Money{Minor: 8000, Currency: eur}})
	f.Invoice(t, storetest.Invoice{Customer: c3, ExternalID: "I5", Number: "J-1", IssueDate: date(2026, 1, 1),
		DueDate: date(2026, 2, 1), Amount: money.Money{Minor: 120000, Currency: jpy}})
	f.Payment(t, storetest.Payment{Invoice: i1, ExternalID: "P1", ReceivedOn: date(2026, 2, 10), Amount: money.Money{Minor: 40000, Currency: eur}})
	f.Payment(t, storetest.Payment{Invoice: i4, ExternalID: "P2", ReceivedOn: date(2026, 2, 11), Amount: money.Money{Minor: 10000, Currency: eur}})
	f.Payment(t, storetest.Payment{Customer: c3, ExternalID: "P3", ReceivedOn: date(2026, 2, 12), Amount: money.Money{Minor: 5000, Currency: jpy}})

	for _, q := range []string{
		`SELECT code, name, country, currency, timezone, language, contact_window_start, contact_window_end, contact_any_time
		 FROM entities ORDER BY code`,
		`SELECT email, name, role, password_hash IS NULL, all_entities, department, disabled FROM users ORDER BY email`,
		`SELECT c.external_id, e.code, c.name, c.category, c.country, c.language, c.currency, c.timezone, c.email, c.phone,
		        c.credit_limit_minor, c.risk_class, a.email, r.email, c.scenario_id, c.on_hold, c.on_hold_since
		 FROM customers c JOIN entities e ON e.id = c.entity_id
		 LEFT JOIN users a ON a.id = c.agent_id LEFT JOIN users r ON r.id = c.sales_rep_id ORDER BY c.external_id`,
		`SELECT i.external_id, c.external_id, i.number, i.type, i.issue_date, i.due_date, i.currency,
		        i.amount_minor, i.erp_open_minor, i.open_minor, i.status
		 FROM invoices i JOIN customers c ON c.id = i.customer_id ORDER BY i.external_id`,
		`SELECT p.external_id, c.external_id, p.invoice_number, p.received_on, p.currency, p.amount_minor, p.unallocated_minor
		 FROM payments p JOIN customers c ON c.id = p.customer_id ORDER BY p.external_id`,
		`SELECT p.external_id, i.external_id, a.amount_minor, a.import_id = p.import_id, a.import_id > i.erp_import_id
		 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id
		 ORDER BY p.external_id`,
		`SELECT DISTINCT c.external_id FROM import_accounts a JOIN customers c ON c.id = a.customer_id ORDER BY 1`,
	} {
		want := rows(t, imported, q)
		require.NotEmpty(t, want, q)
		require.Equal(t, want, rows(t, made, q), q)
	}
}

// rows answers each row of q as its values' text, joined by " | ".
func rows(t *testing.T, pool *pgxpool.Pool, q string, args ...any) []string {
	t.Helper()
	rs, err := pool.Query(context.Background(), q, args...)
	require.NoError(t, err)
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		require.NoError(t, err)
		text := make([]string, len(vals))
		for i, v := range vals {
			text[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(text, " | "))
	}
	require.NoError(t, rs.Err())
	return out
}

// row is the one row of q.
func row(t *testing.T, pool *pgxpool.Pool, q string, args ...any) string {
	t.Helper()
	all := rows(t, pool, q, args...)
	require.Len(t, all, 1, q)
	return all[0]
}

func TestFactoryDefaultsForEntitiesUsersAndCustomers(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)

	// Made-up codes, emails and ids count up across the factory's rows.
	e := f.Entity(t, storetest.Entity{})
	require.Equal(t, "E1 | Entity E1 | FR | EUR | Europe/Paris | fr",
		row(t, pool, `SELECT code, name, country, currency, timezone, language FROM entities WHERE id = $1`, e))
	u := f.User(t, storetest.User{})
	require.Equal(t, "user2@example.com | User 2 | agent", row(t, pool, `SELECT email, name, role FROM users WHERE id = $1`, u))

	gb := f.Entity(t, storetest.Entity{Code: "GB01", Country: "GB", Currency: money.MustCurrency("GBP"),
		TimeZone: "Europe/London", Language: "en"})
	tests := []struct {
		name string
		in   storetest.Customer
		want string // external id, name, country, language, currency, timezone, email, agent, credit limit
	}{
		{"blanks come from the entity", storetest.Customer{Entity: gb, Email: "ap@acme.example"},
			"C3 | Customer 3 | GB | en | GBP | Europe/London | ap@acme.example | <nil> | <nil>"},
		{"what is stated stays", storetest.Customer{Entity: gb, ExternalID: "X", Name: "Acme", Country: "IE", Language: "ga",
			Currency: eur, TimeZone: "Europe/Dublin", Agent: u, CreditLimit: &money.Money{Minor: 100, Currency: eur}},
			fmt.Sprintf("X | Acme | IE | ga | EUR | Europe/Dublin |  | %d | 100", u)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.Customer(t, tt.in)
			require.Equal(t, tt.want, row(t, pool, `SELECT external_id, name, country, language, currency, timezone, email,
				agent_id, credit_limit_minor FROM customers WHERE id = $1`, c))
		})
	}
}

func TestFactoryMakesTheDefaultEntityAndCustomerOnce(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	f.Invoice(t, storetest.Invoice{})
	f.Invoice(t, storetest.Invoice{})
	f.Payment(t, storetest.Payment{Amount: money.Money{Minor: 100, Currency: eur}})
	const counts = `SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM customers),
		(SELECT count(DISTINCT customer_id) FROM (SELECT customer_id FROM invoices UNION ALL SELECT customer_id FROM payments) rows)`
	require.Equal(t, "1 | 1 | 1", row(t, pool, counts), "one entity, one customer, everything theirs")
	f.Customer(t, storetest.Customer{})
	require.Equal(t, "1 | 2 | 1", row(t, pool, counts), "another customer of the default entity")
}

func TestFactoryInvoiceDefaults(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	jp := f.Entity(t, storetest.Entity{Code: "JP01", Country: "JP", Currency: jpy, TimeZone: "Asia/Tokyo", Language: "ja"})
	yen := f.Customer(t, storetest.Customer{Entity: jp})
	euro := f.Customer(t, storetest.Customer{})
	tests := []struct {
		name string
		in   storetest.Invoice
		want string // issue, due, currency, amount, ERP open, open, status
	}{
		{"nothing stated: 100 units due DefaultDueDate, all open", storetest.Invoice{Customer: euro},
			"2026-01-02 | 2026-02-01 | EUR | 10000 | 10000 | 10000 | open"},
		{"100 units of a currency without decimals", storetest.Invoice{Customer: yen},
			"2026-01-02 | 2026-02-01 | JPY | 100 | 100 | 100 | open"},
		{"30 days' terms from the issue date", storetest.Invoice{Customer: euro, IssueDate: date(2026, 3, 10)},
			"2026-03-10 | 2026-04-09 | EUR | 10000 | 10000 | 10000 | open"},
		{"issued 30 days before it is due", storetest.Invoice{Customer: euro, DueDate: date(2026, 3, 1)},
			"2026-01-30 | 2026-03-01 | EUR | 10000 | 10000 | 10000 | open"},
		{"nothing open is paid", storetest.Invoice{Customer: euro, Open: money.Money{Currency: eur}},
			"2026-01-02 | 2026-02-01 | EUR | 10000 | 0 | 0 | paid"},
		{"paid has nothing open", storetest.Invoice{Customer: euro, Status: domain.StatusPaid},
			"2026-01-02 | 2026-02-01 | EUR | 10000 | 0 | 0 | paid"},
		{"partly open", storetest.Invoice{Customer: euro, Amount: money.Money{Minor: 5000, Currency: eur}, Open: money.Money{Minor: 1250, Currency: eur}},
			"2026-01-02 | 2026-02-01 | EUR | 5000 | 1250 | 1250 | open"},
		{"written off keeps its open amount", storetest.Invoice{Customer: euro, Status: domain.StatusWrittenOff},
			"2026-01-02 | 2026-02-01 | EUR | 10000 | 10000 | 10000 | written_off"},
		{"disputed", storetest.Invoice{Customer: euro, Status: domain.StatusDisputed},
			"2026-01-02 | 2026-02-01 | EUR | 10000 | 10000 | 10000 | disputed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := f.Invoice(t, tt.in)
			require.Equal(t, tt.want, row(t, pool, `SELECT issue_date::text, due_date::text, currency, amount_minor,
				erp_open_minor, open_minor, status FROM invoices WHERE id = $1`, id))
		})
	}
}

func TestFactoryPaymentAllocatesAsTheImporterDoes(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	f := storetest.NewFactory(pool)
	c := f.Customer(t, storetest.Customer{})
	tests := []struct {
		name        string
		open        int64 // on the invoice of 100.00 EUR
		amount      money.Money
		wantPayment string // amount, unallocated, received on
		wantInvoice string // open, status
	}{
		{"no amount pays what is open", 3000, money.Money{}, "3000 | 0 | 2026-02-15", "0 | paid"},
		{"less than open", 3000, money.Money{Minor: 1000, Currency: eur}, "1000 | 0 | 2026-02-15", "2000 | open"},
		{"more than open stays partly unallocated", 3000, money.Money{Minor: 5000, Currency: eur}, "5000 | 2000 | 2026-02-15", "0 | paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := f.Invoice(t, storetest.Invoice{Customer: c, Open: money.Money{Minor: tt.open, Currency: eur}})
			p := f.Payment(t, storetest.Payment{Invoice: inv, Amount: tt.amount})
			require.Equal(t, tt.wantPayment, row(t, pool,
				`SELECT amount_minor, unallocated_minor, received_on::text FROM payments WHERE id = $1 AND customer_id = $2`, p, c))
			require.Equal(t, tt.wantInvoice, row(t, pool, `SELECT open_minor, status FROM invoices WHERE id = $1`, inv))
		})
	}
	var journaled int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_journal`).Scan(&journaled))
	require.Zero(t, journaled, "the factory journals nothing")
}
