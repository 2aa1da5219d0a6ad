package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"recoup/api"
	"recoup/app"
	"recoup/config"
	"recoup/demo"
	"recoup/devenv"
	"recoup/domain"
	"recoup/flow"
	"recoup/importer"
	"recoup/inbound"
	"recoup/logs"
	"recoup/metrics"
	"recoup/store"
	"recoup/tclient"
	"recoup/web"
	"recoup/worker"
)

func devCmd(cfg *config.Config) *cobra.Command {
	var customers int
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: Postgres schema, embedded Temporal + UI, SMTP capture, worker, API, demo data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(cfg)
			if err != nil {
				return err
			}
			return devenv.Run(cmd.Context(), devenv.Options{Config: cfg, DemoCustomers: customers, Logger: log, Out: cmd.OutOrStdout()})
		},
	}
	cmd.Flags().IntVar(&customers, "demo-customers", 200, "customers in the demo data set loaded into an empty database (0: none)")
	return bind(cmd, cfg, "DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "RECOUP_HTTP_ADDR", "RECOUP_PUBLIC_URL", "SMTP_URL",
		"RECOUP_MAIL_FROM", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_URL",
		"RECOUP_DATA_DIR", "RECOUP_TEMPORAL_UI_ADDR", "RECOUP_TEMPORAL_HISTORY_CACHE", "RECOUP_WORKFLOW_CACHE_SIZE", "RECOUP_REPORTING_CURRENCY", "RECOUP_PAID_CLAIM_CHECK_DAYS", "RECOUP_NEW_ENTITY_SENDING", "RECOUP_DIGEST_HOUR",
		"RECOUP_ATTACHMENT_MAX_BYTES", "RECOUP_INBOUND_SMTP_ADDR", "RECOUP_INBOUND_IMAP_URL")
}

// openLogged is newLogger then openStore: what the one-shot commands need.
func openLogged(ctx context.Context, cfg *config.Config) (*slog.Logger, *store.Store, error) {
	log, err := newLogger(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, log)
	return log, st, err
}

// withStore is the RunE of a one-shot command that only needs the database:
// it opens the migrated store, runs fn, and closes it.
func withStore(cfg *config.Config, fn func(cmd *cobra.Command, st *store.Store, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		_, st, err := openLogged(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		return fn(cmd, st, args)
	}
}

// openStore connects and brings the schema up to date (a no-op when it is).
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, st.Pool, log); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// process is what the production processes (api, worker) hold: a logger, the
// store and a Temporal client.
type process struct {
	log      *slog.Logger
	store    *store.Store
	temporal client.Client
}

// connect reaches Postgres, waiting for it with backoff (a process started
// before its database, or during a restart, waits instead of crash-looping),
// then Temporal: the API with a lazy client, so it starts and serves what
// Postgres answers while Temporal is down, and watches it; the worker waits
// for Temporal with backoff, as it can do nothing without it.
func connect(ctx context.Context, cfg *config.Config, lazy bool) (*process, error) {
	log, err := newLogger(cfg)
	if err != nil {
		return nil, err
	}
	st, err := retry(ctx, log, "Postgres", defaultBackoff, func(ctx context.Context) (*store.Store, error) {
		return openStore(ctx, cfg, log)
	})
	if err != nil {
		return nil, err
	}
	var tc client.Client
	if lazy {
		tc, err = tclient.Lazy(cfg.TemporalAddress, cfg.TemporalNamespace, log)
	} else {
		tc, err = retry(ctx, log, "Temporal", defaultBackoff, func(ctx context.Context) (client.Client, error) {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return tclient.Dial(dctx, cfg.TemporalAddress, cfg.TemporalNamespace, log)
		})
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return &process{log: log, store: st, temporal: tc}, nil
}

func (p *process) close() {
	p.temporal.Close()
	p.store.Close()
}

// watchTemporal is how often the API checks Temporal: a command refused
// while it was down succeeds again within this of its return.
const watchTemporal = 5 * time.Second

// probeCmd is the containers' health check: the runtime image has no shell
// or curl, so the binary asks its own /readyz.
func probeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "probe URL",
		Short: "Exit 0 when URL answers 2xx within 5 seconds (the containers' health check)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("%s answered %s", args[0], resp.Status)
			}
			return nil
		},
	}
}

