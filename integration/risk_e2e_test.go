package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"recoup/flow"
	"recoup/risk"
	"recoup/tclient"
)

// An account mid-scenario on the whole `recoup dev` stack: its first
// reminder went out; then a provider's insolvency signal arrives on the
// signed risk webhook. The account's workflow, woken, sends nothing
// and ends; when the next step falls due (the invoice reimported later) no
// reminder goes either, and the legal department has its claim to declare.
func TestInsolvencyStopsAnAccountMidScenario(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	ctx := context.Background()
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email,registration_number\n"+
		"R1,E1,Failing SARL,"+s.currency+",ap@failing.example,,en,,"+s.agent.Email+",123456789\n")
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

	// Insolvency, as a provider sends it: a signed body on the risk webhook,
	// matched to the customer by its registration number. The answer comes
	// once the signal is stored and the rules have run.
	provider := postJSON(t, http.MethodPost, s.api+"/api/v1/risk/providers", `{"name": "watch", "adapter": "generic"}`, http.StatusCreated)
	body := fmt.Sprintf(`{"signals": [{"event_id": "e2e-1", "company_id": "123 456 789", "company_id_kind": "registration",
	  "observed_at": %q, "legal_status": "receivership", "published_on": %q}]}`,
		time.Now().UTC().Format(time.RFC3339), s.today.AddDays(-1).String())
	req, err := http.NewRequest(http.MethodPost, s.api+"/webhooks/risk/watch", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	now := time.Now()
	req.Header.Set(risk.TimestampHeader, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(risk.SignatureHeader, risk.Sign(provider["secret"].(string), now, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	require.Contains(t, string(answer), `"matched":1`)

	log := slog.New(slog.DiscardHandler)
	tc, err := tclient.Dial(ctx, s.info.Temporal, "default", log)
	require.NoError(t, err)
	defer tc.Close()

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
