package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"recoup/devenv"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store/storetest"
	"recoup/tclient"
)

// e2eZone picks a country and time zone whose local date today is a business
// day, so reminders are due now whatever day the test runs (the embedded
// server runs on the wall clock).
func e2eZone(t *testing.T) (country, currency, zone string, today dunning.Date) {
	t.Helper()
	for _, c := range []struct{ country, currency, zone string }{
		{"FR", "EUR", "Europe/Paris"}, {"KW", "KWD", "Asia/Kuwait"}, {"FR", "EUR", "Pacific/Kiritimati"},
		{"KW", "KWD", "Pacific/Kiritimati"}, {"FR", "EUR", "Pacific/Pago_Pago"}, {"KW", "KWD", "Pacific/Pago_Pago"},
	} {
		loc, err := time.LoadLocation(c.zone)
		require.NoError(t, err)
		day := dunning.DateOf(time.Now().In(loc))
		if cal, _ := dunning.NewCalendar(c.country); cal.IsBusinessDay(day) {
			return c.country, c.currency, c.zone, day
		}
	}
	t.Fatal("no candidate zone has a business day today")
	return
}

type mailItem struct {
	Kind      string              `json:"kind"`
	From      string              `json:"from"` // the envelope sender
	To        []string            `json:"to"`
	Subject   string              `json:"subject"`
	MessageID string              `json:"message_id"`
	Text      string              `json:"text"`
	Header    map[string][]string `json:"headers"`
	// Attachments: url is the file's download under /dev/mail.
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		URL         string `json:"url"`
	} `json:"attachments"`
}

func devMail(t *testing.T, api string) []mailItem {
	t.Helper()
	var list struct{ Messages []mailItem }
	require.Equal(t, http.StatusOK, getJSON(t, api+"/dev/mail?format=json", &list))
	return list.Messages
}

