package worker_test

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/flow"
	"recoup/worker"
)

// recorder keeps what the worker registers; the rest of the registry is not used.
type recorder struct {
	sdkworker.Registry
	workflows, activities map[string]any
}

func (r *recorder) RegisterWorkflowWithOptions(fn any, o workflow.RegisterOptions) {
	r.workflows[o.Name] = fn
}
func (r *recorder) RegisterActivityWithOptions(fn any, o activity.RegisterOptions) {
	r.activities[o.Name] = fn
}

// sdkName is the name the SDK gives a function or method value when code
// refers to it directly (workflows call activities by method value).
func sdkName(fn any) string {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	return name[strings.LastIndex(name, ".")+1:]
}

// The registered names are the contract with running workflows and recorded
// histories: the compliance timeline decodes them, Temporal resumes by them.
// Renaming one is a breaking change, so this list is written out here.
func TestRegisteredNamesAreTheContract(t *testing.T) {
	r := &recorder{workflows: map[string]any{}, activities: map[string]any{}}
	worker.Register(r, worker.Activities{})

	require.ElementsMatch(t, []string{"Dunning", "WakeAccounts", "SweepOpenAccounts", "SystemCheck", "Handover",
		"CustomerNotice", "Digest", "Case", "CatchUp", "WeeklyReport", "Webhook", "EventRetention"}, keys(r.workflows))
	require.ElementsMatch(t, flow.Workflows, keys(r.workflows))
	require.ElementsMatch(t, []string{"LoadAccount", "Reassign", "Execute", "Fallback", "WakeImported", "WakeOpen", "Counts",
		"HandOver", "HandBack", "CheckPromise", "HoldInvoice", "ReleaseInvoice", "NoticeSchedule", "SendNotice", "SendDigests",
		"CaseAlert", "DecideCase", "SetCaseStatus", "ReopenCase", "CloseCase", "CatchUpTemporal", "SendReport", "DeliverWebhook", "StopWebhook", "DeleteOldEvents"},
		keys(r.activities))
	require.ElementsMatch(t, flow.Activities, keys(r.activities))
	for _, registered := range []map[string]any{r.workflows, r.activities} {
		for name, fn := range registered {
			require.Equal(t, name, sdkName(fn), "a workflow calling %s by method value reaches the name it is registered under", name)
		}
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A cache size setting is a positive whole number; empty takes the default.
func TestCacheSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  bool
	}{
		{"", 10_000, false},
		{"  ", 10_000, false},
		{"2500", 2500, false},
		{" 1 ", 1, false},
		{"0", 0, true},
		{"-5", 0, true},
		{"10k", 0, true},
	} {
		got, err := worker.CacheSize("RECOUP_WORKFLOW_CACHE_SIZE", tc.in, worker.DefaultWorkflowCacheSize)
		if tc.err {
			require.ErrorContains(t, err, "RECOUP_WORKFLOW_CACHE_SIZE", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestEventsRetentionDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  bool
	}{
		{"", 90, false},
		{" 30 ", 30, false},
		{"0", 0, false},
		{"-1", 0, true},
		{"90d", 0, true},
		{"36501", 0, true},
	} {
		got, err := worker.EventsRetentionDays(tc.in)
		if tc.err {
			require.ErrorContains(t, err, "RECOUP_EVENTS_RETENTION_DAYS", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}
