package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// TemporalHandler is the Temporal SDK's client.MetricsHandler onto this
// registry: every client Recoup dials (api, worker, dev) passes it, so the
// SDK's counters, gauges and timers (poll latency, schedule-to-start, task
// slots, request failures...) appear at /metrics next to Recoup's own.
func TemporalHandler() client.MetricsHandler { return sdkHandler{c: temporalSDK} }

// sdkTags are the tag keys the SDK puts on its metrics (its
// internal/common/metrics constants). Every SDK metric has all of them as
// labels, empty when a call did not set it (Prometheus drops empty labels),
// because one metric family must always have the same label names while the
// SDK tags one metric differently from call to call. A tag outside this list
// is dropped: the SDK sets none that carries an id.
var sdkTags = []string{"namespace", "client_name", "poller_type", "worker_type", "workflow_type", "activity_type",
	"nexus_service", "nexus_operation", "failure_reason", "task_queue", "operation", "cause", "status_code"}

type sdkKind int

const (
	sdkCounter sdkKind = iota
	sdkGauge
	sdkTimer
)

// sdkMetrics are the SDK's metric names (without their Prometheus suffix)
// and kinds, for SDKNames; a name the SDK adds later still works, by the kind
// it is asked for.
var sdkMetrics = map[string]sdkKind{
	"temporal_workflow_completed": sdkCounter, "temporal_workflow_canceled": sdkCounter,
	"temporal_workflow_failed": sdkCounter, "temporal_workflow_continue_as_new": sdkCounter,
	"temporal_workflow_task_queue_poll_empty": sdkCounter, "temporal_workflow_task_queue_poll_succeed": sdkCounter,
	"temporal_workflow_task_execution_failed": sdkCounter, "temporal_workflow_task_no_completion": sdkCounter,
	"temporal_activity_poll_no_task": sdkCounter, "temporal_activity_execution_failed": sdkCounter,
	"temporal_unregistered_activity_invocation": sdkCounter, "temporal_activity_task_error": sdkCounter,
	"temporal_local_activity_total": sdkCounter, "temporal_local_activity_execution_cancelled": sdkCounter,
	"temporal_local_activity_execution_failed": sdkCounter, "temporal_local_activity_error": sdkCounter,
	"temporal_corrupted_signals": sdkCounter, "temporal_worker_start": sdkCounter, "temporal_poller_start": sdkCounter,
	"temporal_request": sdkCounter, "temporal_request_failure": sdkCounter, "temporal_long_request": sdkCounter,
	"temporal_long_request_failure": sdkCounter, "temporal_request_resource_exhausted": sdkCounter,
	"temporal_long_request_resource_exhausted": sdkCounter, "temporal_sticky_cache_hit": sdkCounter,
	"temporal_sticky_cache_miss": sdkCounter, "temporal_sticky_cache_total_forced_eviction": sdkCounter,
	"temporal_nexus_poll_no_task": sdkCounter, "temporal_nexus_task_execution_failed": sdkCounter,

	"temporal_worker_task_slots_available": sdkGauge, "temporal_worker_task_slots_used": sdkGauge,
	"temporal_num_pollers": sdkGauge, "temporal_sticky_cache_size": sdkGauge,
	"temporal_workflow_active_thread_count": sdkGauge,

	"temporal_workflow_endtoend_latency": sdkTimer, "temporal_workflow_task_replay_latency": sdkTimer,
	"temporal_workflow_task_schedule_to_start_latency": sdkTimer, "temporal_workflow_task_execution_latency": sdkTimer,
	"temporal_activity_schedule_to_start_latency": sdkTimer, "temporal_activity_execution_latency": sdkTimer,
	"temporal_activity_succeed_endtoend_latency": sdkTimer, "temporal_local_activity_execution_latency": sdkTimer,
	"temporal_local_activity_succeed_endtoend_latency": sdkTimer, "temporal_request_latency": sdkTimer,
	"temporal_long_request_latency": sdkTimer, "temporal_nexus_task_schedule_to_start_latency": sdkTimer,
	"temporal_nexus_task_execution_latency": sdkTimer, "temporal_nexus_task_endtoend_latency": sdkTimer,
}

// exposed is the Prometheus name of an SDK metric: counters end in _total,
// timers are histograms in seconds.
func exposed(name string, k sdkKind) string {
	switch k {
	case sdkCounter:
		if strings.HasSuffix(name, "_total") { // temporal_local_activity_total
			return name
		}
		return name + "_total"
	case sdkTimer:
		return name + "_seconds"
	}
	return name
}

// SDKNames lists the Prometheus names of the Temporal SDK's metrics.
func SDKNames() []string {
	var out []string
	for name, k := range sdkMetrics {
		out = append(out, exposed(name, k))
	}
	slices.Sort(out)
	return out
}

// sdkTimerBuckets span a schedule-to-start of a millisecond to a long poll.
var sdkTimerBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// sdkCollector holds one vector per SDK metric, made when the SDK first asks
// for it. It describes nothing up front (an unchecked collector): the SDK's
// names are only known as it uses them.
type sdkCollector struct {
	mu   sync.Mutex
	vecs map[string]prometheus.Collector // by exposed name
}

var temporalSDK = &sdkCollector{vecs: map[string]prometheus.Collector{}}

func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	vecs := slices.Collect(maps.Values(c.vecs))
	c.mu.Unlock()
	for _, v := range vecs {
		v.Collect(ch)
	}
}

// vec returns the vector of name as kind k, making it on first use (the
// suffix of its exposed name tells the kinds apart).
func (c *sdkCollector) vec(name string, k sdkKind) prometheus.Collector {
	full := exposed(name, k)
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.vecs[full]; ok {
		return v
	}
	help := "Temporal SDK metric " + name + "."
	var v prometheus.Collector
	switch k {
	case sdkCounter:
		v = prometheus.NewCounterVec(prometheus.CounterOpts{Name: full, Help: help}, sdkTags)
	case sdkGauge:
		v = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: full, Help: help}, sdkTags)
	default:
		v = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: full, Help: help, Buckets: sdkTimerBuckets}, sdkTags)
	}
	c.vecs[full] = v
	return v
}

// sdkHandler is client.MetricsHandler with the tags set so far.
type sdkHandler struct {
	c    *sdkCollector
	tags map[string]string
}

func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range tags {
		if slices.Contains(sdkTags, k) {
			merged[k] = v
		}
	}
	return sdkHandler{c: h.c, tags: merged}
}

func (h sdkHandler) labels() prometheus.Labels {
	l := make(prometheus.Labels, len(sdkTags))
	for _, k := range sdkTags {
		l[k] = h.tags[k]
	}
	return l
}

func (h sdkHandler) Counter(name string) client.MetricsCounter {
	c := h.c.vec(name, sdkCounter).(*prometheus.CounterVec).With(h.labels())
	return counterFunc(func(d int64) {
		if d > 0 { // a Prometheus counter only goes up
			c.Add(float64(d))
		}
	})
}

func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	return gaugeFunc(h.c.vec(name, sdkGauge).(*prometheus.GaugeVec).With(h.labels()).Set)
}

func (h sdkHandler) Timer(name string) client.MetricsTimer {
	o := h.c.vec(name, sdkTimer).(*prometheus.HistogramVec).With(h.labels())
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
