package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/importer"
	"recoup/store/storetest"
)

type testBundle struct {
	pool *pgxpool.Pool
	im   *importer.Importer
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	return &testBundle{pool: pool, im: importer.New(pool)}
}

func (b *testBundle) load(t *testing.T, kind importer.Kind, format importer.Format, body string) importer.Result {
	t.Helper()
	res, err := b.im.Import(context.Background(), kind, format, strings.NewReader(body), importer.Source{Name: "test", Actor: "test"})
	require.NoError(t, err)
	return res
}

// base loads a small but complete ERP feed: two entities, users and customers.
func (b *testBundle) base(t *testing.T) {
	t.Helper()
	b.load(t, importer.Entities, importer.CSV, `code,name,country,currency,timezone,language
FR01,Recoup France SAS,FR,EUR,Europe/Paris,fr
JP01,Recoup Japan KK,JP,JPY,Asia/Tokyo,ja
KW01,Recoup Kuwait,KW,KWD,Asia/Kuwait,ar
`)
	b.load(t, importer.Users, importer.CSV, `email,name,role
agent@example.com,Alice Agent,agent
rep@example.com,Sam Rep,sales_rep
`)
	res := b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,category,country,language,currency,email,phone,timezone,credit_limit,agent_email,sales_rep_email
C1,FR01,"Dupont & Fils, SARL",retail,,,EUR,compta@dupont.example,+33 6 12 34 56 78,,15000.00,agent@example.com,rep@example.com
C2,JP01,Yamada Shoji,wholesale,JP,ja,JPY,ar@yamada.example,,Asia/Tokyo,2000000,,
C3,KW01,Gulf Trading,retail,KW,ar,KWD,ap@gulf.example,,,1000.500,,
`)
	require.Equal(t, int64(3), res.Inserted, res.Rejections)
}

// touched lists the accounts an import recorded as changed.
func (b *testBundle) touched(t *testing.T, importID int64) []int64 {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT customer_id FROM import_accounts WHERE import_id = $1`, importID)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	return ids
}

// owedWakes lists the imports whose wake-up is owed to Temporal (store.OutboxImportWake).
func (b *testBundle) owedWakes(t *testing.T) []int64 {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT ref FROM temporal_outbox WHERE kind = 'import.wake' ORDER BY ref`)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	return ids
}

func (b *testBundle) invoice(t *testing.T, externalID string) (open int64, status string) {
	t.Helper()
	err := b.pool.QueryRow(context.Background(), `SELECT open_minor, status FROM invoices WHERE external_id = $1`, externalID).Scan(&open, &status)
	require.NoError(t, err)
	return open, status
}

func TestImportCustomersTakesDefaultsFromEntity(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	var country, lang, tz, phone string
	var limit int64
	err := b.pool.QueryRow(context.Background(),
		`SELECT country, language, timezone, phone, credit_limit_minor FROM customers WHERE external_id = 'C1'`).
		Scan(&country, &lang, &tz, &phone, &limit)
	require.NoError(t, err)
	require.Equal(t, []any{"FR", "fr", "Europe/Paris", "+33612345678", int64(1500000)}, []any{country, lang, tz, phone, limit})
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT credit_limit_minor FROM customers WHERE external_id = 'C3'`).Scan(&limit))
	require.Equal(t, int64(1000500), limit, "KWD has three decimals")
}

func TestImportInvoicesIsIdempotentAndUpdates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	file := `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-001,invoice,2026-09-01,2026-10-01,EUR,1200.00,1200.00
I2,C1,F-002,invoice,2026-09-15,2026-10-15,EUR,300.50,0
I3,C2,J-001,invoice,2026-09-01,2026-10-31,JPY,500000,500000
CN1,C1,A-001,credit_note,2026-09-20,2026-09-20,EUR,100,100
`
	first := b.load(t, importer.Invoices, importer.CSV, file)
	require.Equal(t, []int64{4, 0, 0, 0}, []int64{first.Inserted, first.Updated, first.Unchanged, first.Rejected}, first.Rejections)
	open, status := b.invoice(t, "I2")
	require.Equal(t, int64(0), open)
	require.Equal(t, "paid", status)

	require.Len(t, b.touched(t, first.ImportID), 2, "C1 and C2: the accounts whose dunning must wake")
	require.Equal(t, []int64{first.ImportID}, b.owedWakes(t), "the wake-up is owed with the import (the entities, users and customers imports owe none)")

	again := b.load(t, importer.Invoices, importer.CSV, file)
	require.Equal(t, []int64{0, 0, 4, 0}, []int64{again.Inserted, again.Updated, again.Unchanged, again.Rejected})
	require.Empty(t, b.touched(t, again.ImportID), "nothing changed: nobody to wake")
	require.Equal(t, []int64{first.ImportID}, b.owedWakes(t), "nothing changed: no wake-up owed")

	newer := b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-001,invoice,2026-09-01,2026-10-01,EUR,1200.00,200.00
