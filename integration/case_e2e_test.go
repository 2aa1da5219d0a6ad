package integration

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"recoup/tclient"
)

// A dispute on one invoice of an account, on the whole `recoup dev` stack:
// its Case workflow runs (live state, SLA due times), the reminder that falls
// due goes out for the other invoice only, and rejecting the dispute brings
// the disputed invoice back into the reminders at once.
func TestDisputeHoldsOnlyItsInvoiceUntilRejected(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"D1,E1,Disputing Ltd,"+cur+",ap@disputing.example,,en,,"+s.agent.Email+"\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios",
		`{"name": "One email", "settings": {"min_days_between": {"email": 0}},
		  "steps": [{"offset_days": 7, "channel": "email", "template": "reminder_1"}]}`, http.StatusCreated)
	d1 := s.id(t, "customers", "D1")
	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", s.api, d1), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	invoices := func(due string) string {
		return "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
			fmt.Sprintf("DI1,D1,INV-D1,invoice,%s,%s,%s,400,400\n", s.today.AddDays(-40), due, cur) +
			fmt.Sprintf("DI2,D1,INV-D2,invoice,%s,%s,%s,300,300\n", s.today.AddDays(-40), due, cur)
	}
	postCSV(t, s.api, "invoices", invoices(s.today.AddDays(20).String()))
	di1 := s.id(t, "invoices", "DI1")

	opened := postJSON(t, http.MethodPost, s.api+"/api/v1/cases",
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "quality", "invoices": [{"invoice_id": %d}]}`, d1, di1), http.StatusCreated)
	require.Equal(t, true, opened["workflow_started"], "%v", opened)
	require.Equal(t, true, opened["account_woken"])
	k := opened["case"].(map[string]any)
	casePath := fmt.Sprintf("%s/api/v1/cases/%v", s.api, k["id"])
	require.Equal(t, "logistics", k["department"])
	var detail struct {
		Live *struct {
			Status string `json:"status"`
			SLA    struct {
				BusinessDays int        `json:"business_days"`
				ReminderDue  *time.Time `json:"reminder_due"`
				BreachDue    *time.Time `json:"breach_due"`
			} `json:"sla"`
		} `json:"live"`
		LiveError string `json:"live_error"`
	}
	require.Eventually(t, func() bool {
		return getJSON(t, casePath, &detail) == http.StatusOK && detail.Live != nil
	}, 30*time.Second, 200*time.Millisecond, "the case workflow answers its query")
	require.Equal(t, "open", detail.Live.Status)
	require.Equal(t, 10, detail.Live.SLA.BusinessDays)
	require.NotNil(t, detail.Live.SLA.ReminderDue)
	require.True(t, detail.Live.SLA.BreachDue.After(*detail.Live.SLA.ReminderDue))

	// The discussion and the wait for the customer reach the workflow too.
	postJSON(t, http.MethodPost, casePath+"/comments", fmt.Sprintf(`{"text": "@%s can you get the delivery note?"}`, s.agent.Email), http.StatusCreated)
	postJSON(t, http.MethodPost, casePath+"/status", `{"status": "waiting_customer", "reason": "delivery note asked for"}`, http.StatusOK)
	detail.Live = nil // decoded afresh: a field left out must not keep its old value
	require.Equal(t, http.StatusOK, getJSON(t, casePath, &detail))
	require.Equal(t, "waiting_customer", detail.Live.Status)
	require.Nil(t, detail.Live.SLA.ReminderDue, "no due time while the clock stands still")
	postJSON(t, http.MethodPost, casePath+"/status", `{"status": "open", "reason": "the note arrived"}`, http.StatusOK)

	// Both invoices fall due for the +7 reminder: only INV-D2 is in it.
	postCSV(t, s.api, "invoices", invoices(s.today.AddDays(-7).String()))
	var msgs []mailItem
	require.Eventually(t, func() bool { msgs = devMail(t, s.api); return len(msgs) >= 1 }, 60*time.Second, 200*time.Millisecond)
	time.Sleep(3 * time.Second)
	msgs = devMail(t, s.api)
	require.Len(t, msgs, 1, "one reminder: %+v", msgs)
	require.Contains(t, msgs[0].Text, "INV-D2")
	require.NotContains(t, msgs[0].Text, "INV-D1", "the disputed invoice is held")

	decided := postJSON(t, http.MethodPost, casePath+"/decide", `{"decision": "rejected", "reason": "the goods were checked on delivery"}`, http.StatusOK)
	require.Equal(t, []any{float64(di1)}, decided["resumed_invoice_ids"])
	require.Equal(t, true, decided["account_woken"])
	require.Equal(t, true, decided["customer_emailed"], "the customer is told why: %v", decided["customer_told"])
	const why = "the goods were checked on delivery"
	// The customer gets the answer (with the reason) and a reminder of the invoice dunned again.
	var d1Mail, answers []string
	sortMail := func() {
		msgs = devMail(t, s.api)
		d1Mail, answers = nil, nil
		for _, m := range msgs {
			switch {
			case strings.Contains(m.Text, why):
				answers = append(answers, m.Subject)
			case strings.Contains(m.Text, "INV-D1"):
				d1Mail = append(d1Mail, m.Subject)
			}
		}
	}
	require.Eventually(t, func() bool { sortMail(); return len(d1Mail) >= 1 && len(answers) >= 1 }, 60*time.Second,
		200*time.Millisecond, "the rejected dispute's invoice is reminded and the customer told why")
	time.Sleep(2 * time.Second)
	sortMail()
	require.Len(t, d1Mail, 1, "INV-D1 comes back once: %+v", msgs)
	require.Len(t, answers, 1, "the rejection is emailed once: %+v", msgs)

	require.Eventually(t, func() bool {
		return getJSON(t, casePath, &detail) == http.StatusOK && detail.Live != nil && detail.Live.Status == "decided"
	}, 30*time.Second, 200*time.Millisecond, "the workflow knows the decision")
	var h struct {
		Workflow string `json:"workflow_history"`
		Entries  []struct{ Source, Action string }
	}
	require.Equal(t, http.StatusOK, getJSON(t, casePath+"/history", &h))
	require.Equal(t, "complete", h.Workflow)
	var journal []string
	workflowEvents := 0
	for _, e := range h.Entries {
		if e.Source == "journal" {
			journal = append(journal, e.Action)
		} else {
			workflowEvents++
		}
	}
	require.Equal(t, []string{"case.open", "case.comment", "case.status", "case.status", "case.decide", "case.history.view"}, journal)
	require.NotZero(t, workflowEvents, "the timeline has the workflow's side")

	if os.Getenv("RECOUP_RECORD_HISTORY") != "" {
		// workflows/testdata/case_v1_dispute_rejected.json, which the replay test holds the Case workflow to.
		recordHistory(t, s.info.Temporal, fmt.Sprintf("case/%v", k["id"]), "../workflows/testdata/case_v1_dispute_rejected.json")
	}
}

// recordHistory writes a workflow's history as protojson, for the replay tests.
func recordHistory(t *testing.T, temporalAddr, workflowID, path string) {
	t.Helper()
	ctx := context.Background()
	tc, err := tclient.Dial(ctx, temporalAddr, "default", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer tc.Close()
	saveHistory(t, tc, workflowID, path)
}

// saveHistory writes a workflow's history as protojson, the replayer's input.
func saveHistory(t *testing.T, tc client.Client, workflowID, path string) {
	t.Helper()
	ctx := context.Background()
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
}
