package deploy

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"recoup/metrics"
)

// mounted returns the host file or directory service mounts at target.
func mounted(t *testing.T, s service, target string) string {
	t.Helper()
	for _, v := range s.Volumes {
		src, rest, _ := strings.Cut(v, ":")
		dst, _, _ := strings.Cut(rest, ":")
		if dst == target {
			return src
		}
	}
	require.Failf(t, "volume not mounted", "nothing is mounted at %s (volumes %v)", target, s.Volumes)
	return ""
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err, "address %q", addr)
	return port
}

type scrapeConfig struct {
	JobName     string `yaml:"job_name"`
	MetricsPath string `yaml:"metrics_path"`
	DNSSD       []struct {
		Names []string `yaml:"names"`
		Type  string   `yaml:"type"`
		Port  int      `yaml:"port"`
	} `yaml:"dns_sd_configs"`
	Static []struct {
		Targets []string `yaml:"targets"`
	} `yaml:"static_configs"`
}

// targets is every host:port a scrape config names.
func (c scrapeConfig) targets() []string {
	var out []string
	for _, d := range c.DNSSD {
		for _, n := range d.Names {
			out = append(out, net.JoinHostPort(n, strconv.Itoa(d.Port)))
		}
	}
	for _, st := range c.Static {
		out = append(out, st.Targets...)
	}
	return out
}

// Prometheus scrapes /metrics of every api and worker, at the port each
// listens on in compose (the api on RECOUP_HTTP_ADDR, the worker on
// RECOUP_METRICS_ADDR), and only services compose defines.
func TestCompose_PrometheusScrapesApiAndWorker(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	prom := loadService(t, "prometheus")
	require.Contains(t, prom.DependsOn, "api")
	require.Contains(t, prom.DependsOn, "worker")
	b, err := os.ReadFile(mounted(t, prom, "/etc/prometheus/prometheus.yml"))
	require.NoError(t, err)
	var cfg struct {
		ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &cfg))

	env := loadService(t, "api").Environment
	want := map[string]string{ // service: the port its /metrics is on
		"api":    portOf(t, env["RECOUP_HTTP_ADDR"]),
		"worker": portOf(t, env["RECOUP_METRICS_ADDR"]),
	}
	scraped := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		require.Contains(t, []string{"", "/metrics"}, sc.MetricsPath, "job %s", sc.JobName)
		require.NotEmpty(t, sc.targets(), "job %s has targets", sc.JobName)
		for _, target := range sc.targets() {
			host, port, err := net.SplitHostPort(target)
			require.NoError(t, err)
			require.Containsf(t, f.Services, host, "job %s scrapes %s, which is no compose service", sc.JobName, target)
			require.Containsf(t, want, host, "job %s: only api and worker serve Recoup's /metrics", sc.JobName)
			require.Equalf(t, want[host], port, "job %s scrapes %s at the port it listens on", sc.JobName, host)
			scraped[host] = true
		}
	}
	require.True(t, scraped["api"] && scraped["worker"], "both api and worker are scraped: %v", scraped)
}

// promNames finds the metric names in a PromQL expression: identifiers
// outside strings, label matchers, ranges and grouping clauses that are not
// PromQL's own words.
var (
	promStrings  = regexp.MustCompile(`"[^"]*"|\{[^}]*\}|\[[^\]]*\]|\b(by|without|on|ignoring)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = []string{"sum", "by", "without", "rate", "increase", "irate", "histogram_quantile", "clamp_min",
		"avg", "max", "min", "count", "le", "on", "ignoring", "and", "or", "unless", "e"}
)

func promNames(expr string) []string {
	var out []string
	for _, id := range promIdent.FindAllString(promStrings.ReplaceAllString(expr, " "), -1) {
		if !slices.Contains(promKeywords, id) {
			out = append(out, id)
		}
	}
	return out
}

// Grafana is provisioned with the Prometheus service as its data source and
// the Recoup dashboard, whose queries name only metrics Recoup registers and
// cover what an operator watches.
func TestCompose_GrafanaShowsTheRecoupDashboard(t *testing.T) {
	t.Parallel()
	graf := loadService(t, "grafana")
	require.Contains(t, graf.DependsOn, "prometheus")
	provisioning := mounted(t, graf, "/etc/grafana/provisioning")
	dashboards := mounted(t, graf, "/var/lib/grafana/dashboards")

	var ds struct {
		Datasources []struct {
			UID, Type, URL string
		} `yaml:"datasources"`
	}
	b, err := os.ReadFile(provisioning + "/datasources/prometheus.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &ds))
	require.Len(t, ds.Datasources, 1)
	u, err := url.Parse(ds.Datasources[0].URL)
	require.NoError(t, err)
	require.Equal(t, "prometheus", u.Hostname(), "the data source is the compose service")
	var promPorts []string
	for _, p := range loadService(t, "prometheus").Ports {
		promPorts = append(promPorts, fmt.Sprint(p.Target))
	}
	require.Contains(t, promPorts, u.Port(), "at the port Prometheus listens on")

	var prov struct {
		Providers []struct {
			Options struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	b, err = os.ReadFile(provisioning + "/dashboards/recoup.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &prov))
	require.Len(t, prov.Providers, 1)
	require.Equal(t, "/var/lib/grafana/dashboards", prov.Providers[0].Options.Path)

	b, err = os.ReadFile(dashboards + "/recoup.json")
	require.NoError(t, err)
	var dash struct {
		UID    string
		Panels []struct {
			Title      string
			Datasource struct{ UID string }
			Targets    []struct {
				Expr       string
				Datasource struct{ UID string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &dash), "the dashboard is JSON")
	require.NotEmpty(t, dash.Panels)

	known := metrics.Names()
	used := map[string]bool{}
	for _, p := range dash.Panels {
		require.Equalf(t, ds.Datasources[0].UID, p.Datasource.UID, "panel %q uses the provisioned data source", p.Title)
		require.NotEmptyf(t, p.Targets, "panel %q has queries", p.Title)
		for _, q := range p.Targets {
			require.Equal(t, ds.Datasources[0].UID, q.Datasource.UID)
			names := promNames(q.Expr)
			require.NotEmptyf(t, names, "panel %q: %s names a metric", p.Title, q.Expr)
			for _, n := range names {
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if trimmed, ok := strings.CutSuffix(n, suffix); ok && slices.Contains(known, trimmed) {
						base = trimmed
					}
				}
				require.Containsf(t, known, base, "panel %q queries %s, which Recoup does not expose", p.Title, n)
				used[base] = true
			}
		}
	}
	for _, n := range []string{metrics.HTTPRequestsName, metrics.HTTPDurationName, metrics.MessagesName,
		metrics.TasksCreatedName, metrics.TasksClosedName, metrics.ImportRowsName, metrics.ImportDurationName,
		metrics.ActivityFailuresName, metrics.ActivityRetriesName,
		"temporal_activity_schedule_to_start_latency_seconds", "temporal_workflow_task_schedule_to_start_latency_seconds"} {
		require.Truef(t, used[n], "the dashboard shows %s", n)
	}
}
