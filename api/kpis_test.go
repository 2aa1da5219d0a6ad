package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"recoup/domain"
	"recoup/export"
	"recoup/store"
)

func TestKPIEndpointsAnswerAsDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// setup's feed: C1 owes I1 100.00 EUR due 2020-02-01 and I2 50.25 due 2099, less credit note CN1 20.00;
	// C3 owes 1,200 JPY; there is no JPY rate.
	type amount struct {
		Amount string `json:"amount"`
	}
	type group struct {
		Key       string `json:"key"`
		Reporting struct {
			Buckets map[string]amount `json:"buckets"`
			Credits amount            `json:"credits"`
			Total   amount            `json:"total"`
		} `json:"reporting"`
		Complete bool `json:"complete"`
	}
	type aging struct {
		Groups       []group          `json:"groups"`
		MissingRates []map[string]any `json:"missing_rates"`
	}
	ag := decode[aging](t, b.do(t, "GET", "/api/v1/kpis/aging?group_by=customer", "", "", http.StatusOK))
	require.Len(t, ag.Groups, 2)
	require.Equal(t, "C1", ag.Groups[0].Key)
	require.Equal(t, "100.00", ag.Groups[0].Reporting.Buckets["over_120"].Amount)
	require.Equal(t, "50.25", ag.Groups[0].Reporting.Buckets["not_due"].Amount)
	require.Equal(t, "-20.00", ag.Groups[0].Reporting.Credits.Amount)
	require.Equal(t, "130.25", ag.Groups[0].Reporting.Total.Amount)
	require.False(t, ag.Groups[1].Complete, "C3's yen have no rate")
	require.Len(t, ag.MissingRates, 1)

	before := decode[aging](t, b.do(t, "GET", "/api/v1/kpis/aging?as_of=2020-06-01", "", "", http.StatusOK))
	require.Empty(t, before.Groups, "nothing was known to Recoup then")

	csv := string(b.do(t, "GET", "/api/v1/kpis/aging?group_by=customer&format=csv", "", "", http.StatusOK))
	require.True(t, strings.HasPrefix(csv, "group,label,currency,not_due,1_30,31_60,61_90,91_120,over_120,credits,total,complete\n"), csv)
	require.Contains(t, csv, "C1,Boulangerie Martin,EUR,50.25,0.00,0.00,0.00,0.00,100.00,-20.00,130.25,\n")

	type top struct {
		Customers []struct {
			ExternalID string `json:"external_id"`
			Overdue    amount `json:"overdue"`
		} `json:"customers"`
		MissingRates []map[string]any `json:"missing_rates"`
	}
	tp := decode[top](t, b.do(t, "GET", "/api/v1/kpis/top-overdue", "", "", http.StatusOK))
	require.Len(t, tp.Customers, 1)
	require.Equal(t, "C1", tp.Customers[0].ExternalID)
	require.Equal(t, "100.00", tp.Customers[0].Overdue.Amount)
	require.Len(t, tp.MissingRates, 1)
	require.Contains(t, string(b.do(t, "GET", "/api/v1/kpis/top-overdue?format=csv", "", "", http.StatusOK)), "1,C1,Boulangerie Martin,FR01,alice@recoup.example,EUR,100.00")

	// Only the EUR entity: no missing rate, so every ratio is there (no sales in the last 90 days: no DSO).
	d := decode[map[string]any](t, b.do(t, "GET", "/api/v1/kpis/dso?entity=FR01", "", "", http.StatusOK))
	require.Nil(t, d["dso"])
	require.Equal(t, 66.56, d["over_60_share"], "100.00 of 150.25 open, in percent")
	b.do(t, "GET", "/api/v1/kpis/dso?from=2020-01-01&to=2020-01-31&format=csv", "", "", http.StatusOK)

	// No disputes and no promises in the feed: zeros, and no rate or time to show.
	disputes := decode[map[string]any](t, b.do(t, "GET", "/api/v1/kpis/disputes?from=2026-01-01&to=2026-03-31", "", "", http.StatusOK))
	require.Equal(t, "2026-01-01", disputes["from"])
	require.Equal(t, map[string]any{"opened": 0.0, "decided": 0.0, "accepted": 0.0, "rejected": 0.0, "withdrawn": 0.0, "sla_breached": 0.0,
		"avg_resolution_days": nil, "p90_resolution_days": nil}, disputes["all"])
	require.Equal(t, []any{}, disputes["by_reason"])
	require.True(t, strings.HasPrefix(string(b.do(t, "GET", "/api/v1/kpis/disputes?format=csv", "", "", http.StatusOK)),
		"reason,department,opened,decided,accepted,rejected,withdrawn,sla_breached,avg_resolution_days,p90_resolution_days\nall,,0,0,0,0,0,0,,\n"))
	promises := decode[map[string]any](t, b.do(t, "GET", "/api/v1/kpis/promises?entity=FR01", "", "", http.StatusOK))
	require.Equal(t, 0.0, promises["due"])
	require.Nil(t, promises["kept_rate"], "nothing settled: no rate")
	require.Contains(t, string(b.do(t, "GET", "/api/v1/kpis/promises?format=csv", "", "", http.StatusOK)), "kept_rate,\n")

	for _, bad := range []string{"/api/v1/kpis/disputes?group_by=agent", "/api/v1/kpis/promises?currency=USD", "/api/v1/kpis/aging?group_by=region", "/api/v1/kpis/dso?from=2021-01-01&to=2020-01-01",
		"/api/v1/kpis/top-overdue?as_of=yesterday", "/api/v1/kpis/aging?format=xml", "/api/v1/kpis/dso?group_by=entity"} {
		b.do(t, "GET", bad, "", "", http.StatusBadRequest)
	}
}

