package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"recoup/workflows"
)

// Histories recorded from real runs (testdata/dunning_*.json, exported from
// `recoup dev` or an embedded server with the SDK's GetWorkflowHistory as
// protojson; dunning_v2_promises_checked.json: a broken promise whose hold had
// ended, then a kept one, on the check-promises version;
// dunning_v2_plan_instalments.json: a plan whose first instalment is met, then
// completed; dunning_v3_statement_merged.json: one merged email for an
// invoice at +7 and one due today on the statement-per-channel version,
// recorded by integration's TestRecordStatementHistory;
// dunning_v4_local_reassign.json: an account reassigned twice by update on
// the local-reassign version, recorded by TestRecordLocalReassignHistory;
// dunning_v5_all_changes.json: a reminder, then two moves by update, on the
// all-changes version, recorded by TestRecordAllChangesHistory) must replay
// with today's code: a change that would break running
// workflows fails here and needs workflow.GetVersion.
//
// A Case workflow's recorded history (testdata/case_v1_dispute_rejected.json:
// a dispute commented on, put waiting for the customer and back, then
// rejected, recorded by integration's TestDisputeHoldsOnlyItsInvoiceUntilRejected
// with RECOUP_RECORD_HISTORY=1) must replay with today's code.
//
// Webhook workflows' histories (testdata/webhook_*.json, recorded by
// integration's TestRecordWebhookHistory: deliveries, idle rounds, a receiver
// down and back, the subscription turned off; webhook_v0_polling.json
// before the long poll, looking again every 2 s) must replay too.
func TestRecordedHistoriesReplay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		glob     string
		workflow any
	}{
		{"testdata/dunning_*.json", workflows.Dunning},
		{"testdata/case_*.json", workflows.Case},
		{"testdata/webhook_*.json", workflows.Webhook},
	} {
		files, err := filepath.Glob(tc.glob)
		require.NoError(t, err)
		require.NotEmpty(t, files, tc.glob)
		for _, f := range files {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(tc.workflow)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, f), f)
		}
	}
}
