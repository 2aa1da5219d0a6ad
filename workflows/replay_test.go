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
// the local-reassign version, recorded by TestRecordLocalReassignHistory) must replay with today's code: a change that would break running
// workflows fails here and needs workflow.GetVersion.
func TestDunningReplaysRecordedHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/dunning_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		replayer := worker.NewWorkflowReplayer()
		replayer.RegisterWorkflow(workflows.Dunning)
		require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, f), f)
	}
}

// A Case workflow's recorded history (testdata/case_v1_dispute_rejected.json:
// a dispute commented on, put waiting for the customer and back, then
// rejected, recorded by integration's TestDisputeHoldsOnlyItsInvoiceUntilRejected
// with RECOUP_RECORD_HISTORY=1) must replay with today's code.
func TestCaseReplaysRecordedHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/case_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		replayer := worker.NewWorkflowReplayer()
		replayer.RegisterWorkflow(workflows.Case)
		require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, f), f)
	}
}