func apiCmd(cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API (production process; run as many as you need)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			proxies, err := api.ParseTrustedProxies(cfg.TrustedProxies)
			if err != nil {
				return err
			}
			p, err := connect(ctx, cfg, true)
			if err != nil {
				return err
			}
			defer p.close()
			ln, err := api.Listen(cfg.HTTPAddr)
			if err != nil {
				return err
			}
			p.log.Info("HTTP API listening", "addr", ln.Addr().String())
			opts, err := app.Configured(cfg)
			if err != nil {
				return err
			}
			fc := flow.NewClient(p.temporal)
			go fc.Watch(ctx, watchTemporal)
			uses := app.New(p.store, fc, p.log, opts...)
			go func() { _ = uses.RunLive(ctx) }() // the live notification streams of this process, until ctx ends
			go logs.Summarize(ctx, p.log, logs.SummaryEvery)
			pages, err := web.New(web.Options{App: uses, Logger: p.log, PublicURL: cfg.PublicURL})
			if err != nil {
				return err
			}
			if cfg.InboundSMTPAddr != "" {
				in, err := inbound.Listen(cfg.InboundSMTPAddr, uses, p.log)
				if err != nil {
					return err
				}
				defer in.Close()
			}
			if cfg.InboundIMAPURL != "" {
				poller, err := inbound.NewPoller(cfg.InboundIMAPURL, uses, p.log)
				if err != nil {
					return err
				}
				go poller.Run(ctx, inbound.PollEvery)
			}
			return api.Serve(ctx, ln, api.NewHandler(api.Options{App: uses, Logger: p.log, Mount: pages.Mount,
				TwilioAuthToken: cfg.TwilioAuthToken, PublicURL: cfg.PublicURL, TrustedProxies: proxies}), p.log)
		},
	}
	return bind(cmd, cfg, "DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "RECOUP_HTTP_ADDR", "RECOUP_PUBLIC_URL", "RECOUP_TRUSTED_PROXIES",
		"SMTP_URL", "RECOUP_MAIL_FROM", "TWILIO_AUTH_TOKEN", "RECOUP_REPORTING_CURRENCY", "RECOUP_PAID_CLAIM_CHECK_DAYS", "RECOUP_NEW_ENTITY_SENDING",
		"RECOUP_ATTACHMENT_MAX_BYTES", "RECOUP_INBOUND_SMTP_ADDR", "RECOUP_INBOUND_IMAP_URL")
}

func workerCmd(cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run a Temporal worker for Recoup's workflows and activities (production process; scale out freely)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := connect(ctx, cfg, false)
			if err != nil {
				return err
			}
			defer p.close()
			targets, err := app.ParseWebhookTargets(cfg.WebhookPrivate)
			if err != nil {
				return err
			}
			w, err := worker.New(ctx, worker.Options{WebhookTargets: targets, Client: p.temporal, Namespace: cfg.TemporalNamespace, Store: p.store,
				SMTPURL: cfg.SMTPURL, MailFrom: cfg.MailFrom, Twilio: worker.TwilioSettings{AccountSID: cfg.TwilioAccountSID,
					AuthToken: cfg.TwilioAuthToken, FromNumber: cfg.TwilioFromNumber, APIURL: cfg.TwilioAPIURL},
				StatusCallbackURL: strings.TrimRight(cfg.PublicURL, "/") + "/webhooks/twilio",
				DigestHour:        cfg.DigestHour, EventsRetentionDays: cfg.EventsRetention, PublicURL: cfg.PublicURL, WorkflowCacheSize: cfg.WorkflowCacheSize, Log: p.log})
			if err != nil {
				return err
			}
			p.log.Info("worker polling", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace)
			if err := serveMetrics(ctx, cfg.MetricsAddr, p.log); err != nil {
				return err
			}
			go logs.Summarize(ctx, p.log, logs.SummaryEvery)
			stop := make(chan any)
			go func() { <-ctx.Done(); close(stop) }()
			return w.Run(stop)
		},
	}
	return bind(cmd, cfg, "DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "SMTP_URL", "RECOUP_MAIL_FROM",
		"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_URL", "RECOUP_PUBLIC_URL", "RECOUP_DIGEST_HOUR",
		"RECOUP_METRICS_ADDR", "RECOUP_WORKFLOW_CACHE_SIZE")
}

