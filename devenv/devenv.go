// Package devenv runs all of Recoup in one process for `recoup dev`: the
// database (created and migrated), an embedded Temporal server persisted to a
// file with its Web UI, an SMTP capture, a worker, the HTTP API, and a demo
// data set on first start. Everything persists under the data directory and
// in Postgres, so stopping and starting again keeps workflows, timers and mail.
package devenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/api"
	"recoup/app"
	"recoup/capture"
	"recoup/config"
	"recoup/demo"
	"recoup/devserver"
	"recoup/flow"
	"recoup/importer"
	"recoup/inbound"
	"recoup/logs"
	"recoup/store"
	"recoup/tclient"
	"recoup/web"
	"recoup/worker"
)

// Options configure Run.
type Options struct {
	Config        *config.Config
	DemoCustomers int // size of the demo data set loaded into an empty database; 0 loads none
	Logger        *slog.Logger
	Out           io.Writer // where the "what is where" banner goes
	// Started, when set, is called once everything answers.
	Started func(Info)
}

// Info says where each part listens.
type Info struct {
	API        string // http://host:port
	TemporalUI string
	Temporal   string // host:port of the frontend
	SMTP       string // host:port of the capture, "" when mail goes to a real server
	Inbound    string // host:port of the inbound listener (customer replies and bounces)
	DataDir    string
	Counts     any
	// Twilio is the in-process Twilio stand-in (nil when a real account is configured).
	Twilio *capture.TwilioAPI
	// Credentials are the dev users' passwords and an admin API token.
	Credentials Credentials
}