func postCSV(t *testing.T, api, kind, body string) map[string]any {
	t.Helper()
	resp := send(t, http.MethodPost, api+"/api/v1/imports?kind="+kind, "text/csv", body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	var res map[string]any
	require.NoError(t, json.Unmarshal(b, &res))
	require.EqualValues(t, 0, res["rejected"], string(b))
	return res
}

// From import to inbox on the whole `recoup dev` stack: a real SMTP server and
// the Twilio stand-in receive exactly what customers would.
func TestImportedAccountsReceiveExactlyTheExpectedReminders(t *testing.T) {
	dbURL := storetest.NewURL(t)
	cfg := devConfig(t, dbURL, t.TempDir())
	info, stop := startRecoupDevWith(t, cfg, io.Discard, 0)
	defer stop()
	country, currency, zone, today := e2eZone(t)
	late, later := today.AddDays(-7), today.AddDays(30)

	postCSV(t, info.API, "entities", fmt.Sprintf("code,name,country,currency,timezone,language\nE1,Recoup Test,%s,%s,%s,en\n", country, currency, zone))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE entities SET contact_any_time = true`) // the window must not depend on the hour the test runs
	require.NoError(t, err)
	postCSV(t, info.API, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent\n"+
		"A1,E1,Grouped Ltd,"+currency+",ap@grouped.example,,en,\n"+
		"A2,E1,Phone Only Ltd,"+currency+",,+15005550006,en,true\n"+
		"A3,E1,Not Yet Due Ltd,"+currency+",ap@notyet.example,,en,\n")
	invoices := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
		fmt.Sprintf("I1,A1,INV-1,invoice,%s,%s,%s,100,100\n", late.AddDays(-30), late, currency) +
		fmt.Sprintf("I2,A1,INV-2,invoice,%s,%s,%s,250,250\n", late.AddDays(-30), late, currency) +
		fmt.Sprintf("I3,A2,INV-3,invoice,%s,%s,%s,75,75\n", late.AddDays(-30), late, currency) +
		fmt.Sprintf("I4,A3,INV-4,invoice,%s,%s,%s,80,80\n", today, later, currency)
	res := postCSV(t, info.API, "invoices", invoices)
	require.EqualValues(t, 3, res["accounts_to_wake"], "one Dunning workflow per account with changed items")

	var msgs []mailItem
	require.Eventually(t, func() bool { msgs = devMail(t, info.API); return len(msgs) >= 2 }, 60*time.Second, 200*time.Millisecond)
	time.Sleep(2 * time.Second) // anything extra would have arrived by now
	msgs = devMail(t, info.API)
	require.Len(t, msgs, 2, "one grouped email for A1 and one text for A2: %+v", msgs)
	byKind := map[string]mailItem{}
	for _, m := range msgs {
		byKind[m.Kind] = m
	}
	require.Equal(t, []string{"ap@grouped.example"}, byKind["email"].To)
	require.Contains(t, byKind["email"].Text, "INV-1", "one statement-style email lists both invoices")
	require.Contains(t, byKind["email"].Text, "INV-2")
	require.Equal(t, []string{"+15005550006"}, byKind["sms"].To, "no email address: the reminder falls back to a text")

	var logged, fallback int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'fallback') FROM message_log`).Scan(&logged, &fallback))
	require.Equal(t, []int{2, 1}, []int{logged, fallback})
	require.Eventually(t, func() bool {
		var delivered int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM message_log m JOIN delivery_reports d ON d.provider_ref = m.provider_ref WHERE d.outcome = 'delivered'`).Scan(&delivered))
		return delivered == 1
	}, 10*time.Second, 100*time.Millisecond, "the text's signed delivery report reached /webhooks/twilio")

	// The compliance view of A1: the journal and the workflow's own history, merged.
	var a1 int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'A1'`).Scan(&a1))
	h := readTimeline(t, info, a1, "")
	require.Equal(t, "complete", h.Workflow)
	require.Contains(t, h.actions("journal"), "dunning.email.sent")
	require.Contains(t, h.actions("workflow"), "workflow.started")
	require.Contains(t, h.actions("step"), "step.executed")
	require.Contains(t, h.summaries("step"), "sent", "the step says what happened")

	// The same file again changes nothing and wakes nobody; nothing more is sent.
	again := postCSV(t, info.API, "invoices", invoices)
	require.EqualValues(t, 0, again["accounts_to_wake"])
	require.EqualValues(t, 4, again["unchanged"])

	// Reassigning A3 moves its workflow in Temporal's visibility too (handovers query it).
	postCSV(t, info.API, "users", "email,name,role\nbob@recoup.example,Bob,agent\n")
	var a3 int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'A3'`).Scan(&a3))
	postJSON(t, http.MethodPost, fmt.Sprintf("%s/api/v1/customers/%d/dunning/reassign", info.API, a3), `{"agent_email": "bob@recoup.example"}`, http.StatusOK)
	// Asking again moves nothing and says so: the account already has that agent (bulk moves rely on it).
	postJSON(t, http.MethodPost, fmt.Sprintf("%s/api/v1/customers/%d/dunning/reassign", info.API, a3), `{"agent_email": "bob@recoup.example"}`, http.StatusOK)
	postJSON(t, http.MethodPost, fmt.Sprintf("%s/api/v1/customers/%d/dunning/reassign", info.API, a3), `{"agent_email": "nobody@recoup.example"}`, http.StatusBadRequest)
	tc, err := tclient.Dial(ctx, info.Temporal, "default", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer tc.Close()
	require.Eventually(t, func() bool {
		list, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: `RecoupAgent = "bob@recoup.example"`})
		require.NoError(t, err)
		return len(list.GetExecutions()) == 1 && list.GetExecutions()[0].GetExecution().GetWorkflowId() == fmt.Sprintf("dunning/%d", a3)
	}, 10*time.Second, 200*time.Millisecond)

	// A1 pays everything: its workflow ends.
	postCSV(t, info.API, "payments", fmt.Sprintf("external_id,customer_external_id,invoice_number,date,currency,amount\n"+
		"P1,A1,INV-1,%s,%s,100\nP2,A1,INV-2,%s,%s,250\n", today, currency, today, currency))
	require.Eventually(t, func() bool {
		return getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning", info.API, a1), nil) == http.StatusNotFound
	}, 30*time.Second, 200*time.Millisecond, "no open items left: the workflow ends")
	require.Len(t, devMail(t, info.API), 2)

	// The ended run is still in the timeline; the auditor of `recoup dev` reads it with a browser session.
	var auditor devenv.DevUser
	for _, u := range info.Credentials.Users {
		if u.Role == domain.RoleAuditor {
			auditor = u
		}
	}
	resp, err := http.Post(info.API+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, auditor.Email, auditor.Password)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "recoup_session" {
			session = c.Value
		}
	}
	h = readTimeline(t, info, a1, session)
	require.Contains(t, h.actions("workflow"), "workflow.completed")
	require.Contains(t, h.actions("journal"), "customer.history.view")
	var viewers []string
	require.NoError(t, func() error {
		rows, err := conn.Query(ctx, `SELECT DISTINCT actor FROM audit_journal WHERE action = 'customer.history.view' ORDER BY actor`)
		if err != nil {
			return err
		}
		viewers, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}())
	require.Equal(t, []string{auditor.Email, "sofia.berg@recoup.example (token 1)"}, viewers, "who looked is journaled")
}

type timeline struct {
	Workflow string `json:"workflow_history"`
	Entries  []struct {
		Kind, Action, Summary string
	}
}

func (h timeline) actions(kind string) []string {
	var out []string
	for _, e := range h.Entries {
		if e.Kind == kind {
			out = append(out, e.Action)
		}
	}
	return out
}

func (h timeline) summaries(kind string) string {
	var out []string
	for _, e := range h.Entries {
		if e.Kind == kind {
			out = append(out, e.Summary)
		}
	}
	return strings.Join(out, "\n")
}

// readTimeline reads a customer's timeline, with a session cookie when given, else the admin token.
func readTimeline(t *testing.T, info devenv.Info, customerID int64, session string) timeline {
	t.Helper()
	url := fmt.Sprintf("%s/api/v1/customers/%d/history", info.API, customerID)
	var resp *http.Response
	if session == "" {
		resp = send(t, http.MethodGet, url, "", "")
	} else {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		req.AddCookie(&http.Cookie{Name: "recoup_session", Value: session})
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	var h timeline
	require.NoError(t, json.Unmarshal(b, &h))
	return h
}

func postJSON(t *testing.T, method, url, body string, wantStatus int) map[string]any {
	t.Helper()
	resp := send(t, method, url, "application/json", body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, wantStatus, resp.StatusCode, string(b))
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// Twilio reports a text as undelivered: the same reminder goes by email, once.
func TestUndeliveredTextFallsBackToEmail(t *testing.T) {
	dbURL := storetest.NewURL(t)
	cfg := devConfig(t, dbURL, t.TempDir())
	info, stop := startRecoupDevWith(t, cfg, io.Discard, 0)
	defer stop()
	require.NotNil(t, info.Twilio)
	country, currency, zone, today := e2eZone(t)
	late := today.AddDays(-7)

	postCSV(t, info.API, "entities", fmt.Sprintf("code,name,country,currency,timezone,language\nE1,Recoup Test,%s,%s,%s,en\n", country, currency, zone))
	postJSON(t, http.MethodPut, info.API+"/api/v1/entities/E1/contact-window", `{"start": "09:00", "end": "18:00", "any_time": true}`, http.StatusOK)
	postCSV(t, info.API, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent\nB1,E1,Texted Ltd,"+currency+",ap@texted.example,+15005550010,en,true\n")
	sc := postJSON(t, http.MethodPost, info.API+"/api/v1/scenarios",
		`{"name": "Text first", "steps": [{"offset_days": 7, "channel": "sms", "template": "reminder_1"}]}`, http.StatusCreated)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var b1 int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'B1'`).Scan(&b1))
	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", info.API, b1), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	info.Twilio.SetOutcome("+15005550010", "undelivered", "30003")

	postCSV(t, info.API, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("J1,B1,INV-9,invoice,%s,%s,%s,100,100\n", late.AddDays(-30), late, currency))

	var msgs []mailItem
	require.Eventually(t, func() bool { msgs = devMail(t, info.API); return len(msgs) >= 2 }, 60*time.Second, 200*time.Millisecond)
	time.Sleep(2 * time.Second)
	msgs = devMail(t, info.API)
	require.Len(t, msgs, 2, "%+v", msgs)
	kinds := map[string][]string{}
	for _, m := range msgs {
		kinds[m.Kind] = m.To
	}
	require.Equal(t, map[string][]string{"sms": {"+15005550010"}, "email": {"ap@texted.example"}}, kinds)
	var keys []string
	rows, err := conn.Query(ctx, `SELECT key || ' ' || channel || ' ' || status FROM message_log ORDER BY created_at`)
	require.NoError(t, err)
	keys, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, keys, 2)
	require.Contains(t, keys[1], "/email-after-failed-delivery email sent")
}
