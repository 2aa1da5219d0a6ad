package importer

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/store/storetest"
)

// The staging table Postgres creates for each kind has exactly the declared
// columns, after line, with the parser's type; COPY lists them in the same order.
func TestStageTableFollowsDeclarations(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	// What the staging tables were before the declarations: the upserts and checks read these.
	want := map[Kind][]string{
		Entities: {"line bigint", "code text", "name text", "country text", "currency text", "timezone text", "language text"},
		Users:    {"line bigint", "email text", "name text", "role text"},
		Customers: {"line bigint", "external_id text", "entity text", "name text", "category text", "country text",
			"language text", "currency text", "email text", "phone text", "timezone text", "credit_limit bigint",
			"agent_email text", "sales_rep_email text", "risk_class text", "sms_consent boolean", "voice_consent boolean",
			"registration_number text", "vat_number text", "open_orders bigint"},
		Invoices: {"line bigint", "external_id text", "customer_external_id text", "number text", "type text",
			"issue_date date", "due_date date", "currency text", "amount bigint", "open_amount bigint", "written_off boolean"},
		Payments: {"line bigint", "external_id text", "customer_external_id text", "invoice_number text",
			"received_on date", "currency text", "amount bigint"},
		ExchangeRates: {"line bigint", "rate_date date", "from_currency text", "to_currency text", "rate text"},
		Holidays:      {"line bigint", "holiday_date date", "country text", "entity text", "name text"},
		Documents:     {"line bigint", "invoice_external_id text", "file_name text", "content bytea"},
		Risk: {"line bigint", "provider text", "company_id_kind text", "company_id text", "company_name text",
			"observed_at timestamp with time zone", "score bigint", "rating text", "limit_currency text", "limit_amount bigint",
			"legal_status text", "published_on date", "event_id text"},
	}
	require.Len(t, specs, len(Kinds)+len(Feeds))
	for _, k := range append(slices.Clone(Kinds), Feeds...) {
		sp := specs[k]
		declared := []string{"line bigint"}
		staged := []string{"line"}
		for _, c := range sp.columns {
			declared = append(declared, c.stageName()+" "+c.parse.sqlType)
			staged = append(staged, c.stageName())
		}
		require.Equal(t, want[k], declared, k)
		require.Equal(t, staged, sp.stageCols, k)

		var created []string
		err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(context.Background(), sp.stageDDL); err != nil {
				return err
			}
			rows, err := tx.Query(context.Background(), `
SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'pg_temp.stage'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)
			if err != nil {
				return err
			}
			created, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		require.NoError(t, err, k)
		require.Equal(t, declared, created, k)
	}
}

// The header check asks for exactly the declared required columns and knows
// every declared one.
func TestHeaderCheckFollowsDeclarations(t *testing.T) {
	t.Parallel()
	for _, k := range append(slices.Clone(Kinds), Feeds...) {
		names, required := Columns(k)
		require.Equal(t, len(specs[k].columns), len(names), k)
		var mandatory []string
		for i, name := range names {
			if required[i] {
				mandatory = append(mandatory, name)
			}
		}
		for _, header := range [][]string{names, mandatory} {
			_, err := newCSVReader(strings.NewReader(strings.Join(header, ",")+"\n"), specs[k].columns)
			require.NoError(t, err, "%s: %v", k, header)
		}
		for _, missing := range mandatory {
			header := strings.Join(without(names, missing), ",") + "\n"
			_, err := newCSVReader(strings.NewReader(header), specs[k].columns)
			var fe *FileError
			require.ErrorAs(t, err, &fe, "%s without %s", k, missing)
			require.Equal(t, `line 1: header: missing required column "`+missing+`"`, fe.Error())
		}
		_, err := newCSVReader(strings.NewReader(strings.Join(names, ",")+",extra\n"), specs[k].columns)
		require.EqualError(t, err, `line 1: header: unknown column "extra" (known: `+strings.Join(names, ", ")+`)`)
	}
}

func without(names []string, drop string) []string {
	var out []string
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}

// A row is parsed column by column in declaration order; a column that needs
// another (an amount its currency, a due date its issue date) reads it by name.
func TestParseFollowsDeclarations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		kind   Kind
		header string
		row    string
		want   []any // staged values after line, when good
		bad    *Rejection
	}{
		{
			name: "amounts in the row's currency", kind: Invoices,
			header: "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount,status",
			row:    "I1,C1,F-1,Invoice,2026-09-01,2026-10-01,KWD,1.5,0.250,Written_Off",
			want: []any{"I1", "C1", "F-1", "invoice", day("2026-09-01"), day("2026-10-01"), "KWD",
				int64(1500), int64(250), true},
		},
		{
			name: "due date against issue date", kind: Invoices,
			header: "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount",
			row:    "I1,C1,F-1,invoice,2026-09-01,2026-08-01,EUR,1,1",
			bad:    &Rejection{Line: 2, ExternalID: "I1", Field: "due_date", Reason: "due_date 2026-08-01 is before issue_date 2026-09-01"},
		},
		{
			name: "open amount against amount", kind: Invoices,
			header: "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount",
			row:    "I1,C1,F-1,invoice,2026-09-01,2026-10-01,JPY,100,101",
			bad:    &Rejection{Line: 2, ExternalID: "I1", Field: "open_amount", Reason: "open_amount 101 is more than amount 100"},
		},
		{
			name: "first bad column in declaration order", kind: Invoices,
			header: "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount",
			row:    "I 1,C1,F-1,invoice,2026-09-01,2026-10-01,XXX,1,1",
			bad: &Rejection{Line: 2, ExternalID: "I 1", Field: "external_id",
				Reason: `external_id "I 1": use up to 64 letters, digits, '.', '_', '/' or '-'`},
		},
		{
			name: "empty credit limit is NULL", kind: Customers,
			header: "external_id,entity,name,currency,credit_limit",
			row:    "C1,FR01,Dupont,JPY,",
			want:   []any{"C1", "FR01", "Dupont", "", "", "", "JPY", "", "", "", nil, "", "", "", nil, nil, "", "", nil},
		},
		{
			name: "credit limit in the customer's currency", kind: Customers,
			header: "external_id,entity,name,currency,credit_limit",
			row:    "C1,FR01,Dupont,JPY,10.5",
			bad:    &Rejection{Line: 2, ExternalID: "C1", Field: "credit_limit", Reason: `credit_limit: amount "10.5": too many decimals for the currency JPY (0)`},
		},
		{
			name: "payment of zero", kind: Payments,
			header: "external_id,customer_external_id,date,currency,amount",
			row:    "P1,C1,2026-10-01,EUR,0.00",
			bad:    &Rejection{Line: 2, ExternalID: "P1", Field: "amount", Reason: "amount must be more than zero"},
		},
		{
			name: "roles are the domain's", kind: Users,
			header: "email,name,role", row: "A@Example.com,Ann,boss",
			bad: &Rejection{Line: 2, ExternalID: "a@example.com", Field: "role",
				Reason: `role "boss": want one of admin, credit_manager, agent, sales_rep, department, division_manager, auditor`},
		},
	}
	for _, tt := range tests {
		sp := specs[tt.kind]
		recs, err := newCSVReader(strings.NewReader(tt.header+"\n"+tt.row+"\n"), sp.columns)
		require.NoError(t, err, tt.name)
		rec, err := recs.next()
		require.NoError(t, err, tt.name)
		vals, bad := sp.parse(rec, nil)
		require.Equal(t, tt.bad, bad, tt.name)
		if tt.bad == nil {
			require.Equal(t, append([]any{int64(2)}, tt.want...), vals, tt.name)
		}
	}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// A declaration the package cannot follow stops it at init.
func TestBadDeclarationsAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		columns []column
		want    string
	}{
		{"sibling declared after", []column{
			{name: "amount", parse: amountIn("currency")}, {name: "currency", parse: currencyCode},
		}, "column amount reads currency, which is not declared before it"},
		{"unknown sibling", []column{{name: "due", parse: dateNotBefore("issued")}}, "not declared before it"},
		{"staging name taken", []column{
			{name: "date", parse: date, stage: "day"}, {name: "day", parse: date},
		}, "staging column day is taken"},
		{"line is the staging table's own", []column{{name: "line", parse: text(1)}}, "staging column line is taken"},
		{"name not lower case", []column{{name: "Code", parse: identifier}}, "want a lower-case name"},
		{"staging name not an identifier", []column{{name: "code", parse: identifier, stage: "code; DROP"}}, "bad staging column"},
		{"no parser", []column{{name: "code"}}, "no parser"},
	}
	for _, tt := range tests {
		sp := &spec{columns: tt.columns}
		err := sp.derive()
		require.Error(t, err, tt.name)
		require.Contains(t, err.Error(), tt.want, tt.name)
	}
	require.EqualError(t, (&spec{}).derive(), "no columns")
}
