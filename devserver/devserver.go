// Package devserver runs an embedded Temporal server (frontend, history,
// matching and worker services in this process) whose state lives in one
// SQLite file, so workflows and timers survive a restart, even a kill -9.
// It can also serve the Temporal Web UI in-process.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	// DBFileName is the SQLite file inside Options.DataDir. With WAL mode the
	// -wal and -shm files beside it are part of the state: back up all three.
	DBFileName = "temporal.db"
	// LockFileName is the file locked while a server uses Options.DataDir.
	LockFileName = "temporal.lock"

	host                = "127.0.0.1"
	clusterName         = "active"
	defaultNamespace    = "default"
	defaultRetention    = 7 * 24 * time.Hour
	defaultStartTimeout = 60 * time.Second
	// One history shard, forever: the shard count of a database can never change.
	numHistoryShards = 1
	tmpDBPrefix      = DBFileName + ".new-"
)

var (
	// ErrPortInUse is wrapped by the error Start returns when a port it needs
	// is taken (see PortInUseError).
	ErrPortInUse = errors.New("port in use")
	// ErrLocked is wrapped by the error Start returns when another server
	// (in this or another process) uses the same DataDir.
	ErrLocked = errors.New("data directory in use")
)

// PortInUseError says which port was busy and what it was for.
type PortInUseError struct {
	Port    int
	Role    string // "frontend", "history", "matching", "worker" or "ui"
	Setting string // how the user picks another port, from Options; may be ""
	Err     error
}

func (e *PortInUseError) Error() string {
	what := ""
	switch e.Role {
	case "frontend":
	case "ui":
		what = " (Temporal UI)"
	default:
		what = " (Temporal " + e.Role + " service)"
	}
	fix := "choose another port"
	if e.Setting != "" {
		fix = "set " + e.Setting
	}
	return fmt.Sprintf("port %d%s is in use: is another recoup dev running? %s", e.Port, what, fix)
}

func (e *PortInUseError) Unwrap() []error { return []error{ErrPortInUse, e.Err} }

// Options configure Start. Zero values get the defaults noted per field.
type Options struct {
	// DataDir holds temporal.db (+ -wal/-shm) and the lock file. Created if missing. Required.
	DataDir string
	// Namespace is created on first start (and on any start where it is missing). Default "default".
	Namespace string
	// Port is the frontend gRPC port on 127.0.0.1. 0 picks a free port.
	Port int
	// UIPort serves the Temporal Web UI on 127.0.0.1:UIPort; 0 disables the UI.
	UIPort int
	// PortSetting and UIPortSetting name how the user changes Port and UIPort
	// (a flag or environment variable, e.g. "--temporal-port"); a port-in-use
	// error tells the user to set it. Empty: the error says "choose another port".
	PortSetting, UIPortSetting string
	// Retention of closed workflows in Namespace. Default 7 days. Applied at
	// creation and corrected on later starts when it differs.
	Retention time.Duration
	// SearchAttributes are custom search attributes the namespace must have.
	// SQLite visibility allows at most 10 of each type (e.g. Keyword).
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives server logs. Default: text to stderr.
	Logger *slog.Logger
	// LogLevel is the minimum level of server logs passed to Logger. Default
	// warn: the server is very chatty at info.
	LogLevel slog.Leveler
	// StartTimeout bounds how long Start waits for the frontend to answer.
	// Default 60s. The ctx given to Start can cut it shorter.
	StartTimeout time.Duration
	// HistoryCacheSize bounds the workflows whose state the history service
	// keeps in memory. Default DefaultHistoryCacheSize: Temporal's own default
	// (128,000 for an hour) held every account's workflow of a large book,
	// so the server's memory grew with the number of accounts.
	HistoryCacheSize int
}

// DefaultHistoryCacheSize is Options.HistoryCacheSize when not set: a
// workflow not in the cache is read back from SQLite (one row) when it next
// runs, which at most a day's evaluations of each account do.
const DefaultHistoryCacheSize = 10_000

// Server is a running embedded Temporal server. Create it with Start.
type Server struct {
	opts         Options
	frontendAddr string
	uiAddr       string

	srv       temporal.Server
	ui        *uiserver.Server
	uiDone    chan struct{}
	lockFile  *os.File
	logGate   *gateLevel
	quietLogs bool

	stopOnce sync.Once
	stopErr  error
}

