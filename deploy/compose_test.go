// Package deploy holds only tests: they check that docker-compose.yml, the
// Dockerfile and the README describe the same production shape as the code,
// so a setting added to config.Settings cannot be forgotten in compose or in
// the docs.
//
// The compose tests render ../docker-compose.yml with Debian's docker-compose
// 1.29 (`docker-compose config`), which needs no Docker engine.
package deploy

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"recoup/config"
)

const composePath = "../docker-compose.yml"

// The services of the production shape; the README names the same ones.
var serviceNames = []string{"postgres", "temporal", "temporal-ui", "mail", "migrate", "api", "worker", "prometheus", "grafana"}

// recoupServices run the recoup image; each one's command is its own name.
var recoupServices = []string{"migrate", "api", "worker"}

// devOnly settings belong to `recoup dev` and have no place in production.
var devOnly = map[string]bool{"RECOUP_DATA_DIR": true, "RECOUP_TEMPORAL_UI_ADDR": true, "RECOUP_TEMPORAL_HISTORY_CACHE": true}

// productionSettings are the variables api and worker must be given.
func productionSettings() []string {
	var out []string
	for _, s := range config.Settings {
		if !devOnly[s.Env] {
			out = append(out, s.Env)
		}
	}
	return out
}

// composeFile is the part of `docker-compose config` output the tests read.
type composeFile struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string       `yaml:"image"`
	Build       build        `yaml:"build"`
	Command     []string     `yaml:"command"`
	Environment environment  `yaml:"environment"`
	DependsOn   dependsOn    `yaml:"depends_on"`
	Ports       []port       `yaml:"ports"`
	Volumes     []string     `yaml:"volumes"`
	Healthcheck *healthcheck `yaml:"healthcheck"`
	Restart     string       `yaml:"restart"`
}

type healthcheck struct {
	Test []string `yaml:"test"`
}

type port struct {
	Published any `yaml:"published"`
	Target    any `yaml:"target"`
}

func (p port) String() string { return fmt.Sprintf("%v:%v", p.Published, p.Target) }

// build is `build: .` or `build: {context: .}`.
type build struct{ Context string }