`)
	require.Equal(t, []int64{0, 1, 0, 0}, []int64{newer.Inserted, newer.Updated, newer.Unchanged, newer.Rejected})
	open, status = b.invoice(t, "I1")
	require.Equal(t, int64(20000), open)
	require.Equal(t, "open", status)
}

func TestImportRejectsBadRowsOneByOne(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
OLD,C1,F-900,invoice,2026-09-01,2026-10-01,EUR,10,10
`)
	res := b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
OK1,C1,F-100,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00
U1,NOPE,F-101,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00
D1,C1,F-102,invoice,2026-13-01,2026-10-01,EUR,100.00,100.00
M1,C1,F-103,invoice,2026-09-01,2026-10-01,EUR,100.001,100.00
N1,C1,F-104,invoice,2026-09-01,2026-10-01,EUR,-5.00,0
OK1,C1,F-105,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00
R1,C1,,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00
W1,C1,F-106,invoice,2026-09-01,2026-10-01,USD,100.00,100.00
Y1,C2,J-100,invoice,2026-09-01,2026-10-01,JPY,100.5,100
T1,C1,F-107,bill,2026-09-01,2026-10-01,EUR,100.00,100.00
B1,C1,F-108,invoice,2026-09-01,2026-08-01,EUR,100.00,100.00
O1,C1,F-109,invoice,2026-09-01,2026-10-01,EUR,100.00,150.00
X1,C1,F-900,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00
Q1,C1,"F-110
",invoice,2026-09-01,2026-10-01,EUR,1,1,extra
OK2,C2,J-101,invoice,2026-09-01,2026-10-01,JPY,1000000,1000000
`)
	require.Equal(t, int64(2), res.Inserted)
	want := []struct {
		line   int64
		field  string
		reason string
	}{
		{3, "customer_external_id", "unknown customer NOPE"},
		{4, "issue_date", "want a date as YYYY-MM-DD"},
		{5, "amount", "too many decimals for the currency EUR"},
		{6, "amount", "must not be negative"},
		{7, "external_id", "duplicate external_id OK1 in this file (first at line 2)"},
		{8, "number", "number is required"},
		{9, "currency", "currency USD differs from the customer's currency EUR"},
		{10, "amount", "too many decimals for the currency JPY"},
		{11, "type", `want one of invoice, credit_note`},
		{12, "due_date", "is before issue_date"},
		{13, "open_amount", "is more than amount"},
		{14, "number", "number F-900 already belongs to invoice OLD"},
		{15, "", "wrong number of fields"},
	}
	require.Equal(t, int64(len(want)), res.Rejected, res.Rejections)
	require.Len(t, res.Rejections, len(want))
	for i, w := range want {
		got := res.Rejections[i]
		require.Equal(t, w.line, got.Line, "rejection %d: %+v", i, got)
		require.Equal(t, w.field, got.Field, "line %d", w.line)
		require.Contains(t, got.Reason, w.reason, "line %d", w.line)
	}
	var stored int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM invoices`).Scan(&stored))
	require.Equal(t, 3, stored, "OLD, OK1 and OK2")
}

func TestImportPaymentsReduceOpenAmounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-001,invoice,2026-09-01,2026-10-01,EUR,1000.00,1000.00
I2,C1,F-002,invoice,2026-09-01,2026-10-01,EUR,50.00,50.00
`)
	payments := `external_id,customer_external_id,invoice_number,date,currency,amount
P1,C1,F-001,2026-10-05,EUR,400.00
P2,C1,F-001,2026-10-06,EUR,700.00
P3,C1,,2026-10-07,EUR,25.00
P4,C1,F-404,2026-10-07,EUR,25.00
P5,C1,F-002,2026-10-07,EUR,0
`
	res := b.load(t, importer.Payments, importer.CSV, payments)
	require.Equal(t, []int64{3, 2}, []int64{res.Inserted, res.Rejected}, res.Rejections)
	require.Contains(t, res.Rejections[0].Reason, "no invoice F-404")
	require.Contains(t, res.Rejections[1].Reason, "more than zero")
	open, status := b.invoice(t, "I1")
	require.Equal(t, int64(0), open, "400 + 700 pays 1000, 100 stays unallocated")
	require.Equal(t, "paid", status)
	var unallocated int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT unallocated_minor FROM payments WHERE external_id = 'P2'`).Scan(&unallocated))
	require.Equal(t, int64(10000), unallocated)

	again := b.load(t, importer.Payments, importer.CSV, payments)
	require.Equal(t, []int64{0, 3}, []int64{again.Inserted, again.Unchanged}, "same payments again change nothing")

	changed := b.load(t, importer.Payments, importer.CSV, `external_id,customer_external_id,invoice_number,date,currency,amount
P1,C1,F-001,2026-10-05,EUR,999.00
`)
	require.Equal(t, int64(1), changed.Rejected)
	require.Contains(t, changed.Rejections[0].Reason, "already imported with other values")

	// The ERP resends the invoice with the figure it had before our payments: nothing changes.
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-001,invoice,2026-09-01,2026-10-01,EUR,1000.00,1000.00
`)
	open, _ = b.invoice(t, "I1")
	require.Equal(t, int64(0), open)
	// The ERP now says 250 is open: it is the source of truth.
	b.load(t, importer.Invoices, importer.CSV, `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-001,invoice,2026-09-01,2026-10-01,EUR,1000.00,250.00
