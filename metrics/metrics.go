// Package metrics owns Recoup's Prometheus registry and every collector in it:
// the figures of HTTP requests, messages, tasks, imports and activities, the
// Temporal SDK's own metrics (through TemporalHandler), and the Go runtime and
// process collectors. Callers record through the functions here; Handler
// serves the registry at /metrics.
//
// No label ever carries a customer, invoice, user or workflow id or an email
// address: labels are route templates, status codes, channels, outcomes,
// kinds and Temporal type names, so /metrics can be scraped without leaking
// customer data and its series stay few.
package metrics

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// registry is the one registry of the process: in `recoup dev` the API and the
// worker share it, so the API's /metrics shows both.
var registry = prometheus.NewRegistry()

// declared is the name of every metric family registered below, for Names.
var declared []string

func register[C prometheus.Collector](name string, c C) C {
	registry.MustRegister(c)
	declared = append(declared, name)
	return c
}

// Metric names, declared once: the dashboard and the README name the same.
const (
	HTTPRequestsName     = "recoup_http_requests_total"
	HTTPDurationName     = "recoup_http_request_duration_seconds"
	MessagesName         = "recoup_messages_total"
	TasksCreatedName     = "recoup_tasks_created_total"
	TasksClosedName      = "recoup_tasks_closed_total"
	ImportsName          = "recoup_imports_total"
	ImportRowsName       = "recoup_import_rows_total"
	ImportDurationName   = "recoup_import_duration_seconds"
	ActivityFailuresName = "recoup_activity_failures_total"
	ActivityRetriesName  = "recoup_activity_retries_total"
)

// UnmatchedRoute is the route label of a request no route matched: one label
// for every unknown path, so a scanner cannot create a series per path.
const UnmatchedRoute = "unmatched"

var (
	httpRequests = register(HTTPRequestsName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: HTTPRequestsName,
		Help: "HTTP requests served, by method, route template and status code.",
	}, []string{"method", "route", "status"}))
	httpDuration = register(HTTPDurationName, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    HTTPDurationName,
		Help:    "Time to answer an HTTP request, by method and route template.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method", "route"}))
	messages = register(MessagesName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MessagesName,
		Help: "Dunning actions carried out, by the channel used and outcome (sent, fallback, failed, skipped, duplicate_prevented).",
	}, []string{"channel", "outcome"}))
	tasksCreated = register(TasksCreatedName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: TasksCreatedName,
		Help: "Tasks created for people, by kind.",
	}, []string{"kind"}))
	tasksClosed = register(TasksClosedName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: TasksClosedName,
		Help: "Tasks closed, by how (closed, completed).",
	}, []string{"how"}))
	imports = register(ImportsName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: ImportsName,
		Help: "ERP imports run, by kind and result (done, refused: the file was unreadable and nothing was imported).",
	}, []string{"kind", "result"}))
	importRows = register(ImportRowsName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: ImportRowsName,
		Help: "Rows of ERP imports, by kind and outcome (inserted, updated, unchanged, rejected).",
	}, []string{"kind", "outcome"}))
	importDuration = register(ImportDurationName, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    ImportDurationName,
		Help:    "Time an ERP import took, by kind.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
	}, []string{"kind"}))
	activityFailures = register(ActivityFailuresName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: ActivityFailuresName,
		Help: "Activity attempts that returned an error, by activity type and whether Temporal retries it (retryable: true/false).",
	}, []string{"activity_type", "retryable"}))
	activityRetries = register(ActivityRetriesName, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: ActivityRetriesName,
		Help: "Activity attempts after the first (a retry of a failed attempt), by activity type.",
	}, []string{"activity_type"}))
)

func init() {
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registry.MustRegister(temporalSDK)
}

// Handler serves the registry in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry})
}

// WorkerHandler is what the worker serves at RECOUP_METRICS_ADDR: /metrics,
// and /healthz (alive: the compose file's health check of the worker).
func WorkerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	return mux
}

// Registry is the process's registry, for tests and for Gather.
func Registry() *prometheus.Registry { return registry }

// HTTPRequest records one answered request. route is the matched route
// template ("/api/v1/customers/:id"); "" (no route matched) is UnmatchedRoute.
func HTTPRequest(method, route string, status int, took time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	if !knownMethod(method) {
		method = "other" // an arbitrary method string must not make a series
	}
	httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	httpDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// OutcomeDuplicatePrevented is the outcome of a dunning action whose key an
// earlier run had already finished: nothing was sent again.
const OutcomeDuplicatePrevented = "duplicate_prevented"

// Message records what became of one dunning action: its channel (the one
// used) and its outcome (a message log status, or OutcomeDuplicatePrevented).
func Message(channel, outcome string) {
	messages.WithLabelValues(channel, outcome).Inc()
}

// TaskCreated counts a new task of kind.
func TaskCreated(kind string) { tasksCreated.WithLabelValues(kind).Inc() }

// TaskClosed counts a task closed ("closed") or completed with an outcome ("completed").
func TaskClosed(how string) { tasksClosed.WithLabelValues(how).Inc() }

// ImportRows is what one import did with its rows.
type ImportRows struct {
	Inserted, Updated, Unchanged, Rejected int64
}

// Import records one finished import of kind: its rows by outcome and its duration.
func Import(kind string, rows ImportRows, took time.Duration) {
	imports.WithLabelValues(kind, "done").Inc()
	for outcome, n := range map[string]int64{"inserted": rows.Inserted, "updated": rows.Updated,
		"unchanged": rows.Unchanged, "rejected": rows.Rejected} {
		importRows.WithLabelValues(kind, outcome).Add(float64(n))
	}
	importDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// ImportRefused records an import whose file could not be read at all.
func ImportRefused(kind string) { imports.WithLabelValues(kind, "refused").Inc() }

// ActivityAttempt records one finished activity attempt: a retry when
// attempt > 1, a failure when failed.
func ActivityAttempt(activityType string, attempt int32, failed, retryable bool) {
	if attempt > 1 {
		activityRetries.WithLabelValues(activityType).Inc()
	}
	if failed {
		activityFailures.WithLabelValues(activityType, strconv.FormatBool(retryable)).Inc()
	}
}

// Names lists every metric family this process can expose: Recoup's own, the
// Temporal SDK's (SDKNames) and the runtime and process collectors'. The
// compose test holds the Grafana dashboard to it.
func Names() []string {
	names := slices.Clone(declared)
	names = append(names, SDKNames()...)
	if mfs, err := registry.Gather(); err == nil {
		for _, mf := range mfs {
			names = append(names, mf.GetName())
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Value is the current value of the series of family name whose labels
// include match (summed over the series that do): a counter's or gauge's
// value, a histogram's observation count. Tests read figures through it.
func Value(name string, match map[string]string) float64 {
	return valueIn(registry, name, match)
}

func valueIn(g prometheus.Gatherer, name string, match map[string]string) float64 {
	mfs, err := g.Gather()
	if err != nil {
		return 0
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for k, v := range match {
				if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == k && l.GetValue() == v }) {
					continue series
				}
			}
			switch {
			case m.Counter != nil:
				sum += m.GetCounter().GetValue()
			case m.Gauge != nil:
				sum += m.GetGauge().GetValue()
			case m.Histogram != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}