// FrontendAddress is the host:port for SDK clients, e.g. "127.0.0.1:7233".
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIAddress is the Web UI's base URL, e.g. "http://127.0.0.1:8233", or "" when disabled.
func (s *Server) UIAddress() string { return s.uiAddr }

// Namespace is the namespace Start made sure of.
func (s *Server) Namespace() string { return s.opts.Namespace }

// Start takes the DataDir lock, checks the ports, creates the database if
// needed, starts the server (and UI) and returns once the frontend serves
// the namespace. On error everything it started is stopped again.
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}

	s := &Server{opts: opts}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()

	// Lock first: two servers on one file would silently fight over the shard.
	if s.lockFile, err = lockDataDir(opts.DataDir); err != nil {
		return nil, err
	}

	ports, err := pickPorts(opts.Port, opts.UIPort)
	if pe := (*PortInUseError)(nil); errors.As(err, &pe) {
		pe.Setting = map[string]string{"frontend": opts.PortSetting, "ui": opts.UIPortSetting}[pe.Role]
	}
	if err != nil {
		return nil, err
	}
	s.frontendAddr = net.JoinHostPort(host, strconv.Itoa(ports.frontend))

	logger := newServerLogger(opts.Logger, opts.LogLevel)
	s.logGate = logger.gate
	// Asked for more than warnings: show the start and stop noise too.
	s.quietLogs = opts.LogLevel.Level() >= slog.LevelWarn
	if s.quietLogs {
		logger.gate.raiseTo(slog.LevelError) // until ready: see gateLevel
	}

	sqlCfg := sqlConfig(filepath.Join(opts.DataDir, DBFileName), true)
	if err := prepareDatabase(opts, sqlCfg); err != nil {
		return nil, err
	}

	srv, err := newTemporalServer(opts, ports, sqlCfg, logger)
	if err != nil {
		return nil, fmt.Errorf("create temporal server: %w", err)
	}
	// A failed Start rolls back what it started, so only a started server is
	// recorded for Stop.
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s.srv = srv

	waitCtx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	if err := s.waitReadyAndReconcile(waitCtx); err != nil {
		return nil, err
	}

	if ports.ui != 0 {
		if err := s.startUI(waitCtx, ports.ui); err != nil {
			return nil, err
		}
	}
	logger.gate.raiseTo(levelAll)
	return s, nil
}