func (b *build) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&b.Context)
	}
	var m struct {
		Context string `yaml:"context"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	b.Context = m.Context
	return nil
}

// environment is a mapping or a list of KEY=VALUE; a bare key maps to "".
type environment map[string]string

func (e *environment) UnmarshalYAML(n *yaml.Node) error {
	out := environment{}
	switch n.Kind {
	case yaml.MappingNode:
		var m map[string]*string
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			if v != nil {
				out[k] = *v
			} else {
				out[k] = ""
			}
		}
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		for _, kv := range l {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
	default:
		return fmt.Errorf("environment: unexpected YAML kind %v", n.Kind)
	}
	*e = out
	return nil
}

// dependsOn maps each dependency to its condition (service_started for the list form).
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	out := dependsOn{}
	switch n.Kind {
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		for _, s := range l {
			out[s] = "service_started"
		}
	case yaml.MappingNode:
		var m map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		for s, c := range m {
			if c.Condition == "" {
				c.Condition = "service_started"
			}
			out[s] = c.Condition
		}
	default:
		return fmt.Errorf("depends_on: unexpected YAML kind %v", n.Kind)
	}
	*d = out
	return nil
}

const composeMissing = "docker-compose not found: install Debian's package with `apt-get install -y docker-compose` (make test does this)"

// renderCompose runs `docker-compose -f ../docker-compose.yml config` with
// every recoup setting removed from the environment, then with extra set,
// so the result does not depend on the shell the tests run in.
func renderCompose(extra map[string]string) (*composeFile, error) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		return nil, fmt.Errorf("%s (%v)", composeMissing, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", composePath, "config")
	cmd.Env = composeEnv(extra)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("docker-compose -f %s config: %v\n%s", composePath, err, stderr.String())
	}
	var f composeFile
	if err := yaml.Unmarshal(stdout.Bytes(), &f); err != nil {
		return nil, fmt.Errorf("parse docker-compose config output: %v\n%s", err, stdout.String())
	}
	return &f, nil
}

func composeEnv(extra map[string]string) []string {
	drop := map[string]bool{"POSTGRES_PASSWORD": true}
	for _, e := range config.Envs() {
		drop[e] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

var defaultCompose = sync.OnceValues(func() (*composeFile, error) { return renderCompose(nil) })

// loadCompose returns the rendered compose file; it fails the test when
// docker-compose is missing or rejects the file, and never skips.
func loadCompose(t *testing.T) *composeFile {
	t.Helper()
	f, err := defaultCompose()
	require.NoError(t, err)
	return f
}

func loadService(t *testing.T, name string) service {
	t.Helper()
	s, ok := loadCompose(t).Services[name]
	require.Truef(t, ok, "docker-compose.yml has no service %q", name)
	return s
}

func TestCompose_DockerComposeValidatesItWithoutAnEngine(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	require.NotEmpty(t, f.Services)
}

func TestCompose_DefinesTheProductionServices(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	for _, name := range serviceNames {
		require.Containsf(t, f.Services, name, "docker-compose.yml must define service %q", name)
	}
}

func TestCompose_ApiAndWorkerGetEveryProductionSetting(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"api", "worker"} {
		env := loadService(t, name).Environment
		for _, v := range productionSettings() {
			require.Containsf(t, env, v,
				"service %s lacks %s: every setting of config.Settings except the dev-only ones belongs in x-recoup-env", name, v)
		}
	}
}

func TestCompose_DevOnlySettingsExistAndStayOutOfProduction(t *testing.T) {
	t.Parallel()
	envs := config.Envs()
	for v := range devOnly {
		require.Containsf(t, envs, v, "dev-only setting %s is no longer in config.Settings; update devOnly", v)
	}
	for _, name := range recoupServices {
		env := loadService(t, name).Environment
		for v := range devOnly {
			require.NotContainsf(t, env, v, "service %s sets the dev-only %s", name, v)
		}
	}
}

func TestCompose_RecoupServicesShareOneEnvironment(t *testing.T) {
	t.Parallel()
	api := loadService(t, "api").Environment
	for _, name := range []string{"migrate", "worker"} {
		require.Equalf(t, api, loadService(t, name).Environment, "%s and api must both use x-recoup-env", name)
	}
}

func TestCompose_RecoupServicesPointAtTheComposeServices(t *testing.T) {
	t.Parallel()
	env := loadService(t, "api").Environment

	db, err := url.Parse(env["DATABASE_URL"])
	require.NoError(t, err)
	require.Equal(t, "postgres", db.Scheme)
	require.Equal(t, "postgres:5432", db.Host)
	require.Equal(t, "/recoup", db.Path)
	require.Equal(t, "recoup", db.User.Username())

	require.Equal(t, "temporal:7233", env["TEMPORAL_ADDRESS"])
	require.Equal(t, "default", env["TEMPORAL_NAMESPACE"])
	require.Equal(t, ":8080", env["RECOUP_HTTP_ADDR"])

	smtp, err := url.Parse(env["SMTP_URL"])
	require.NoError(t, err)
	require.Equal(t, "mail:1025", smtp.Host)
}

func TestCompose_PassesTwilioCredentialsThroughFromTheHost(t *testing.T) {
	t.Parallel()
	host := map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123456789",
		"TWILIO_AUTH_TOKEN":  "token-from-host",
		"TWILIO_FROM_NUMBER": "+15005550006",
		"TWILIO_API_URL":     "http://twilio.test",
		"RECOUP_MAIL_FROM":   "Collections <ar@example.com>",
		"RECOUP_LOG_LEVEL":   "debug",
	}
	f, err := renderCompose(host)
	require.NoError(t, err)
	for _, name := range []string{"api", "worker"} {
		env := f.Services[name].Environment
		for k, v := range host {
			require.Equalf(t, v, env[k], "service %s: %s from the host", name, k)
		}
	}
}

func TestCompose_RecoupServicesBuildTheRepoAndRunTheirSubcommand(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	for _, name := range recoupServices {
		s := loadService(t, name)
		require.NotEmptyf(t, s.Build.Context, "service %s must build the Dockerfile", name)
		ctx, err := filepath.Abs(s.Build.Context)
		require.NoError(t, err)
		require.Equalf(t, root, ctx, "service %s builds from the repository root", name)
		require.Equalf(t, []string{name}, s.Command, "service %s runs `recoup %s`", name, name)
	}
}

func TestCompose_MigrateRunsOnceAfterPostgresIsHealthy(t *testing.T) {
	t.Parallel()
	s := loadService(t, "migrate")
	require.Equal(t, "service_healthy", s.DependsOn["postgres"])
	require.Contains(t, []string{"", "no"}, s.Restart, "migrate runs once; a restart policy would rerun it forever")
}

func TestCompose_ApiAndWorkerStartAfterMigrationSucceededAndTemporalIsUp(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"api", "worker"} {
		deps := loadService(t, name).DependsOn
		require.Equalf(t, "service_completed_successfully", deps["migrate"], "service %s waits for migrate", name)
		require.Containsf(t, deps, "temporal", "service %s depends on temporal", name)
	}
}

func TestCompose_PostgresIsHealthCheckedAndPersistent(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	pg := loadService(t, "postgres")
	require.True(t, strings.HasPrefix(pg.Image, "postgres:15"), "postgres image %q", pg.Image)
	require.NotNil(t, pg.Healthcheck)
	require.Contains(t, strings.Join(pg.Healthcheck.Test, " "), "pg_isready")

	var named bool
	for _, v := range pg.Volumes {
		src, dst, _ := strings.Cut(v, ":")
		if strings.HasPrefix(dst, "/var/lib/postgresql/data") {
			require.Containsf(t, f.Volumes, src, "postgres data must be on a named volume, not %q", src)
			named = true
		}
	}
	require.True(t, named, "postgres keeps /var/lib/postgresql/data on a named volume")
}

func TestCompose_PostgresCreatesRecoupsDatabaseAndRole(t *testing.T) {
	t.Parallel()
	pg := loadService(t, "postgres")
	db, err := url.Parse(loadService(t, "api").Environment["DATABASE_URL"])
	require.NoError(t, err)
	dbName, user := strings.TrimPrefix(db.Path, "/"), db.User.Username()

	var initSQL []string
	for _, v := range pg.Volumes {
		src, rest, _ := strings.Cut(v, ":")
		if strings.HasPrefix(rest, "/docker-entrypoint-initdb.d/") {
			b, err := os.ReadFile(src)
			require.NoError(t, err)
			initSQL = append(initSQL, string(b))
		}
	}
	all := strings.Join(initSQL, "\n")
	env := pg.Environment
	createdByImage := env["POSTGRES_DB"] == dbName && env["POSTGRES_USER"] == user
	createdByScript := strings.Contains(all, "CREATE ROLE "+user+" ") &&
		strings.Contains(all, "CREATE DATABASE "+dbName+" OWNER "+user)
	require.Truef(t, createdByImage || createdByScript,
		"database %q and role %q of DATABASE_URL must be created by POSTGRES_DB/POSTGRES_USER or a docker-entrypoint-initdb.d script", dbName, user)
}

func TestCompose_TemporalUsesItsOwnDatabasesOnThePostgresService(t *testing.T) {
	t.Parallel()
	tmp := loadService(t, "temporal")
	require.True(t, strings.HasPrefix(tmp.Image, "temporalio/auto-setup:1.2"), "temporal image %q: auto-setup 1.2x", tmp.Image)
	require.Equal(t, "service_healthy", tmp.DependsOn["postgres"])

	env := tmp.Environment
	require.Equal(t, "postgres12", env["DB"])
	require.Equal(t, "postgres", env["POSTGRES_SEEDS"])

	db, err := url.Parse(loadService(t, "api").Environment["DATABASE_URL"])
	require.NoError(t, err)
	recoupDB := strings.TrimPrefix(db.Path, "/")
	// auto-setup's defaults when DBNAME / VISIBILITY_DBNAME are unset.
	temporalDB, visibilityDB := "temporal", "temporal_visibility"
	if v := env["DBNAME"]; v != "" {
		temporalDB = v
	}
	if v := env["VISIBILITY_DBNAME"]; v != "" {
		visibilityDB = v
	}
	require.NotEqual(t, recoupDB, temporalDB)
	require.NotEqual(t, recoupDB, visibilityDB)
	require.NotEqual(t, temporalDB, visibilityDB)
	require.NotEqual(t, db.User.Username(), env["POSTGRES_USER"], "Temporal connects as its own role")
}

func TestCompose_TemporalUIAndMailAreWired(t *testing.T) {
	t.Parallel()
	ui := loadService(t, "temporal-ui")
	require.True(t, strings.HasPrefix(ui.Image, "temporalio/ui:"), "temporal-ui image %q", ui.Image)
	require.Equal(t, "temporal:7233", ui.Environment["TEMPORAL_ADDRESS"])

	mail := loadService(t, "mail")
	require.True(t, strings.HasPrefix(mail.Image, "axllent/mailpit:"), "mail image %q", mail.Image)
}

func TestCompose_PublishesTheUsualPorts(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"api":         {"8080:8080"},
		"temporal":    {"7233:7233"},
		"temporal-ui": {"8233:8080"},
		"mail":        {"1025:1025", "8025:8025"},
		"prometheus":  {"9090:9090"},
		"grafana":     {"3000:3000"},
	}
	for name, ports := range want {
		var got []string
		for _, p := range loadService(t, name).Ports {
			got = append(got, p.String())
		}
		for _, p := range ports {
			require.Containsf(t, got, p, "service %s publishes %s", name, p)
		}
	}
}

func TestCompose_PinsEveryPulledImage(t *testing.T) {
	t.Parallel()
	for name, s := range loadCompose(t).Services {
		if s.Build.Context != "" {
			continue
		}
		repo, tag, ok := strings.Cut(s.Image, ":")
		require.Truef(t, ok && tag != "", "service %s: image %q has no tag", name, s.Image)
		require.NotEqualf(t, "latest", tag, "service %s: image %s must be pinned", name, repo)
	}
}

// The api's health check asks its own readiness with the binary itself: the
// distroless image has no shell or curl.
func TestCompose_ApiIsHealthCheckedOnItsReadiness(t *testing.T) {
	t.Parallel()
	api := loadService(t, "api")
	require.NotNil(t, api.Healthcheck)
	require.Equal(t, []string{"CMD", "/recoup", "probe", "http://127.0.0.1:8080/readyz"}, api.Healthcheck.Test)
}