func TestTeamAndForecastEndpointsAnswerAsDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// setup's feed, known since today: Alice's C1 owes I1 100.00 EUR due 2020-02-01 and I2 50.25 due 2099;
	// her C3 owes 1,200 JPY due 2020 (no JPY rate); Bob's C2 owes nothing. Nobody did anything yet.
	type amounts struct {
		ByCurrency []struct {
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
		} `json:"by_currency"`
		Reporting struct {
			Amount string `json:"amount"`
		} `json:"reporting"`
		Complete bool `json:"complete"`
	}
	type row struct {
		Email     string  `json:"email"`
		Calls     int     `json:"calls"`
		Promises  int     `json:"promises"`
		Accounts  int     `json:"accounts"`
		Collected amounts `json:"collected"`
		Open      amounts `json:"open"`
	}
	type team struct {
		Agents       []row            `json:"agents"`
		Total        row              `json:"total"`
		MissingRates []map[string]any `json:"missing_rates"`
	}
	tm := decode[team](t, b.do(t, "GET", "/api/v1/kpis/team", "", "", http.StatusOK))
	require.Len(t, tm.Agents, 2)
	require.Equal(t, "alice@recoup.example", tm.Agents[0].Email)
	require.Equal(t, 2, tm.Agents[0].Accounts)
	require.Equal(t, "150.25", tm.Agents[0].Open.Reporting.Amount, "the yen have no rate")
	require.False(t, tm.Agents[0].Open.Complete)
	require.Equal(t, "0.00", tm.Agents[0].Collected.Reporting.Amount)
	require.Equal(t, row{Email: "bob@recoup.example", Collected: tm.Agents[1].Collected, Open: tm.Agents[1].Open}, tm.Agents[1], "zeros")
	require.Len(t, tm.MissingRates, 1)
	require.True(t, strings.HasPrefix(string(b.do(t, "GET", "/api/v1/kpis/team?format=csv&entity=FR01", "", "", http.StatusOK)),
		"email,name,emails_sent,texts_sent,calls_placed,calls,tasks_closed,promises,accounts,currency,collected,open,complete\n"+
			"alice@recoup.example,Alice,0,0,0,0,0,0,1,EUR,0.00,150.25,true\n"))
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Name: "Alice", Role: domain.RoleAgent})
	mine := decode[team](t, b.doAs(t, alice, "GET", "/api/v1/kpis/team", "", "", http.StatusOK))
	require.Len(t, mine.Agents, 1, "an agent sees their own row")

	type forecast struct {
		Weeks []struct {
			Week  int    `json:"week"`
			Start string `json:"start"`
			amounts
		} `json:"weeks"`
		Later    amounts `json:"later"`
		Disputed amounts `json:"disputed"`
	}
	fc := decode[forecast](t, b.do(t, "GET", "/api/v1/kpis/forecast", "", "", http.StatusOK))
	require.Len(t, fc.Weeks, 13)
	require.Equal(t, "100.00", fc.Weeks[0].Reporting.Amount, "I1, long overdue, in week 1; I4's yen have no rate")
	require.False(t, fc.Weeks[0].Complete)
	require.Equal(t, "50.25", fc.Later.Reporting.Amount)
	require.Empty(t, fc.Disputed.ByCurrency)
	short := decode[forecast](t, b.do(t, "GET", "/api/v1/kpis/forecast?weeks=4&entity=FR01", "", "", http.StatusOK))
	require.Len(t, short.Weeks, 4)
	require.True(t, short.Weeks[0].Complete)
	csv := string(b.do(t, "GET", "/api/v1/kpis/forecast?weeks=2&format=csv", "", "", http.StatusOK))
	require.True(t, strings.HasPrefix(csv, "week,start,end,currency,expected,complete\n1,"), csv)
	require.True(t, strings.HasSuffix(csv, "later,,,EUR,50.25,true\ndisputed,,,EUR,0.00,true\n"), csv)

	bt := decode[map[string]any](t, b.do(t, "GET", "/api/v1/kpis/forecast/backtest?weeks=2", "", "", http.StatusOK))
	require.Nil(t, bt["mape"], "nothing received yet")
	require.Equal(t, 0.0, bt["weeks_scored"])
	require.Len(t, bt["weeks"], 2)
	require.True(t, strings.HasPrefix(string(b.do(t, "GET", "/api/v1/kpis/forecast/backtest?format=csv&entity=FR01", "", "", http.StatusOK)),
		"week,start,end,forecast,actual,error,ape\n1,"))

	for _, bad := range []string{"/api/v1/kpis/team?group_by=agent", "/api/v1/kpis/team?weeks=2", "/api/v1/kpis/forecast?weeks=0",
		"/api/v1/kpis/forecast?weeks=x", "/api/v1/kpis/forecast?weeks=60", "/api/v1/kpis/forecast?from=2026-01-01",
		"/api/v1/kpis/forecast/backtest?as_of=soon"} {
		b.do(t, "GET", bad, "", "", http.StatusBadRequest)
	}
}