// Stop stops the UI and the server and releases the DataDir lock. It is
// safe to call more than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.logGate != nil {
			if s.quietLogs {
				s.logGate.raiseTo(levelNone) // see gateLevel
			}
			defer s.logGate.raiseTo(levelNone)
		}
		var errs []error
		if s.ui != nil {
			s.ui.Stop()
			<-s.uiDone
		}
		if s.srv != nil {
			if err := s.srv.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop temporal server: %w", err))
			}
		}
		// Released last, only once nothing of ours writes to the file any more.
		if s.lockFile != nil {
			if err := s.lockFile.Close(); err != nil { // closing drops the flock
				errs = append(errs, fmt.Errorf("release lock: %w", err))
			}
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

func (o *Options) setDefaults() error {
	if o.DataDir == "" {
		return errors.New("devserver: Options.DataDir is required")
	}
	abs, err := filepath.Abs(o.DataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	o.DataDir = abs
	if o.Namespace == "" {
		o.Namespace = defaultNamespace
	}
	if o.Retention <= 0 {
		o.Retention = defaultRetention
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.LogLevel == nil {
		o.LogLevel = slog.LevelWarn
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = defaultStartTimeout
	}
	if o.HistoryCacheSize <= 0 {
		o.HistoryCacheSize = DefaultHistoryCacheSize
	}
	if o.Port < 0 || o.Port > 65535 || o.UIPort < 0 || o.UIPort > 65535 {
		return fmt.Errorf("devserver: invalid port (frontend %d, ui %d)", o.Port, o.UIPort)
	}
	if o.UIPort != 0 && o.UIPort == o.Port {
		return fmt.Errorf("devserver: frontend and UI port are both %d", o.Port)
	}
	return nil
}

type portSet struct {
	frontend, history, matching, worker, ui int
}

// pickPorts checks the requested ports and picks free ones for the internal
// services. Both the server and the UI server exit the whole process on a
// bind failure, so a busy port must be found here. A race with another
// process grabbing a port between this check and the bind remains possible.
func pickPorts(frontend, ui int) (portSet, error) {
	var ps portSet
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	// Hold every listener until all are chosen so the picks cannot collide.
	listen := func(port int, role string) (int, error) {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if port == 0 {
				return 0, fmt.Errorf("find a free port for the Temporal %s service: %w", role, err)
			}
			return 0, &PortInUseError{Port: port, Role: role, Err: err}
		}
		held = append(held, l)
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	var err error
	if ps.frontend, err = listen(frontend, "frontend"); err != nil {
		return ps, err
	}
	if ui != 0 {
		if ps.ui, err = listen(ui, "ui"); err != nil {
			return ps, err
		}
	}
	if ps.history, err = listen(0, "history"); err != nil {
		return ps, err
	}
	if ps.matching, err = listen(0, "matching"); err != nil {
		return ps, err
	}
	if ps.worker, err = listen(0, "worker"); err != nil {
		return ps, err
	}
	return ps, nil
}

// sqlConfig is the plugin config for the live database (WAL) or for a new
// one being built in a temporary file.
func sqlConfig(path string, live bool) *config.SQL {
	// Keys other than URI parameters become pragmas (no leading underscore).
	attrs := map[string]string{"mode": "rwc"}
	if live {
		attrs["journal_mode"] = "wal"
		// WAL with synchronous=NORMAL: a commit survives the process being
		// killed (kill -9, the crash test), and only an OS crash or power loss
		// can roll back the last commits, not corrupt the file. No fsync per
		// commit: about 5% of the server's CPU at scale (README "Scale run").
		// What such a loss could undo is caught up from Postgres, the record:
		// an action re-run finds its key recorded and sends nothing twice, a
		// lost start is restarted by the daily sweep.
		attrs["synchronous"] = "normal"
		// A 64 MiB page cache (SQLite's default is 2 MiB): at 100,000 accounts
		// the file is gigabytes and its hot pages are read over and over.
		attrs["cache_size"] = "-65536"
	} else {
		// No WAL: every committed page must be in the main file when it is
		// renamed, a -wal file would not follow. No fsync per schema
		// statement either: the file is synced once before the rename, and
		// a crash before that leaves only a temporary file that is discarded.
		attrs["journal_mode"] = "memory"
		attrs["synchronous"] = "off"
	}
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: attrs,
	}
}

// prepareDatabase creates the database file if missing and makes sure the
// namespace exists. The caller holds the DataDir lock.
func prepareDatabase(opts Options, cfg *config.SQL) error {
	dbPath := cfg.DatabaseName
	// Leftovers of an interrupted first start: never trusted, always rebuilt.
	if stale, _ := filepath.Glob(filepath.Join(opts.DataDir, tmpDBPrefix+"*")); len(stale) > 0 {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}

	ns, err := namespaceConfig(opts)
	if err != nil {
		return err
	}

	switch _, err := os.Stat(dbPath); {
	case errors.Is(err, os.ErrNotExist):
		return createDatabase(opts.DataDir, dbPath, ns)
	case err != nil:
		return fmt.Errorf("stat %s: %w", dbPath, err)
	}

	// Existing file: a no-op when the namespace is there. Search attributes
	// and retention of an existing namespace are reconciled once the server
	// runs, through its API.
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return fmt.Errorf("create namespace %q in %s: %w", opts.Namespace, dbPath, err)
	}
	return nil
}

func namespaceConfig(opts Options) (*sqliteschema.NamespaceConfig, error) {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	// NewNamespaceConfig sets 24h; set ours before it is written.
	ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	return ns, nil
}

// createDatabase builds schema and namespace in a temporary file and renames
// it into place, so an interrupted first start never leaves a half-made
// database that a later start would trust.
func createDatabase(dir, dbPath string, ns *sqliteschema.NamespaceConfig) error {
	f, err := os.CreateTemp(dir, tmpDBPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temporary database: %w", err)
	}
	tmpPath := f.Name()
	_ = f.Close()
	ok := false
	defer func() {
		if !ok {
			for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
				_ = os.Remove(tmpPath + suffix)
			}
		}
	}()

	// Note: the plugin's connection pool never closes connections, so this
	// process keeps an idle handle on the renamed file; it never writes to it.
	tmpCfg := sqlConfig(tmpPath, false)
	if err := sqliteschema.SetupSchema(tmpCfg); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(tmpCfg, ns); err != nil {
		return fmt.Errorf("create namespace: %w", err)
	}
	if err := syncPath(tmpPath); err != nil {
		return err
	}
	if err := os.Rename(tmpPath, dbPath); err != nil {
		return fmt.Errorf("move new database into place: %w", err)
	}
	ok = true
	// Make the rename itself durable.
	return syncPath(dir)
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

func newTemporalServer(opts Options, ports portSet, sqlCfg *config.SQL, logger *serverLogger) (temporal.Server, error) {
	addr := func(p int) string { return net.JoinHostPort(host, strconv.Itoa(p)) }
	rpc := func(p int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: host}}
	}
	const store = sqliteplugin.PluginName
	cfg := &config.Config{
		Persistence: config.Persistence{
			DefaultStore:     store,
			VisibilityStore:  store,
			NumHistoryShards: numHistoryShards,
			DataStores:       map[string]config.DataStore{store: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: addr(ports.frontend)},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		// HTTPPort, PProf port and metrics stay unset: none of them is started.
		Services: map[string]config.Service{
			string(primitives.FrontendService): rpc(ports.frontend),
			string(primitives.HistoryService):  rpc(ports.history),
			string(primitives.MatchingService): rpc(ports.matching),
			string(primitives.WorkerService):   rpc(ports.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The server's own system workers dial this.
		PublicClient: config.PublicClient{HostPort: addr(ports.frontend)},
	}

	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}

	// Static hosts: one process, so no ringpop membership ports at all.
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(addr(ports.frontend)),
		primitives.HistoryService:  static.SingleLocalHost(addr(ports.history)),
		primitives.MatchingService: static.SingleLocalHost(addr(ports.matching)),
		primitives.WorkerService:   static.SingleLocalHost(addr(ports.worker)),
	}

	return temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig(opts)),
	)
}

