package integration

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/dunning"
)

// capturedMail is a captured message with its HTML part.
type capturedMail struct {
	Kind    string   `json:"kind"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

func capturedMails(t *testing.T, api string) []capturedMail {
	t.Helper()
	var list struct{ Messages []capturedMail }
	require.Equal(t, http.StatusOK, getJSON(t, api+"/dev/mail?format=json", &list))
	return list.Messages
}

// settledMails waits for at least n captured messages, then a little longer
// for anything extra, and answers them all.
func settledMails(t *testing.T, api string, n int) []capturedMail {
	t.Helper()
	require.Eventually(t, func() bool { return len(capturedMails(t, api)) >= n }, 60*time.Second, 200*time.Millisecond)
	time.Sleep(3 * time.Second) // anything extra would have arrived by now
	return capturedMails(t, api)
}

// lineWith answers the text's first line containing label, trimmed.
func lineWith(text, label string) string {
	for l := range strings.Lines(text) {
		if strings.Contains(l, label) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// statementScenario has steps at +7, +15, +18 and +30 days, the last in a
// firmer tone, with the default email gap of 3 days.
const statementScenario = `{"name": "Statement", "steps": [
	{"offset_days": 7, "channel": "email", "template": "reminder_1"},
	{"offset_days": 15, "channel": "email", "template": "reminder_1"},
	{"offset_days": 18, "channel": "email", "template": "reminder_1"},
	{"offset_days": 30, "channel": "email", "template": "reminder_2"}]}`

// The README's worked example on the dev stack: three invoices at three
// stages and an open credit note give one email, the statement of the whole
// account with the net balance; the account woken again inside the contact
// gap sends nothing; a held invoice leaves the next reminder.
func TestOneStatementPerAccountRespectsTheGapAndInvoiceHolds(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent\n"+
		"S1,E1,Statement Ltd,"+cur+",ap@statement.example,,en,\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios", statementScenario, http.StatusCreated)
	s1 := s.id(t, "customers", "S1")
	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", s.api, s1), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)

	const head = "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"
	row := func(id, number, typ string, due dunning.Date, amount string) string {
		return fmt.Sprintf("%s,S1,%s,%s,%s,%s,%s,%s,%s\n", id, number, typ, due.AddDays(-30), due, cur, amount, amount)
	}
	ledger := head +
		row("F101", "F-101", "invoice", s.today.AddDays(-44), "1200") + // past the +30 step
		row("F187", "F-187", "invoice", s.today.AddDays(-16), "800") + // past +15, +18 in 2 days
		row("F203", "F-203", "invoice", s.today.AddDays(-7), "500") + // +7 today
		row("AV12", "AV-12", "credit_note", s.today.AddDays(-10), "300")
	res := postCSV(t, s.api, "invoices", ledger)
	require.EqualValues(t, 1, res["accounts_to_wake"])

	msgs := settledMails(t, s.api, 1)
	require.Len(t, msgs, 1, "one email for the whole account: %+v", msgs)
	m := msgs[0]
	require.Equal(t, []string{"ap@statement.example"}, m.To)
	require.True(t, strings.HasPrefix(m.Subject, "Second reminder"), "the tone of the most advanced step (+30): %q", m.Subject)
	for _, number := range []string{"F-101", "F-187", "F-203"} {
		require.True(t, strings.HasPrefix(lineWith(m.Text, number), "► Invoice "+number), "%s is listed and marked:\n%s", number, m.Text)
	}
	require.True(t, strings.HasPrefix(lineWith(m.Text, "AV-12"), "- Credit note AV-12"), "the credit note is listed, not marked:\n%s", m.Text)
	require.Contains(t, lineWith(m.Text, "Open invoices:"), "2,500.00")
	require.Contains(t, lineWith(m.Text, "Net balance due:"), "2,200.00", "open invoices less the credit note:\n%s", m.Text)
	require.Contains(t, lineWith(m.Text, "Amount to pay now:"), "2,200.00", "never more than the net balance")
	require.Contains(t, m.HTML, "F-101")
	require.Contains(t, m.HTML, "AV-12")
	// One message log row covers the three (invoice, step) pairs: each counts as done.
	var rows int
	var steps []string
	require.NoError(t, s.conn.QueryRow(context.Background(), `
		SELECT count(DISTINCT m.key), array_agg(i.number || ' ' || (c->>'step_id') ORDER BY i.number)
		FROM message_log m, jsonb_array_elements(m.covered) c JOIN invoices i ON i.id = (c->>'invoice_id')::bigint`).Scan(&rows, &steps))
	require.Equal(t, 1, rows)
	require.Equal(t, []string{"F-101 email-30", "F-187 email-15", "F-203 email-7"}, steps)

	// A new invoice whose +7 step is due now wakes the account inside the
	// 3-day email gap: it waits, nothing is sent, and the status says why.
	res = postCSV(t, s.api, "invoices", ledger+row("F250", "F-250", "invoice", s.today.AddDays(-7), "100"))
	require.EqualValues(t, 1, res["accounts_to_wake"])
	var status struct {
		LastEvaluated time.Time `json:"last_evaluated"`
		WaitCodes     []string  `json:"wait_codes"`
	}
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning", s.api, s1), &status))
		return slices.Contains(status.WaitCodes, "contact_gap")
	}, 30*time.Second, 200*time.Millisecond, "the new invoice's reminder waits for the gap")
	time.Sleep(2 * time.Second)
	require.Len(t, capturedMails(t, s.api), 1, "nothing more inside the gap")

	// The next reminder, at the end of the gap, covers F-250 and F-187 (its
	// +18 step fell due inside the gap); holding F-187 takes it out.
	f187, f250 := s.id(t, "invoices", "F187"), s.id(t, "invoices", "F250")
	next := func() previewAction {
		var preview struct {
			Actions []previewAction `json:"actions"`
		}
		require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning/preview?days=30", s.api, s1), &preview))
		for _, a := range preview.Actions {
			if a.Channel == "email" {
				return a
			}
		}
		t.Fatalf("no email ahead: %+v", preview)
		return previewAction{}
	}
	before := next()
	require.Equal(t, []int64{f187, f250}, before.InvoiceIDs, "%+v", before)
	// At the end of the gap, or the first business day after it; before F-203's +15 step.
	nextDay := dunning.DateOf(before.At.In(s.loc))
	require.True(t, !nextDay.Before(s.today.AddDays(3)) && nextDay.Before(s.today.AddDays(8)), "next reminder on %s", nextDay)
	postJSON(t, http.MethodPost, fmt.Sprintf("%s/api/v1/invoices/%d/hold", s.api, f187), `{"reason": "delivery being checked"}`, http.StatusOK)
	after := next()
	require.Equal(t, []int64{f250}, after.InvoiceIDs, "the held invoice leaves the next reminder: %+v", after)
	require.Equal(t, before.At, after.At)
	postJSON(t, http.MethodPost, fmt.Sprintf("%s/api/v1/invoices/%d/hold", s.api, f187), `{"reason": "again"}`, http.StatusConflict)
	require.Contains(t, readTimeline(t, s.info, s1, "").actions("journal"), "invoice.hold")
	require.Len(t, capturedMails(t, s.api), 1)
}

// A customer whose language is Arabic gets the statement right to left.
func TestArabicCustomerGetsARightToLeftEmail(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent\n"+
		"AR1,E1,شركة الخليج,"+cur+",ap@gulf.example,,ar,\n")
	due := s.today.AddDays(-7)
	postCSV(t, s.api, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("G1,AR1,INV-G1,invoice,%s,%s,%s,1234.5,1234.5\n", due.AddDays(-30), due, cur))
	msgs := settledMails(t, s.api, 1)
	require.Len(t, msgs, 1, "%+v", msgs)
	m := msgs[0]
	require.Equal(t, []string{"ap@gulf.example"}, m.To)
	require.Contains(t, m.HTML, `dir="rtl"`)
	require.Contains(t, m.HTML, `lang="ar"`)
	require.Contains(t, m.HTML, "INV-G1")
	require.Contains(t, m.HTML, "1,234.5", "Latin digits, as Gulf invoices print them")
	require.NotContains(t, m.Text, "Statement of account", "not the English template")
}
