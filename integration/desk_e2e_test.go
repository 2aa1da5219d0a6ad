package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/devenv"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store/storetest"
)

// deskStack is the dev stack with one entity (contact window any time) and a
// database connection to look up the rows the API made.
type deskStack struct {
	info     devenv.Info
	api      string
	loc      *time.Location
	conn     *pgx.Conn
	currency string
	today    dunning.Date
	agent    devenv.DevUser
	dbURL    string
}

func setupDesk(t *testing.T) (deskStack, func()) {
	t.Helper()
	dbURL := storetest.NewURL(t)
	cfg := devConfig(t, dbURL, t.TempDir())
	info, stop := startRecoupDevWith(t, cfg, io.Discard, 0)
	country, currency, zone, today := e2eZone(t)
	postCSV(t, info.API, "entities", fmt.Sprintf("code,name,country,currency,timezone,language\nE1,Recoup Test,%s,%s,%s,en\n", country, currency, zone))
	postJSON(t, http.MethodPut, info.API+"/api/v1/entities/E1/contact-window", `{"start": "09:00", "end": "18:00", "any_time": true}`, http.StatusOK)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	s := deskStack{info: info, api: info.API, loc: loc, conn: conn, currency: currency, today: today, dbURL: dbURL}
	for _, u := range info.Credentials.Users {
		if u.Role == domain.RoleAgent {
			s.agent = u
		}
	}
	require.NotEmpty(t, s.agent.Email, "recoup dev creates an agent")
	return s, func() { conn.Close(ctx); stop() }
}

func (s deskStack) id(t *testing.T, table, externalID string) int64 {
	t.Helper()
	var id int64
	// The table name is one of two literals of this file, never input.
	q := map[string]string{
		"customers": `SELECT id FROM customers WHERE external_id = $1`,
		"invoices":  `SELECT id FROM invoices WHERE external_id = $1`,
	}[table]
	require.NoError(t, s.conn.QueryRow(context.Background(), q, externalID).Scan(&id))
	return id
}

