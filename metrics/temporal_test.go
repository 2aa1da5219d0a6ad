package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// sdkSetup is a fresh SDK collector in its own registry, and the handler onto it.
func sdkSetup(t *testing.T) (*prometheus.Registry, sdkHandler) {
	t.Helper()
	c := &sdkCollector{vecs: map[string]prometheus.Collector{}}
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(c))
	return reg, sdkHandler{c: c}
}

// labelsOf is every series of family name, as its non-empty labels.
func labelsOf(t *testing.T, reg prometheus.Gatherer, name string) []map[string]string {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var out []map[string]string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				if p.GetValue() != "" {
					l[p.GetName()] = p.GetValue()
				}
			}
			out = append(out, l)
		}
	}
	return out
}

func TestTemporalHandlerCounterGaugeTimer(t *testing.T) {
	reg, h := sdkSetup(t)
	tagged := h.WithTags(map[string]string{"namespace": "default", "task_queue": "recoup"}).
		WithTags(map[string]string{"activity_type": "Execute"})

	tagged.Counter("temporal_activity_execution_failed").Inc(2)
	tagged.Counter("temporal_activity_execution_failed").Inc(1)
	tagged.Counter("temporal_activity_execution_failed").Inc(-5) // ignored: a counter only goes up
	tagged.Gauge("temporal_worker_task_slots_available").Update(7)
	tagged.Gauge("temporal_worker_task_slots_available").Update(4)
	tagged.Timer("temporal_activity_schedule_to_start_latency").Record(30 * time.Millisecond)
	tagged.Timer("temporal_activity_schedule_to_start_latency").Record(2 * time.Second)

	tags := map[string]string{"namespace": "default", "task_queue": "recoup", "activity_type": "Execute"}
	require.Equal(t, 3.0, valueIn(reg, "temporal_activity_execution_failed_total", tags))
	require.Equal(t, []map[string]string{tags}, labelsOf(t, reg, "temporal_activity_execution_failed_total"))
	require.Equal(t, 4.0, valueIn(reg, "temporal_worker_task_slots_available", tags))

	// The timer is a histogram in seconds: 2 observations summing 2.03 s, one of them within 0.05 s.
	require.Equal(t, 2.0, valueIn(reg, "temporal_activity_schedule_to_start_latency_seconds", tags))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var checked bool
	for _, mf := range mfs {
		if mf.GetName() != "temporal_activity_schedule_to_start_latency_seconds" {
			continue
		}
		hist := mf.GetMetric()[0].GetHistogram()
		require.InDelta(t, 2.03, hist.GetSampleSum(), 1e-9)
		for _, b := range hist.GetBucket() {
			if b.GetUpperBound() == 0.05 {
				require.Equal(t, uint64(1), b.GetCumulativeCount())
				checked = true
			}
		}
	}
	require.True(t, checked, "the 0.05 s bucket was found")
}

// The SDK tags one metric differently from call to call: the family keeps
// one set of label names (a registry refuses mixed ones), and a tag outside
// the SDK's list (anything that could carry an id) is dropped.
func TestTemporalHandlerMixedTagsAndUnknownTags(t *testing.T) {
	reg, h := sdkSetup(t)
	h.Counter("temporal_request").Inc(1)
	h.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(1)
	h.WithTags(map[string]string{"operation": "PollActivityTaskQueue", "workflow_id": "dunning/42"}).Counter("temporal_request").Inc(1)

	require.ElementsMatch(t, []map[string]string{{}, {"operation": "StartWorkflowExecution"}, {"operation": "PollActivityTaskQueue"}},
		labelsOf(t, reg, "temporal_request_total"))
	require.Equal(t, 3.0, valueIn(reg, "temporal_request_total", nil))
}

// WithTags returns a new handler: the parent's tags are not changed by a child's.
func TestTemporalHandlerWithTagsDoesNotShare(t *testing.T) {
	reg, h := sdkSetup(t)
	parent := h.WithTags(map[string]string{"namespace": "a"})
	_ = parent.WithTags(map[string]string{"namespace": "b"})
	parent.Counter("temporal_worker_start").Inc(1)
	require.Equal(t, []map[string]string{{"namespace": "a"}}, labelsOf(t, reg, "temporal_worker_start_total"))
}

func TestSDKNamesHaveTheirSuffix(t *testing.T) {
	names := SDKNames()
	require.Contains(t, names, "temporal_workflow_task_schedule_to_start_latency_seconds")
	require.Contains(t, names, "temporal_request_failure_total")
	require.Contains(t, names, "temporal_worker_task_slots_used")
	require.Len(t, names, len(sdkMetrics))
}

// Names covers Recoup's families (even before any is used) and the runtime's.
func TestNames(t *testing.T) {
	names := Names()
	for _, n := range []string{HTTPRequestsName, MessagesName, ImportDurationName, ActivityFailuresName,
		"go_goroutines", "process_resident_memory_bytes", "temporal_activity_schedule_to_start_latency_seconds"} {
		require.Contains(t, names, n)
	}
}