// dynamicConfig is the server's dynamic configuration for opts.
func dynamicConfig(opts Options) dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Search attributes added through the operator service are usable at once.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():            opts.HistoryCacheSize,
	}
}

// waitReadyAndReconcile waits until the frontend serves the namespace, then
// brings retention and search attributes of an existing namespace up to the
// options.
func (s *Server) waitReadyAndReconcile(ctx context.Context) error {
	c, err := s.dialWhenReady(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	ns := s.opts.Namespace
	var desc *workflowservice.DescribeNamespaceResponse
	if err := retry(ctx, func() error {
		desc, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		return err
	}); err != nil {
		return fmt.Errorf("temporal server did not become ready: describe namespace %q: %w", ns, err)
	}

	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != s.opts.Retention {
		_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: ns,
			Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(s.opts.Retention)},
		})
		if err != nil {
			return fmt.Errorf("set retention of namespace %q: %w", ns, err)
		}
	}

	if len(s.opts.SearchAttributes) == 0 {
		return nil
	}
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, want := range s.opts.SearchAttributes {
		got, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want
		case got != want:
			return fmt.Errorf("search attribute %q exists in namespace %q with type %s, want %s", name, ns, got, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        ns,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

func (s *Server) dialWhenReady(ctx context.Context) (client.Client, error) {
	quiet := slog.New(levelHandler{min: slog.LevelError, h: s.opts.Logger.Handler()})
	var c client.Client
	err := retry(ctx, func() error {
		var err error
		// Dial calls GetSystemInfo, so success means the frontend answers.
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  s.frontendAddr,
			Namespace: s.opts.Namespace,
			Logger:    sdklog.NewStructuredLogger(quiet),
		})
		if err != nil {
			return err
		}
		if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			c.Close()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("temporal server did not become ready at %s: %w", s.frontendAddr, err)
	}
	return c, nil
}

// retry calls f until it succeeds or ctx ends; the last error is returned.
func retry(ctx context.Context, f func() error) error {
	delay := 20 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

func (s *Server) startUI(ctx context.Context, port int) error {
	cfg := &uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: s.frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    s.opts.Namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		// Plain http on localhost: the CSRF cookie must not require https.
		CORS: uiconfig.CORS{CookieInsecure: true},
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("ui config: %w", err)
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(cfg))
	s.uiDone = make(chan struct{})
	go func() {
		defer close(s.uiDone)
		// Blocks until Stop; a bind failure exits the process (hence pickPorts).
		_ = s.ui.Start()
	}()
	s.uiAddr = "http://" + net.JoinHostPort(host, strconv.Itoa(port))

	hc := &http.Client{Timeout: 2 * time.Second}
	err := retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.uiAddr+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("ui health: %s", resp.Status)
		}
		return nil
	})
	if err != nil {
		s.uiAddr = ""
		return fmt.Errorf("temporal ui did not become ready: %w", err)
	}
	return nil
}