// Run starts everything and blocks until ctx ends, then stops it all.
func Run(ctx context.Context, o Options) (err error) {
	cfg, log := o.Config, o.Logger
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()

	// Ports first, so a second `recoup dev` fails before touching anything.
	httpLn, err := api.Listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	stops = append(stops, func() { _ = httpLn.Close() })
	temporalPort, err := portOf(cfg.TemporalAddress, "TEMPORAL_ADDRESS")
	if err != nil {
		return err
	}
	uiPort, err := portOf(cfg.TemporalUIAddr, "RECOUP_TEMPORAL_UI_ADDR")
	if err != nil {
		return err
	}

	if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	stops = append(stops, st.Close)
	if err := store.Migrate(ctx, st.Pool, log); err != nil {
		return err
	}

	info := Info{DataDir: cfg.DataDir}
	mailbox, err := capture.NewMailbox(filepath.Join(cfg.DataDir, "mail"), capture.WithLogger(log))
	if err != nil {
		return err
	}
	if addr, ok := localSMTP(cfg.SMTPURL); ok {
		smtpSrv, err := capture.ListenSMTP(addr, mailbox, log)
		if err != nil {
			return fmt.Errorf("SMTP capture on %s (set SMTP_URL to another local port): %w", addr, err)
		}
		stops = append(stops, func() { _ = smtpSrv.Close() })
		info.SMTP = smtpSrv.Addr()
	}

	historyCache, err := worker.CacheSize("RECOUP_TEMPORAL_HISTORY_CACHE", cfg.HistoryCacheSize, devserver.DefaultHistoryCacheSize)
	if err != nil {
		return err
	}
	temporal, err := devserver.Start(ctx, devserver.Options{
		HistoryCacheSize: historyCache,
		DataDir:          filepath.Join(cfg.DataDir, "temporal"),
		Namespace:        cfg.TemporalNamespace,
		Port:             temporalPort,
		UIPort:           uiPort,
		PortSetting:      "TEMPORAL_ADDRESS",
		UIPortSetting:    "RECOUP_TEMPORAL_UI_ADDR",
		SearchAttributes: flow.SearchAttributes,
		Logger:           log.With("component", "temporal-server"),
	})
	if err != nil {
		return err
	}
	stops = append(stops, func() {
		if err := temporal.Stop(); err != nil {
			log.Warn("temporal server stop", "err", err)
		}
	})
	info.Temporal, info.TemporalUI = temporal.FrontendAddress(), temporal.UIAddress()

	tc, err := tclient.Dial(ctx, temporal.FrontendAddress(), cfg.TemporalNamespace, log)
	if err != nil {
		return err
	}
	stops = append(stops, tc.Close)
	fc := flow.NewClient(tc)
	opts, err := app.Configured(cfg)
	if err != nil {
		return err
	}
	// The portal's links point at this process, as the worker's do (below).
	portal, err := app.ConfiguredPortal(browsable(httpLn.Addr()), cfg.SMTPURL, cfg.MailFrom)
	if err != nil {
		return err
	}
	uses := app.New(st, fc, log, append(opts, app.WithPortal(portal))...)
	go func() { _ = uses.RunLive(ctx) }() // the live notification streams, until ctx ends
	// Replies and bounces: beside the capture, on RECOUP_INBOUND_SMTP_ADDR.
	inAddr := cmp.Or(cfg.InboundSMTPAddr, DefaultInboundAddr)
	in, err := inbound.Listen(inAddr, uses, log)
	if err != nil {
		return fmt.Errorf("inbound SMTP listener on %s (set RECOUP_INBOUND_SMTP_ADDR to another local port): %w", inAddr, err)
	}
	stops = append(stops, func() { _ = in.Close() })
	info.Inbound = in.Addr()
	if cfg.InboundIMAPURL != "" {
		poller, err := inbound.NewPoller(cfg.InboundIMAPURL, uses, log)
		if err != nil {
			return err
		}
		go poller.Run(ctx, inbound.PollEvery)
	}
	counts, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	if counts.Customers == 0 && o.DemoCustomers > 0 {
		fmt.Fprintf(o.Out, "Empty database: loading a demo data set of %d customers...\n", o.DemoCustomers)
		results, err := demo.Load(ctx, importer.New(st.Pool), demo.Options{Customers: o.DemoCustomers, Seed: 1, Today: time.Now().UTC()})
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		for _, r := range results {
			fmt.Fprintf(o.Out, "  %-10s %6d inserted, %d rejected\n", r.Kind, r.Inserted, r.Rejected)
		}
	}

	if info.Credentials, err = ensureDevUsers(ctx, st, cfg.DataDir); err != nil {
		return fmt.Errorf("dev users: %w", err)
	}

	// Texts and calls go to an in-process stand-in for Twilio's API unless a
	// real account is configured; /dev/mail shows them beside the emails.
	info.API = browsable(httpLn.Addr())
	tw := worker.TwilioSettings{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, FromNumber: cfg.TwilioFromNumber,
		APIURL: cfg.TwilioAPIURL}
	var standIn *capture.TwilioAPI
	if tw.AccountSID == "" {
		tw = worker.TwilioSettings{AccountSID: devTwilioSID, AuthToken: devTwilioToken, FromNumber: devTwilioFrom, APIURL: info.API + "/dev/twilio"}
		if standIn, err = capture.NewTwilioAPI(mailbox, tw.AccountSID, tw.AuthToken, log); err != nil {
			return err
		}
		standIn.SetStatusCallbacks(true)
		stops = append(stops, standIn.Close)
		info.Twilio = standIn
	}
	// The sweep's first run waits a day: every account is woken below.
	targets, err := app.ParseWebhookTargets(cfg.WebhookPrivate)
	if err != nil {
		return err
	}
	w, err := worker.New(ctx, worker.Options{WebhookTargets: targets, Client: tc, Namespace: cfg.TemporalNamespace, Store: st,
		SMTPURL: cfg.SMTPURL, MailFrom: cfg.MailFrom, Twilio: tw, StatusCallbackURL: info.API + "/webhooks/twilio", SweepFirstAfter: worker.SweepEvery,
		DigestHour: cfg.DigestHour, EventsRetentionDays: cfg.EventsRetention, PublicURL: info.API, WorkflowCacheSize: cfg.WorkflowCacheSize, Log: log})
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	stops = append(stops, w.Stop)

	pages, err := web.New(web.Options{App: uses, Logger: log, DevLinks: true, PublicURL: info.API})
	if err != nil {
		return err
	}
	handler := api.NewHandler(api.Options{App: uses, Logger: log, TwilioAuthToken: tw.AuthToken, PublicURL: info.API,
		Mount: func(r *gin.Engine) {
			mail := gin.WrapH(mailbox.Handler("/dev/mail"))
			r.GET("/dev/mail", mail)
			r.GET("/dev/mail/*rest", mail)
			if standIn != nil {
				r.POST("/dev/twilio/*rest", gin.WrapH(standIn))
			}
			pages.Mount(r)
		}})
	served := make(chan error, 1)
	go func() { served <- api.Serve(ctx, httpLn, handler, log) }()

	// Every account with open items gets its Dunning workflow (signal-with-start
	// is idempotent: running ones just evaluate again).
	woken := uses.AccountsChanged(ctx, app.Change{AllOpen: true})
	if woken.Error != "" {
		return fmt.Errorf("start dunning workflows: %s", woken.Error)
	}
	fmt.Fprintf(o.Out, "Dunning running for %d accounts with open items.\n", woken.Accounts)

	check, err := systemCheck(ctx, fc)
	if err != nil {
		return fmt.Errorf("system check through Temporal and the worker: %w", err)
	}
	info.Counts = check.Counts
	banner(o.Out, info, check)
	// The console shows a line a minute of what was done; each action is at debug.
	go logs.Summarize(ctx, log, logs.SummaryEvery)
	printCredentials(o.Out, info.API, info.Credentials, cfg.DataDir)
	if o.Started != nil {
		o.Started(info)
	}
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	case <-ctx.Done():
		<-served
	}
	fmt.Fprintln(o.Out, "Stopping; everything is kept for the next start.")
	return nil
}

