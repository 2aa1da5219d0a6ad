package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/importer"
)

// riskBase: the base feed, with the customers' numbers as the ERP sends them.
func (b *testBundle) riskBase(t *testing.T) {
	t.Helper()
	b.base(t)
	res := b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,registration_number,vat_number,open_orders
C1,FR01,"Dupont & Fils, SARL",EUR,303 265 045,fr 40 303.265.045,1200.50
C2,JP01,Yamada Shoji,JPY,,,
`)
	require.Zero(t, res.Rejected, res.Rejections)
}

func (b *testBundle) countRows(t *testing.T, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), sql).Scan(&n))
	return n
}

func TestImportCustomersIdentifiersAndOpenOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.riskBase(t)
	var reg, vat string
	var orders *int64
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT registration_number, vat_number, open_orders_minor FROM customers WHERE external_id = 'C1'`).Scan(&reg, &vat, &orders))
	require.Equal(t, "303265045", reg)
	require.Equal(t, "FR40303265045", vat)
	require.Equal(t, int64(120050), *orders)
	res := b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,open_orders
C2,JP01,Yamada Shoji,JPY,10.5
`)
	require.Equal(t, int64(1), res.Rejected)
	require.Equal(t, "open_orders", res.Rejections[0].Field)
}

func TestImportRisk(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.riskBase(t)
	file := `provider,event_id,company_id,company_id_kind,company_name,observed_at,score,rating,limit,limit_currency,legal_status,published_on
creditsafe,cs-1,FR 40 303 265 045,vat,Dupont SA,2026-11-20T08:00:00Z,62,B,50000.00,EUR,,
creditsafe,,303.265.045,registration,Dupont SA,2026-11-25,48,C,,,,
bodacc,A2026,303265045,registration,DUPONT ET FILS,2026-11-27,,,,,receivership,2026-11-27
creditsafe,cs-9,999999999,registration,Unknown SAS,2026-11-20T08:00:00Z,10,,,,,
`
	res := b.load(t, importer.Risk, importer.CSV, file)
	require.Equal(t, int64(4), res.Inserted, res.Rejections)
	require.Zero(t, res.Rejected)
	var score int
	var rating, status string
	var limit int64
	require.NoError(t, b.pool.QueryRow(context.Background(),
		`SELECT risk_score, risk_rating, risk_limit_minor, legal_status FROM customers WHERE external_id = 'C1'`).Scan(&score, &rating, &limit, &status))
	require.Equal(t, 48, score)
	require.Equal(t, "C", rating)
	require.Equal(t, int64(5_000_000), limit)
	require.Equal(t, "receivership", status)
	require.Equal(t, 1, b.countRows(t, `SELECT count(*) FROM risk_signals WHERE customer_id IS NULL`), "the unknown company waits in the queue")
	require.Equal(t, 4, b.countRows(t, `SELECT count(*) FROM risk_signals WHERE source = 'import' AND import_id IS NOT NULL`))

	// The same file again, the row without an event id included: nothing new.
	again := b.load(t, importer.Risk, importer.CSV, file)
	require.Equal(t, importer.Result{ImportID: again.ImportID, Kind: importer.Risk, Unchanged: 4, Rejections: []importer.Rejection{}}, again)
	require.Equal(t, 4, b.countRows(t, `SELECT count(*) FROM risk_signals`))
}

func TestImportRiskJSON(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.riskBase(t)
	res := b.load(t, importer.Risk, importer.JSON, `[
  {"provider": "creditsafe", "event_id": "cs-1", "company_id": "C1", "company_id_kind": "external",
   "observed_at": "2026-11-20T08:00:00Z", "score": 70, "limit": 25000, "limit_currency": "EUR"},
  {"provider": "creditsafe", "event_id": "cs-2", "company_id": "C1", "company_id_kind": "external",
   "observed_at": "2026-11-21T08:00:00Z", "score": "101"}
]`)
	require.Equal(t, int64(1), res.Inserted)
	require.Equal(t, []importer.Rejection{{Line: 4, ExternalID: "creditsafe", Field: "score", Reason: `score "101": want a whole number from 0 to 100`}}, res.Rejections)
}

func TestImportRiskRejectsBadRows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.riskBase(t)
	res := b.load(t, importer.Risk, importer.CSV, `provider,event_id,company_id,company_id_kind,observed_at,score,rating,limit,limit_currency,legal_status,published_on