func init() {
	// The XLSX downloads are files: the OpenAPI check reads them as such.
	openapi3filter.RegisterBodyDecoder(export.XLSX.ContentType(), openapi3filter.FileBodyDecoder)
}

// TestKPIExportsAsXLSX reads each figure's XLSX download back: the sheets,
// amounts as numbers in their currency's format, dates as dates, counts and
// ratios as numbers, an undefined ratio blank.
func TestKPIExportsAsXLSX(t *testing.T) {
	t.Parallel()
	b := setup(t)
	type cell struct {
		ref, raw, shown string
		typ             excelize.CellType
	}
	num, str, unset := excelize.CellTypeNumber, excelize.CellTypeSharedString, excelize.CellTypeUnset
	for _, tc := range []struct {
		path   string
		sheets []string
		cells  []cell
	}{
		{"/api/v1/kpis/aging?group_by=customer&format=xlsx", []string{"Aging"}, []cell{
			{"A1", "group", "group", str},
			{"A2", "C1", "C1", str},
			{"D2", "50.25", "50.25 EUR", num},   // not due
			{"I2", "100", "100.00 EUR", num},    // over 120
			{"J2", "-20", "-20.00 EUR", num},    // credits
			{"K2", "130.25", "130.25 EUR", num}, // total
		}},
		{"/api/v1/kpis/top-overdue?format=xlsx", []string{"Top overdue"}, []cell{
			{"A2", "1", "1", num},
			{"B2", "C1", "C1", str},
			{"G2", "100", "100.00 EUR", num},
			{"K2", "100", "100.00 EUR", num},
		}},
		{"/api/v1/kpis/dso?entity=FR01&from=2020-01-01&to=2020-03-31&format=xlsx", []string{"DSO"}, []cell{
			{"A2", "from", "from", str},
			{"B2", "43831", "2020-01-01", num}, // a date, Excel's serial day
			{"B3", "43921", "2020-03-31", num},
			{"B4", "91", "91", num}, // days, the leap year's February included
		}},
		{"/api/v1/kpis/disputes?from=2026-01-01&to=2026-03-31&format=xlsx", []string{"Disputes", "Disputed amounts"}, []cell{
			{"A2", "all", "all", str},
			{"C2", "0", "0", num},
			{"I2", "", "", unset}, // no dispute decided: no resolution time
		}},
		{"/api/v1/kpis/promises?format=xlsx", []string{"Promises"}, []cell{
			{"A4", "due", "due", str},
			{"B4", "0", "0", num},
			{"B10", "", "", unset}, // kept rate: nothing settled
		}},
		{"/api/v1/kpis/team?entity=FR01&format=xlsx", []string{"Team"}, []cell{
			{"A2", "alice@recoup.example", "alice@recoup.example", str},
			{"I2", "1", "1", num}, // her one FR01 account with open items
			{"K2", "0", "0.00 EUR", num},
			{"L2", "150.25", "150.25 EUR", num},
			{"A3", "bob@recoup.example", "bob@recoup.example", str}, // every agent has a row, zeros included
			{"A4", "total", "total", str},
		}},
		{"/api/v1/kpis/forecast?weeks=2&entity=FR01&format=xlsx", []string{"Forecast"}, []cell{
			{"A2", "1", "1", num},
			{"E2", "100", "100.00 EUR", num}, // I1, long overdue, in week 1
			{"A4", "later", "later", str},
			{"B4", "", "", unset},
			{"E4", "50.25", "50.25 EUR", num}, // I2, due in 2099
		}},
		{"/api/v1/kpis/forecast/backtest?weeks=2&format=xlsx", []string{"Back-test"}, []cell{
			{"A4", "total", "total", str},
			{"A5", "mape", "mape", str},
			{"G5", "", "", unset}, // nothing received yet
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f, err := excelize.OpenReader(bytes.NewReader(b.do(t, "GET", tc.path, "", "", http.StatusOK)))
			require.NoError(t, err)
			defer f.Close()
			require.Equal(t, tc.sheets, f.GetSheetList())
			for _, c := range tc.cells {
				raw, err := f.GetCellValue(tc.sheets[0], c.ref, excelize.Options{RawCellValue: true})
				require.NoError(t, err)
				require.Equal(t, c.raw, raw, c.ref)
				shown, err := f.GetCellValue(tc.sheets[0], c.ref)
				require.NoError(t, err)
				require.Equal(t, c.shown, shown, c.ref)
				typ, err := f.GetCellType(tc.sheets[0], c.ref)
				require.NoError(t, err)
				if c.typ == num { // the stream writer leaves a number's type unset: it is the default
					require.Contains(t, []excelize.CellType{num, unset}, typ, c.ref)
				} else if c.typ == str {
					require.Contains(t, []excelize.CellType{str, excelize.CellTypeInlineString}, typ, c.ref)
				}
			}
		})
	}
	_, rec := b.serve(b.admin, "GET", "/api/v1/kpis/aging?format=xlsx", "", "")
	require.Equal(t, export.XLSX.ContentType(), rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Header().Get("Content-Disposition"), `.xlsx"`)
}
