package integration

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"recoup/app"
	"recoup/flow"
	"recoup/store"
	"recoup/tclient"
)

// An account mid-scenario on the whole `recoup dev` stack: its first
// reminder went out; then an insolvency signal is recorded (as ingestion
// records it) and evaluated. The account's workflow, woken, sends nothing
// and ends; when the next step falls due (the invoice reimported later) no
// reminder goes either, and the legal department has its claim to declare.
func TestInsolvencyStopsAnAccountMidScenario(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	ctx := context.Background()
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"R1,E1,Failing SARL,"+s.currency+",ap@failing.example,,en,,"+s.agent.Email+"\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios",
		`{"name": "Two emails", "settings": {"min_days_between": {"email": 0}},
		  "steps": [{"offset_days": 1, "channel": "email", "template": "reminder_1"},
		            {"offset_days": 15, "channel": "email", "template": "reminder_2"}]}`, http.StatusCreated)
	r1 := s.id(t, "customers", "R1")
	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", s.api, r1), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	invoice := func(due string) string {
		return "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
			fmt.Sprintf("RI1,R1,INV-R1,invoice,%s,%s,%s,900,900\n", s.today.AddDays(-60), due, s.currency)
	}
	postCSV(t, s.api, "invoices", invoice(s.today.AddDays(-2).String()))
	mine := func() []mailItem {
		return slices.DeleteFunc(devMail(t, s.api), func(m mailItem) bool { return !slices.Contains(m.To, "ap@failing.example") })
	}
	require.Eventually(t, func() bool { return len(mine()) == 1 }, 60*time.Second, 200*time.Millisecond, "the first reminder goes out")

	// Insolvency, as ingestion records it: the signal, then the customer's latest columns.
	_, err := s.conn.Exec(ctx, `
INSERT INTO risk_signals (provider, event_id, company_id, company_id_kind, customer_id, matched_by, matched_at, observed_at,
                          legal_status, published_on, source)
VALUES ('bodacc', 'e2e-1', '123 456 789', 'registration', $1, 'registration', now(), now(), 'receivership', $2, 'webhook')`,
		r1, s.today.AddDays(-1).String())
	require.NoError(t, err)
	_, err = s.conn.Exec(ctx, `UPDATE customers SET legal_status = 'receivership', legal_status_since = $2, risk_observed_at = now() WHERE id = $1`,
		r1, s.today.AddDays(-1).String())
	require.NoError(t, err)

	pool, err := pgxpool.New(ctx, s.dbURL)
	require.NoError(t, err)
	defer pool.Close()
	log := slog.New(slog.DiscardHandler)
	tc, err := tclient.Dial(ctx, s.info.Temporal, "default", log)
	require.NoError(t, err)
	defer tc.Close()
	uc := app.New(&store.Store{Pool: pool}, flow.NewClient(tc), log)
	n, err := uc.EvaluateRiskSignals(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	// Woken, the account's workflow finds nothing to dun and ends.
	id := flow.DunningWorkflowID(r1)
	ended := func(after string) bool {
		desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		info := desc.GetWorkflowExecutionInfo()
		return info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED && info.GetExecution().GetRunId() != after
	}
	require.Eventually(t, func() bool { return ended("") }, 60*time.Second, 200*time.Millisecond, "the dunning workflow ends")
	desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
	require.NoError(t, err)
	firstRun := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()

	// The second step falls due: the import wakes the account, a new run
	// evaluates it and ends too, having sent nothing.
	postCSV(t, s.api, "invoices", invoice(s.today.AddDays(-20).String()))
	require.Eventually(t, func() bool { return ended(firstRun) }, 60*time.Second, 200*time.Millisecond, "the woken account evaluates and ends")
	require.Len(t, mine(), 1, "no reminder after the insolvency")

	var claims struct {
		Items []struct {
			Department string `json:"department"`
			DueOn      string `json:"due_on"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/cases?type=claim_declaration&customer=%d", s.api, r1), &claims))
	require.Len(t, claims.Items, 1)
	require.Equal(t, "legal", claims.Items[0].Department)
	require.NotEmpty(t, claims.Items[0].DueOn)
	var flagged bool
	require.NoError(t, s.conn.QueryRow(ctx, `SELECT in_proceedings FROM invoices WHERE customer_id = $1`, r1).Scan(&flagged))
	require.True(t, flagged)
}