`)
	open, status = b.invoice(t, "I1")
	require.Equal(t, int64(25000), open)
	require.Equal(t, "open", status)
}

func TestImportJSONReportsLines(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	res := b.load(t, importer.Invoices, importer.JSON, `[
  {"external_id": "J1", "customer_external_id": "C1", "number": "F-1", "type": "invoice",
   "issue_date": "2026-09-01", "due_date": "2026-10-01", "currency": "EUR", "amount": 1234.56, "open_amount": "1234.56"},
  {"external_id": "J2", "customer_external_id": "C1", "number": "F-2", "type": "invoice",
   "issue_date": "2026-09-01", "due_date": "2026-10-01", "currency": "EUR", "amount": 0.001, "open_amount": "0"},
  {"external_id": "J3", "colour": "blue"},
  {"external_id": "J4", "amount": "1", "Amount": "2"}
]`)
	require.Equal(t, int64(1), res.Inserted)
	require.Equal(t, []importer.Rejection{
		{Line: 4, ExternalID: "J2", Field: "amount", Reason: `amount: amount "0.001": too many decimals for the currency EUR (2)`},
		{Line: 6, Field: "colour", Reason: `unknown field "colour"`},
		{Line: 7, Field: "amount", Reason: `fields "Amount" and "amount" are the same column`},
	}, res.Rejections)
	open, _ := b.invoice(t, "J1")
	require.Equal(t, int64(123456), open, "JSON numbers are read as decimals, not floats")
}

func TestImportFileErrorsKeepNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	tests := []struct {
		name   string
		format importer.Format
		body   string
		want   string
	}{
		{"unknown column", importer.CSV, "external_id,customer,number\n", `unknown column "customer"`},
		{"missing column", importer.CSV, "external_id,customer_external_id\n", `missing required column "number"`},
		{"empty", importer.CSV, "", "empty file"},
		{"not an array", importer.JSON, `{"a":1}`, "want a JSON array"},
		{"broken JSON after good rows", importer.JSON, `[{"external_id": "Z1", "customer_external_id": "C1", "number": "F-1", "type": "invoice",
   "issue_date": "2026-09-01", "due_date": "2026-10-01", "currency": "EUR", "amount": "1", "open_amount": "1"},
   {"external_id": `, "line 3"},
	}
	for _, tt := range tests {
		_, err := b.im.Import(context.Background(), importer.Invoices, tt.format, strings.NewReader(tt.body), importer.Source{Name: "t"})
		var fe *importer.FileError
		require.ErrorAs(t, err, &fe, tt.name)
		require.Contains(t, fe.Error(), tt.want, tt.name)
	}
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM invoices`).Scan(&n))
	require.Zero(t, n)
	require.Empty(t, b.owedWakes(t), "a refused file owes nothing")
}