// The stand-in Twilio account of `recoup dev`; nothing leaves the machine.
const (
	devTwilioSID   = "AC00000000000000000000000000000dev"
	devTwilioToken = "devtwilioauthtoken0000000000000"
	devTwilioFrom  = "+15005550006"
)

// systemCheck runs the SystemCheck workflow once: proof that Temporal, the worker and Postgres answer.
func systemCheck(ctx context.Context, fc *flow.Client) (flow.SystemCheckResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	run, err := fc.RunSystemCheck(ctx, "dev-start-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	return run.Result, err
}

func portOf(addr, name string) (int, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("%s %q: want host:port: %w", name, addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("%s %q: bad port", name, addr)
	}
	return port, nil
}

// DefaultInboundAddr is where `recoup dev` receives replies and bounces
// when RECOUP_INBOUND_SMTP_ADDR is empty.
const DefaultInboundAddr = "127.0.0.1:2525"

// localSMTP says where to run the capture: at SMTP_URL when it points at this machine.
func localSMTP(smtpURL string) (string, bool) {
	u, err := url.Parse(smtpURL)
	if err != nil || u.Scheme != "smtp" {
		return "", false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return u.Host, true
	}
	return "", false
}

func banner(out io.Writer, info Info, check flow.SystemCheckResult) {
	fmt.Fprintf(out, `
Recoup is running (stop with Ctrl-C; everything persists).
  Web app        %[1]s/    (sign in with a user below)
  API            %[1]s/api/v1/customers    (OpenAPI: %[1]s/api/v1/openapi.yaml)
  Captured mail, texts and calls  %[1]s/dev/mail
  Metrics        %[1]s/metrics    (Prometheus: API and worker, one process here)
  Temporal UI    %[2]s
  Temporal       %[3]s (namespace default; workflows, timers and history persist in %[4]s/temporal)
  SMTP capture   %[5]s
  Inbound SMTP   %[11]s (customer replies and bounces, for the entities' reply domains)
  Postgres data  %[6]d entities, %[7]d customers, %[8]d invoices (%[9]d open), %[10]d payments
  System check   workflow ran on the worker and read the database
`, info.API, info.TemporalUI, info.Temporal, info.DataDir, orNone(info.SMTP),
		check.Counts.Entities, check.Counts.Customers, check.Counts.Invoices, check.Counts.OpenInvoices, check.Counts.Payments, info.Inbound)
}

func orNone(s string) string {
	if s == "" {
		return "off (SMTP_URL points at a real server)"
	}
	return s
}

// browsable turns a listening address into a URL a browser can open: a
// wildcard host becomes localhost.
func browsable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