// asAgent sends a JSON request as the dev stack's agent, signed in with a
// browser session, and answers the decoded body.
func (s deskStack) asAgent(t *testing.T, method, path, body string, wantStatus int) map[string]any {
	t.Helper()
	resp, err := http.Post(s.api+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, s.agent.Email, s.agent.Password)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var req *http.Request
	if body == "" {
		req, err = http.NewRequest(method, s.api+path, nil)
	} else {
		req, err = http.NewRequest(method, s.api+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	require.NoError(t, err)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, wantStatus, resp.StatusCode, string(b))
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return out
}

type promiseRow struct {
	ID        int64   `json:"id"`
	Status    string  `json:"status"`
	Date      string  `json:"date"`
	HeldUntil string  `json:"held_until"`
	Source    string  `json:"source"`
	Invoices  []int64 `json:"invoice_ids"`
	Paid      *struct {
		Minor int64 `json:"minor"`
	} `json:"paid"`
}

func (s deskStack) promises(t *testing.T, customerID int64) []promiseRow {
	t.Helper()
	var list struct{ Items []promiseRow }
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/promises", s.api, customerID), &list))
	return list.Items
}

type previewAction struct {
	At         time.Time `json:"at"`
	Channel    string    `json:"channel"`
	InvoiceIDs []int64   `json:"invoice_ids"`
}

// An agent calls a late customer and records a promise to pay as the call's
// outcome: the promised invoice gets no reminder while the promise holds,
// even when the account is evaluated again with a reminder due now, and the
// payment that arrives by import keeps the promise.
func TestCallOutcomePromiseHoldsRemindersUntilThePaymentKeepsIt(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	// P1 promises; C1, the control, has the same ledger and no promise: what
	// C1 receives is what P1 would have received without the promise.
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"P1,E1,Promising Ltd,"+cur+",ap@promising.example,,en,,"+s.agent.Email+"\n"+
		"C1,E1,Control Ltd,"+cur+",ap@control.example,,en,,"+s.agent.Email+"\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios",
		`{"name": "One email", "steps": [{"offset_days": 7, "channel": "email", "template": "reminder_1"}]}`, http.StatusCreated)
	p1, c1 := s.id(t, "customers", "P1"), s.id(t, "customers", "C1")
	for _, id := range []int64{p1, c1} {
		postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", s.api, id), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	}
	// Not due yet: both workflows start and send nothing.
	notDue := s.today.AddDays(20)
	invoices := func(due dunning.Date) string {
		return "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
			fmt.Sprintf("PI1,P1,INV-P1,invoice,%s,%s,%s,400,400\n", s.today.AddDays(-40), due, cur) +
			fmt.Sprintf("CI1,C1,INV-C1,invoice,%s,%s,%s,400,400\n", s.today.AddDays(-40), due, cur)
	}
	res := postCSV(t, s.api, "invoices", invoices(notDue))
	require.EqualValues(t, 2, res["accounts_to_wake"])
	pi1 := s.id(t, "invoices", "PI1")

	// The agent, signed in, creates a call task for the account, finds it in
	// their worklist, and completes it with the customer's promise.
	task := s.asAgent(t, http.MethodPost, "/api/v1/tasks",
		fmt.Sprintf(`{"customer_id": %d, "kind": "call", "assignee_email": %q, "note": "call about INV-P1"}`, p1, s.agent.Email), http.StatusCreated)
	worklist := s.asAgent(t, http.MethodGet, "/api/v1/worklist", "", http.StatusOK)
	require.Len(t, worklist["items"], 1)
	require.Equal(t, task["id"], worklist["items"].([]any)[0].(map[string]any)["id"])
	promiseDate := s.today.AddDays(2)
	done := s.asAgent(t, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%v/complete", task["id"]),
		fmt.Sprintf(`{"outcome": "promise", "note": "pays on Thursday", "promise": {"amount_minor": 40000, "date": %q, "invoice_ids": [%d]}}`, promiseDate, pi1),
		http.StatusOK)
	require.Equal(t, "promise", done["outcome"])
	require.NotNil(t, done["promise_id"])
	require.Equal(t, true, done["account_woken"])
	list := s.promises(t, p1)
	require.Len(t, list, 1)
	require.Equal(t, "open", list[0].Status)
	require.Equal(t, "call", list[0].Source, "a promise from a call outcome says so")
	require.Equal(t, promiseDate.String(), list[0].Date)
	require.Equal(t, []int64{pi1}, list[0].Invoices)
	heldUntil, err := dunning.ParseDate(list[0].HeldUntil)
	require.NoError(t, err)
	require.Equal(t, promiseDate.AddDays(3), heldUntil, "the entity's default grace is 3 days")

	// The ERP corrects the due date: both invoices are now 7 days late, the
	// step is due today, and the import wakes both accounts.
	res = postCSV(t, s.api, "invoices", invoices(s.today.AddDays(-7)))
	require.EqualValues(t, 2, res["accounts_to_wake"])
	var msgs []mailItem
	require.Eventually(t, func() bool { msgs = devMail(t, s.api); return len(msgs) >= 1 }, 60*time.Second, 200*time.Millisecond,
		"the control account's reminder is due now")
	time.Sleep(3 * time.Second) // P1's would have arrived by now
	msgs = devMail(t, s.api)
	require.Len(t, msgs, 1, "only the control account is reminded: %+v", msgs)
	require.Equal(t, []string{"ap@control.example"}, msgs[0].To)

	// What P1 would be sent over the days ahead: nothing for the promised
	// invoice before the day after date + grace.
	var preview struct {
		Actions []previewAction `json:"actions"`
		Waiting []string        `json:"waiting"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning/preview?days=30", s.api, p1), &preview))
	var first *previewAction
	for i, a := range preview.Actions {
		if a.Channel == "email" && first == nil {
			first = &preview.Actions[i]
		}
	}
	require.NotNil(t, first, "the reminder resumes if the promise is not kept: %+v", preview)
	require.Equal(t, []int64{pi1}, first.InvoiceIDs)
	require.True(t, dunning.DateOf(first.At.In(s.loc)).After(heldUntil),
		"the first reminder of P1 (%s) comes after the hold (through %s)", first.At, heldUntil)

	// The payment arrives by import before the promise date: the promise is kept.
	postCSV(t, s.api, "payments", fmt.Sprintf("external_id,customer_external_id,invoice_number,date,currency,amount\nPAY1,P1,INV-P1,%s,%s,400\n", s.today, cur))
	require.Eventually(t, func() bool { return s.promises(t, p1)[0].Status == "kept" }, 30*time.Second, 200*time.Millisecond)
	kept := s.promises(t, p1)[0]
	require.NotNil(t, kept.Paid)
	require.EqualValues(t, 40000, kept.Paid.Minor, "paid in full")
	require.Eventually(t, func() bool {
		return getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning", s.api, p1), nil) == http.StatusNotFound
	}, 30*time.Second, 200*time.Millisecond, "nothing open: P1's workflow ends")

	h := readTimeline(t, s.info, p1, "")
	journal := h.actions("journal")
	require.Contains(t, journal, "promise.create")
	require.Contains(t, journal, "promise.kept")
	var entries struct {
		Entries []struct{ Kind, Action, Actor string }
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/history", s.api, p1), &entries))
	actors := map[string]string{}
	for _, e := range entries.Entries {
		if e.Kind == "journal" {
			actors[e.Action] = e.Actor
		}
	}
	require.Equal(t, s.agent.Email, actors["promise.create"], "the promise is the agent's")
	require.NotEmpty(t, actors["promise.kept"], "the check that kept it is journaled: %v", actors)
	require.Len(t, devMail(t, s.api), 1, "P1 was never reminded")
}