// metricsOff is the RECOUP_METRICS_ADDR that turns the worker's metrics server off.
const metricsOff = "off"

// serveMetrics serves /metrics (and /healthz) for the worker at addr until
// ctx ends; the API serves them on its own address.
func serveMetrics(ctx context.Context, addr string, log *slog.Logger) error {
	if addr == metricsOff {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("worker metrics cannot listen on %s (set RECOUP_METRICS_ADDR, or off): %w", addr, err)
	}
	log.Info("worker metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := api.Serve(ctx, ln, metrics.WorkerHandler(), log); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("worker metrics server", "err", err)
		}
	}()
	return nil
}

func migrateCmd(cfg *config.Config) *cobra.Command {
	var create bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log, err := newLogger(cfg)
			if err != nil {
				return err
			}
			if create {
				if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
					return err
				}
			}
			st, err := openStore(ctx, cfg, log)
			if err != nil {
				return err
			}
			st.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "schema is up to date")
			return nil
		},
	}
	cmd.Flags().BoolVar(&create, "create-database", false, "create the database first when it does not exist")
	return bind(cmd, cfg, "DATABASE_URL")
}

func importCmd(cfg *config.Config) *cobra.Command {
	var kindFlag, formatFlag string
	cmd := &cobra.Command{
		Use:   "import --kind KIND FILE",
		Short: "Import an ERP file (CSV or JSON; - for stdin): entities, users, customers, invoices or payments",
		Long: "Import upserts by external id: importing the same file twice changes nothing. Bad rows are listed with " +
			"their line and reason and the command exits with status 2; every good row is imported.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			kind, err := importer.ParseKind(kindFlag)
			if err != nil {
				return err
			}
			format, err := fileFormat(formatFlag, args[0])
			if err != nil {
				return err
			}
			log, err := newLogger(cfg)
			if err != nil {
				return err
			}
			if _, err := app.ParseSending("RECOUP_NEW_ENTITY_SENDING", cfg.NewEntitySending); err != nil {
				return err
			}
			in := os.Stdin
			if args[0] != "-" {
				if in, err = os.Open(args[0]); err != nil {
					return err
				}
				defer in.Close()
			}
			st, err := openStore(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			uses, done := cliApp(ctx, cfg, log, st)
			defer done()
			start := time.Now()
			res, err := uses.Import(ctx, domain.System("cli"), app.ImportRequest{Kind: string(kind), Format: format,
				Name: filepath.Base(args[0]), Body: in})
			if err != nil {
				var fe *importer.FileError
				if errors.As(err, &fe) {
					return fmt.Errorf("%s: %w (nothing was imported)", args[0], fe)
				}
				return err
			}
			report(cmd, args[0], res.Result, time.Since(start))
			reportWoken(cmd, res.Woken)
			if res.Rejected > 0 {
				return rejectedError{res.Rejected}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kindFlag, "kind", "", "entities, users, customers, invoices or payments (required)")
	cmd.Flags().StringVar(&formatFlag, "format", "", "csv or json (default: from the file extension, else csv)")
	_ = cmd.MarkFlagRequired("kind")
	return bind(cmd, cfg, "DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "RECOUP_NEW_ENTITY_SENDING")
}

func fileFormat(flag, path string) (importer.Format, error) {
	if flag != "" {
		return importer.ParseFormat(flag)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return importer.JSON, nil
	}
	return importer.CSV, nil
}

func report(cmd *cobra.Command, file string, res importer.Result, took time.Duration) {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s (%s, import %d", file, res.Kind, res.ImportID)
	if took > 0 {
		fmt.Fprintf(out, ", %s", took.Round(time.Millisecond))
	}
	fmt.Fprintf(out, "): %d inserted, %d updated, %d unchanged, %d rejected\n", res.Inserted, res.Updated, res.Unchanged, res.Rejected)
	for _, r := range res.Rejections {
		where := fmt.Sprintf("line %d", r.Line)
		if r.Field != "" {
			where += ", " + r.Field
		}
		fmt.Fprintf(out, "  rejected %s: %s\n", where, r.Reason)
	}
	if res.RejectionsTruncated {
		fmt.Fprintf(out, "  ... and %d more; all are in import_rejections (import_id %d)\n", res.Rejected-int64(len(res.Rejections)), res.ImportID)
	}
}

func demoCmd(cfg *config.Config) *cobra.Command {
	var opts demo.Options
	var outDir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a realistic data set and import it through the ERP import path (or write it as CSV files)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts.Today = time.Now().UTC()
			if outDir != "" {
				return writeDemo(opts, outDir, cmd)
			}
			log, st, err := openLogged(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			uses, done := cliApp(ctx, cfg, log, st)
			defer done()
			results, err := demo.Load(ctx, importer.New(st.Pool), opts)
			if err != nil {
				return err
			}
			for _, r := range results {
				report(cmd, "demo "+string(r.Kind), r, 0)
				if r.ChangesDunning() {
					reportWoken(cmd, uses.AccountsChanged(ctx, app.Change{ImportID: r.ImportID}))
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Customers, "customers", 200, "number of customers")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same data")
	cmd.Flags().StringVar(&outDir, "out", "", "write CSV files to this directory instead of importing them")
	return bind(cmd, cfg, "DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE")
}

// writeDemo writes the data set as one CSV file per kind, for a look or to import by hand.
func writeDemo(opts demo.Options, dir string, cmd *cobra.Command) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return demo.Write(opts, func(kind importer.Kind) (io.WriteCloser, error) {
		path := filepath.Join(dir, string(kind)+".csv")
		fmt.Fprintln(cmd.OutOrStdout(), "writing", path)
		return os.Create(path)
	})
}

// cliApp is the use cases for a one-shot command: with Temporal when it
// answers within a few seconds, else without (what needs it says so; an
// import's wake-up stays queued and the worker starts it once Temporal answers).
func cliApp(ctx context.Context, cfg *config.Config, log *slog.Logger, st *store.Store) (*app.App, func()) {
	dialCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	tc, err := tclient.Dial(dialCtx, cfg.TemporalAddress, cfg.TemporalNamespace, log)
	// Checked before the import starts (ParseSending); a bad value there is refused by the command.
	sending, _ := app.ParseSending("RECOUP_NEW_ENTITY_SENDING", cfg.NewEntitySending)
	if err != nil {
		log.Debug("no Temporal for this command", "err", err)
		return app.New(st, nil, log, app.WithNewEntitySending(sending)), func() {}
	}
	return app.New(st, flow.NewClient(tc), log, app.WithNewEntitySending(sending)), tc.Close
}

// reportWoken says what became of waking the accounts an import changed.
func reportWoken(cmd *cobra.Command, w app.Woken) {
	switch {
	case w.Error != "":
		fmt.Fprintf(cmd.OutOrStdout(), "  dunning not woken: %s\n", w.Error)
	case w.WorkflowID != "":
		fmt.Fprintf(cmd.OutOrStdout(), "  dunning: workflow %s wakes the %d accounts this import changed\n", w.WorkflowID, w.Accounts)
	}
}

func auditCmd(cfg *config.Config) *cobra.Command {
	audit := &cobra.Command{Use: "audit", Short: "Check the audit journal"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Verify the audit journal's hash chain and name the first broken row (exit status 1 if any)",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, st *store.Store, _ []string) error {
			c, err := st.VerifyJournal(cmd.Context())
			if err != nil {
				return err
			}
			if c.BrokenAt != 0 {
				return fmt.Errorf("audit journal broken at row seq %d (id %d): %s; %d rows checked", c.BrokenAt, c.BrokenID, c.BrokenWhy, c.Rows)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit journal intact: %d rows, last hash %s\n", c.Rows, c.LastHash)
			return nil
		}),
	}
	audit.AddCommand(bind(verify, cfg, "DATABASE_URL"))
	return audit
}