func TestImportCustomersRejectsUnknownReferences(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	res := b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,agent_email,sales_rep_email
K1,FR01,Known,EUR,agent@example.com,rep@example.com
K2,FR01,No agent,EUR,ghost@example.com,
K3,FR01,No rep,EUR,,nobody@example.com
K4,XX99,No entity,EUR,,
K5,FR01,Bad email,EUR,not-an-email,
`)
	require.Equal(t, int64(1), res.Inserted)
	require.Equal(t, []importer.Rejection{
		{Line: 3, ExternalID: "K2", Field: "agent_email", Reason: "unknown user ghost@example.com: import users first"},
		{Line: 4, ExternalID: "K3", Field: "sales_rep_email", Reason: "unknown user nobody@example.com: import users first"},
		{Line: 5, ExternalID: "K4", Field: "entity", Reason: "unknown entity XX99: import it first"},
		{Line: 6, ExternalID: "K5", Field: "agent_email", Reason: `agent_email "not-an-email": not an email address`},
	}, res.Rejections)
}

// Exchange rates are exact decimals, dated, upserted by date and pair; a bad
// rate, a duplicate in the file or a pair to itself is rejected with its line.
func TestImportExchangeRates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := b.load(t, importer.ExchangeRates, importer.CSV, `date,from,to,rate
2026-01-02,USD,EUR,0.912345678901
2026-01-02,GBP,EUR,1.17
2026-01-02,gbp,EUR,1.18
2026-01-03,EUR,EUR,1
2026-01-03,JPY,EUR,-0.006
2026-01-03,JPY,EUR,1e-3
2026-01-03,JPY,EUR,0.0
2026-01-03,XXY,EUR,2
`)
	require.Equal(t, int64(2), res.Inserted, res.Rejections)
	got := map[int64]string{}
	for _, r := range res.Rejections {
		got[r.Line] = r.Field
	}
	require.Equal(t, map[int64]string{4: "date", 5: "to", 6: "rate", 7: "rate", 8: "rate", 9: "from"}, got)

	var rate string
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT rate::text FROM exchange_rates WHERE rate_date = '2026-01-02' AND from_currency = 'USD' AND to_currency = 'EUR'`).Scan(&rate))
	require.Equal(t, "0.912345678901", rate, "no float in between")

	again := b.load(t, importer.ExchangeRates, importer.CSV, "date,from,to,rate\n2026-01-02,USD,EUR,0.92\n2026-01-02,GBP,EUR,1.170\n")
	require.Equal(t, [3]int64{0, 1, 1}, [3]int64{again.Inserted, again.Updated, again.Unchanged})
}

// Holidays are dated names for a country or an entity, upserted by
// (country or entity) and date; each bad row is rejected with its line and field.
func TestImportHolidays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.load(t, importer.Entities, importer.CSV, "code,name,country,currency,timezone,language\nPT01,Recoup Lda,PT,EUR,Europe/Lisbon,pt\n")
	res := b.load(t, importer.Holidays, importer.CSV, `country,entity,date,name
PT,,2026-06-10,Dia de Portugal
pt,,2026-04-25,Dia da Liberdade
,PT01,2026-06-13,Santo António
PT,PT01,2026-12-08,both
,,2026-12-25,neither
,XX99,2026-12-25,unknown entity
PT,,2026-06-10,twice
PT,,2026-13-01,bad date
ZZZ,,2026-12-25,bad country
PT,,2026-12-25,
`)
	require.Equal(t, int64(3), res.Inserted, res.Rejections)
	got := map[int64]string{}
	for _, r := range res.Rejections {
		got[r.Line] = r.Field
	}
	require.Equal(t, map[int64]string{5: "entity", 6: "country", 7: "entity", 8: "date", 9: "date", 10: "country", 11: "name"}, got)

	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM holidays h JOIN entities e ON e.id = h.entity_id WHERE e.code = 'PT01' AND h.date = '2026-06-13'`).Scan(&n))
	require.Equal(t, 1, n)

	again := b.load(t, importer.Holidays, importer.CSV,
		"country,date,name\nPT,2026-06-10,\"Dia de Portugal, de Camões e das Comunidades\"\nPT,2026-04-25,Dia da Liberdade\n")
	require.Equal(t, [3]int64{0, 1, 1}, [3]int64{again.Inserted, again.Updated, again.Unchanged}, "a corrected name replaces the old one")
}

// A large import refreshes the planner's statistics of its table before it
// returns (the accounts are woken right after, and read by index): the first
// 1,000,000 invoices otherwise looked like an empty table for minutes. Small
// imports leave them to autovacuum.
func TestLargeImportRefreshesPlannerStatistics(t *testing.T) {
	b := setup(t)
	b.base(t)
	tuples := func() float64 {
		var n float64
		require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT reltuples FROM pg_class WHERE oid = 'invoices'::regclass`).Scan(&n))
		return n
	}
	invoices := func(from, n int) string {
		var sb strings.Builder
		sb.WriteString("external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n")
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&sb, "INV%d,C1,F-%d,invoice,2026-01-01,2026-02-01,EUR,10.00,10.00\n", i, i)
		}
		return sb.String()
	}
	before := tuples()
	require.Less(t, before, 1.0, "a fresh database's invoices")

	for _, step := range []struct {
		name   string
		rows   int
		tuples float64 // what the planner believes after the import
	}{
		{"under the minimum: left to autovacuum", 999, before},
		{"at least 1,000 rows into a table believed empty", 1500, 2499},
		{"a 12% share of the table", 300, 2499},
		{"a 40% share", 1000, 3799},
	} {
		res := b.load(t, importer.Invoices, importer.CSV, invoices(100_000+int(b.count(t)), step.rows))
		require.Equal(t, int64(step.rows), res.Inserted, step.name)
		require.Equal(t, step.tuples, tuples(), step.name)
	}
}

func (b *testBundle) count(t *testing.T) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM invoices`).Scan(&n))
	return n
}
