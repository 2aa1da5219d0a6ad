package activities_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/export"
	"recoup/flow"
	"recoup/notify"
	"recoup/store"
	"recoup/store/storetest"
)

// SendReport mails a report built inside its creator's perimeter, in its
// language, with the XLSX attached; once per report and period.
func TestSendReportOncePerPeriodInsideTheCreatorsPerimeter(t *testing.T) {
	f := setup(t) // FR01: Dupont SARL owes 450.00 EUR due 2026-09-01; GB01's customers owe pounds
	ctx := context.Background()
	rows := storetest.NewFactory(f.st.Pool)
	cm := rows.User(t, storetest.User{Email: "cm.fr@example.com", Name: "Fanny FR", Role: domain.RoleCreditManager})
	_, err := f.st.Pool.Exec(ctx, `INSERT INTO user_entities (user_id, entity_id) SELECT $1, id FROM entities WHERE code = 'FR01'`, cm)
	require.NoError(t, err)
	rp, err := f.st.CreateReport(ctx, store.ReportSpec{Name: "Comité recouvrement", GroupBy: "entity", Currency: "EUR",
		Recipients: []string{"cfo@example.com", "dso@example.com"}, Language: "fr", Weekday: 1, Hour: 7, Active: true}, cm, "test")
	require.NoError(t, err)

	uc := app.New(f.st, nil, nil)
	r := &activities.Reports{Store: f.st, Mailer: f.d.Mailer,
		Build: func(ctx context.Context, rp store.Report, asOf dunning.Date) (notify.Email, error) {
			return uc.ReportEmail(ctx, rp, asOf, "https://recoup.example")
		}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivityWithOptions(r.SendReport, activity.RegisterOptions{Name: flow.ActivitySendReport})
	send := func(run flow.ReportRun) flow.ReportSent {
		t.Helper()
		v, err := env.ExecuteActivity(flow.ActivitySendReport, run)
		require.NoError(t, err)
		var res flow.ReportSent
		require.NoError(t, v.Get(&res))
		return res
	}
	now := time.Now().UTC()
	today := dunning.DateOf(now)
	late := int(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	week := flow.ReportRun{ReportID: rp.ID, Period: "2026-W49", AsOf: today.String()}

	require.Equal(t, flow.ReportSent{Sent: true}, send(week))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.ElementsMatch(t, []string{"cfo@example.com", "dso@example.com"}, m.To)
	require.Equal(t, "Rapport hebdomadaire Recoup : Comité recouvrement ("+today.String()+")", m.Subject)
	require.Equal(t, "<report/"+strconv.FormatInt(rp.ID, 10)+"/2026-W49@recoup>", m.MessageID)
	require.Contains(t, m.Text, "1. Dupont SARL (FR01) : 450,00")
	require.Contains(t, m.Text, "plus ancien retard "+strconv.Itoa(late)+" jours")
	require.Contains(t, m.Text, "Litiges ouverts du "+today.AddDays(-89).String())
	require.Contains(t, m.Text, "aucun litige tranché")
	require.NotContains(t, m.Text, "Acme", "GB01 is outside the creator's perimeter")
	require.NotContains(t, m.Text, "faute de taux", "and so are its pounds, which have no rate")
	require.Contains(t, m.HTML, "<td>Dupont SARL</td>")
	require.Contains(t, m.HTML, `<a href="https://recoup.example">Ouvrir Recoup</a>`)

	require.Len(t, m.Attachments, 1)
	att := m.Attachments[0]
	require.Equal(t, "report-"+strconv.FormatInt(rp.ID, 10)+"-"+today.String()+".xlsx", att.Filename)
	require.Equal(t, export.XLSX.ContentType(), att.ContentType)
	x, err := excelize.OpenReader(bytes.NewReader(att.Data))
	require.NoError(t, err)
	defer x.Close()
	require.Equal(t, []string{"Aging", "Top overdue", "Disputes", "Disputed amounts", "DSO"}, x.GetSheetList())
	cell := func(sheet, ref string) string {
		v, err := x.GetCellValue(sheet, ref)
		require.NoError(t, err)
		return v
	}
	require.Equal(t, "FR01", cell("Aging", "A2"))
	bucket := 0 // the column of its days past due: not due (D), 1–30 (E) … over 120 (I)
	for _, upTo := range []int{0, 30, 60, 90, 120} {
		if late > upTo {
			bucket++
		}
	}
	require.Equal(t, "450.00 EUR", cell("Aging", string(rune('D'+bucket))+"2"), "%d days past due", late)
	require.Equal(t, "Dupont SARL", cell("Top overdue", "C2"))
	require.Equal(t, "450.00 EUR", cell("Top overdue", "G2"))
	require.Equal(t, strconv.Itoa(late), cell("Top overdue", "I2"))
	require.Empty(t, cell("Top overdue", "C3"), "one customer in the perimeter")
	require.Equal(t, "all", cell("Disputes", "A2"))
	require.Equal(t, today.String(), cell("DSO", "B3"), "the DSO period ends on the as-of date, a date cell")

	require.Equal(t, flow.ReportSent{Skipped: "already sent for 2026-W49"}, send(week), "a retry of the week sends nothing")
	require.Len(t, f.mail.Messages(), 1)

	_, err = f.st.UpdateReport(ctx, rp.ID, store.ReportSpec{Name: "Off", GroupBy: "entity", Currency: "EUR",
		Recipients: []string{"cfo@example.com"}, Language: "en", Weekday: 1, Hour: 7, Active: false}, "test")
	require.NoError(t, err)
	require.Equal(t, flow.ReportSent{Skipped: "the report is not active"}, send(flow.ReportRun{ReportID: rp.ID, Period: "2026-W50", AsOf: today.String()}))
	require.Equal(t, flow.ReportSent{Sent: true}, send(flow.ReportRun{ReportID: rp.ID, Period: "now-1", AsOf: today.String(), Now: true}),
		"a send now goes even when the report is not active")
	msgs = f.mail.Messages()
	require.Len(t, msgs, 2)
	subjects := []string{msgs[0].Subject, msgs[1].Subject}
	require.Contains(t, subjects, "Recoup weekly report: Off ("+today.String()+")", "in the report's new language")

	_, err = f.st.Pool.Exec(ctx, `UPDATE users SET disabled = true WHERE id = $1`, cm)
	require.NoError(t, err)
	res := send(flow.ReportRun{ReportID: rp.ID, Period: "now-2", AsOf: today.String(), Now: true})
	require.False(t, res.Sent)
	require.Contains(t, res.Skipped, "is disabled or gone", "a disabled creator's report is not sent: their perimeter is gone")
	require.Len(t, f.mail.Messages(), 2)

	_, err = f.st.DeleteReport(ctx, rp.ID, "test")
	require.NoError(t, err)
	require.Equal(t, flow.ReportSent{Skipped: "the report is deleted"}, send(flow.ReportRun{ReportID: rp.ID, Period: "2026-W51", AsOf: today.String()}))
}