creditsafe,ok-1,303265045,registration,2026-11-20T08:00:00Z,50,,,,,
Credit Safe!,e2,303265045,registration,2026-11-20T08:00:00Z,50,,,,,
creditsafe,e3,303265045,duns,2026-11-20T08:00:00Z,50,,,,,
creditsafe,e4, . ,registration,2026-11-20T08:00:00Z,50,,,,,
creditsafe,e5,303265045,registration,20/11/2026,50,,,,,
creditsafe,e6,303265045,registration,2026-11-20T08:00:00Z,-1,,,,,
creditsafe,e7,303265045,registration,2026-11-20T08:00:00Z,,,100.00,,,
creditsafe,e8,303265045,registration,2026-11-20T08:00:00Z,,,100.001,EUR,,
creditsafe,e9,303265045,registration,2026-11-20T08:00:00Z,,,,,bankrupt,
creditsafe,e10,303265045,registration,2026-11-20T08:00:00Z,,,,,liquidation,2026-02-30
creditsafe,e11,303265045,registration,2026-11-20T08:00:00Z,,,,,,
creditsafe,e12,303265045,registration,2099-11-20T08:00:00Z,50,,,,,
`)
	want := []struct {
		line          int64
		field, reason string
	}{
		{3, "provider", "lower-case letters"},
		{4, "company_id_kind", "want one of registration, vat, external"},
		{5, "company_id", "is required"},
		{6, "observed_at", "want an RFC 3339 time"},
		{7, "score", "want a whole number from 0 to 100"},
		{8, "limit", "limit_currency is required with limit"},
		{9, "limit", "too many decimals"},
		{10, "legal_status", "want active, safeguard, receivership, liquidation or ceased"},
		{11, "published_on", "want a date as YYYY-MM-DD"},
		{12, "score", "a signal says something"},
		{13, "observed_at", "is in the future"},
	}
	require.Equal(t, int64(1), res.Inserted, res.Rejections)
	require.Len(t, res.Rejections, len(want), res.Rejections)
	for i, w := range want {
		got := res.Rejections[i]
		require.Equal(t, w.line, got.Line, "rejection %d: %+v", i, got)
		require.Equal(t, w.field, got.Field, "line %d: %+v", w.line, got)
		require.Contains(t, got.Reason, w.reason, "line %d", w.line)
	}
}

func TestImportRiskFileErrorKeepsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.riskBase(t)
	for _, tc := range []struct {
		name, body, want string
		format           importer.Format
	}{
		{"missing column", "provider,company_id,observed_at\n", `missing required column "company_id_kind"`, importer.CSV},
		{"broken JSON after a good row", `[{"provider": "creditsafe", "company_id": "C1", "company_id_kind": "external",
  "observed_at": "2026-11-20T08:00:00Z", "score": 70}, {"provider": `, "line 2", importer.JSON},
	} {
		_, err := b.im.Import(context.Background(), importer.Risk, tc.format, strings.NewReader(tc.body), importer.Source{Name: "t"})
		var fe *importer.FileError
		require.ErrorAs(t, err, &fe, tc.name)
		require.Contains(t, fe.Error(), tc.want, tc.name)
	}
	require.Zero(t, b.countRows(t, `SELECT count(*) FROM risk_signals`))
	require.Zero(t, b.countRows(t, `SELECT count(*) FROM customers WHERE risk_observed_at IS NOT NULL`))
}
