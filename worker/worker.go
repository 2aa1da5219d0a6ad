// Package worker assembles Recoup's Temporal worker, once for `recoup worker`
// and `recoup dev`: search attributes, the default scenario, the sweep,
// and every workflow and activity registered under its name in package flow.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
	"recoup/webhook"
	"recoup/workflows"
)

// Options are what a worker needs: its Temporal connection and what the activities use.
type Options struct {
	Client    client.Client
	Namespace string
	Store     *store.Store
	// SMTPURL (smtp://user:pass@host:port) and MailFrom send email; "" SMTPURL: no email.
	SMTPURL, MailFrom string
	Twilio            TwilioSettings // no account: no texts or calls
	Templates         *templates.Set // nil: the shipped templates
	// StatusCallbackURL is the public URL of /webhooks/twilio, for delivery reports; "" for none.
	StatusCallbackURL string
	// SweepFirstAfter delays the first sweep of open accounts (recoup dev
	// wakes every account itself at start); 0 sweeps at once.
	SweepFirstAfter time.Duration
	// DigestHour is the hour (UTC, 0-23) the daily digest emails go out
	// (RECOUP_DIGEST_HOUR; "" for DefaultDigestHour); PublicURL is the app's link in them.
	DigestHour string
	PublicURL  string
	// WebhookTargets says where webhook deliveries may go (RECOUP_WEBHOOK_ALLOW_PRIVATE).
	WebhookTargets webhook.Targets
	// EventsRetentionDays is RECOUP_EVENTS_RETENTION_DAYS ("" for
	// DefaultEventsRetentionDays; 0 keeps events for ever).
	EventsRetentionDays string
	// WorkflowCacheSize is RECOUP_WORKFLOW_CACHE_SIZE ("" for
	// DefaultWorkflowCacheSize): the workflows this process keeps in memory.
	WorkflowCacheSize string
	Log               *slog.Logger
}

// TwilioSettings are the Twilio account texts and calls go through.
type TwilioSettings struct {
	AccountSID, AuthToken, FromNumber string
	APIURL                            string // "" for Twilio's; a local endpoint in tests and dev
}

// stopTimeout is how long a stopping worker waits for its running activities.
const stopTimeout = 30 * time.Second

// SweepEvery is how often every account with open items is woken, to catch
// up any an import could not wake.
const SweepEvery = 24 * time.Hour

// DefaultDigestHour is the hour (UTC) of the daily digest emails when
// RECOUP_DIGEST_HOUR is not set.
const DefaultDigestHour = 7

// DefaultWorkflowCacheSize is the sticky workflow cache when
// RECOUP_WORKFLOW_CACHE_SIZE is not set (the SDK's own default, said here so
// that it is a setting): the worker's memory is bounded by it, not by the
// number of accounts (see README "Scale run").
const DefaultWorkflowCacheSize = 10_000

// CacheSize reads a cache size setting named name ("" for def).
func CacheSize(name, s string, def int) (int, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: %q is not a positive number of workflows", name, s)
	}
	return n, nil
}

// DefaultEventsRetentionDays is how long events are kept when
// RECOUP_EVENTS_RETENTION_DAYS is not set.
const DefaultEventsRetentionDays = 90

// EventsRetentionDays reads RECOUP_EVENTS_RETENTION_DAYS ("" for DefaultEventsRetentionDays).
func EventsRetentionDays(s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultEventsRetentionDays, nil
	}
	d, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || d < 0 || d > 36500 {
		return 0, fmt.Errorf("RECOUP_EVENTS_RETENTION_DAYS: %q is not a number of days (0 to 36500; 0 keeps events for ever)", s)
	}
	return d, nil
}

// DigestHour reads RECOUP_DIGEST_HOUR ("" for DefaultDigestHour).
func DigestHour(s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultDigestHour, nil
	}
	h, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || h < 0 || h > 23 {
		return 0, fmt.Errorf("RECOUP_DIGEST_HOUR: %q is not an hour of the day (0-23, UTC)", s)
	}
	return h, nil
}

// New prepares what the workflows need (the namespace's search attributes,
// the default scenario, the sweep of open accounts) and returns a worker on
// the Recoup task queue with every workflow and activity registered; Run or
// Start it. `recoup worker` and `recoup dev` both build theirs here.
func New(ctx context.Context, o Options) (sdkworker.Worker, error) {
	mailer, twilio, err := senders(o)
	if err != nil {
		return nil, err
	}
	cache, err := CacheSize("RECOUP_WORKFLOW_CACHE_SIZE", o.WorkflowCacheSize, DefaultWorkflowCacheSize)
	if err != nil {
		return nil, err
	}
	// The cache is the process's, made when its first worker starts: a
	// later call in the same process (tests) changes nothing.
	sdkworker.SetStickyWorkflowCacheSize(cache)
	if err := EnsureSearchAttributes(ctx, o.Client, o.Namespace, o.Log); err != nil {
		return nil, err
	}
	if err := prepare(ctx, o.Store); err != nil {
		return nil, err
	}
	fc := flow.NewClient(o.Client)
	if err := fc.StartSweep(ctx, flow.SweepInput{Every: SweepEvery, FirstAfter: o.SweepFirstAfter}); err != nil {
		return nil, fmt.Errorf("start the sweep of open accounts: %w", err)
	}
	hour, err := DigestHour(o.DigestHour)
	if err != nil {
		return nil, err
	}
	if err := fc.StartDigest(ctx, flow.DigestInput{Hour: hour}); err != nil {
		return nil, fmt.Errorf("start the daily digest: %w", err)
	}
	retentionDays, err := EventsRetentionDays(o.EventsRetentionDays)
	if err != nil {
		return nil, err
	}
	if err := fc.StartEventRetention(ctx, flow.EventRetentionInput{Every: flow.EventRetentionEvery}); err != nil {
		return nil, fmt.Errorf("start the retention of the event feed: %w", err)
	}
	if err := fc.StartCatchUp(ctx, flow.CatchUpInput{Every: flow.CatchUpEvery}); err != nil {
		return nil, fmt.Errorf("start the catch-up of owed Temporal starts: %w", err)
	}
	// A subscription saved while Temporal was away has its delivery started here.
	if err := app.New(o.Store, fc, o.Log).StartWebhookDeliveries(ctx); err != nil {
		return nil, fmt.Errorf("start the webhook deliveries: %w", err)
	}
	// A stopping worker lets the activities it runs finish (a send and its
	// record in message_log) rather than cut them between the two.
	w := sdkworker.New(o.Client, flow.TaskQueue, sdkworker.Options{WorkerStopTimeout: stopTimeout,
		Interceptors: []interceptor.WorkerInterceptor{&Observe{}}})
	// Idle webhook deliveries wait for this process's one listening connection to ring.
	bell := activities.NewEventBell()
	Register(w, Activities{Store: o.Store, Flow: fc, Mailer: mailer, Twilio: twilio, Templates: o.Templates,
		StatusCallbackURL: o.StatusCallbackURL, PublicURL: o.PublicURL, WebhookTargets: o.WebhookTargets,
		EventBell: bell, EventsRetentionDays: retentionDays, Log: o.Log})
	return &listeningWorker{Worker: w, bell: bell, st: o.Store, log: o.Log}, nil
}

// listeningWorker runs the event bell's listening connection for as long as
// the worker runs (not for New's context, which callers may end once it returns).
type listeningWorker struct {
	sdkworker.Worker
	bell *activities.EventBell
	st   *store.Store
	log  *slog.Logger

	mu   sync.Mutex
	stop context.CancelFunc
}

func (w *listeningWorker) listen() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	go w.bell.Run(ctx, w.st, w.log)
}

func (w *listeningWorker) quiet() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
}

// Start starts the worker and the bell's listening.
func (w *listeningWorker) Start() error {
	if err := w.Worker.Start(); err != nil {
		return err
	}
	w.listen()
	return nil
}

// Run runs the worker, and the bell's listening, until interrupted.
func (w *listeningWorker) Run(interruptCh <-chan any) error {
	w.listen()
	defer w.quiet()
	return w.Worker.Run(interruptCh)
}

// Stop stops the bell's listening and the worker.
func (w *listeningWorker) Stop() {
	w.quiet()
	w.Worker.Stop()
}

// Activities are what the activities work with.
type Activities struct {
	Store             *store.Store
	Flow              *flow.Client
	Mailer            *notify.Mailer // nil: no email
	Twilio            *notify.Twilio // nil: no texts or calls
	Templates         *templates.Set // nil: the shipped templates
	StatusCallbackURL string
	Log               *slog.Logger
	// Mover reassigns one account (the handover's moves); nil: the use
	// cases' app.App.MoveAccount over Store and Flow.
	Mover activities.AccountMover
	// PublicURL is the app's link in the digest emails.
	PublicURL string
	// WebhookTargets says where webhook deliveries may go.
	WebhookTargets webhook.Targets
	// EventBell tells waiting webhook deliveries of new events; nil: they poll.
	EventBell *activities.EventBell
	// EventsRetentionDays: events older are deleted (once delivered); 0: kept for ever.
	EventsRetentionDays int
}

// Register registers every workflow and activity under its name in package
// flow, the names the starters and the compliance timeline use.
func Register(r sdkworker.Registry, o Activities) {
	for name, wf := range map[string]any{
		flow.WorkflowDunning:        workflows.Dunning,
		flow.WorkflowWakeAccounts:   workflows.WakeAccounts,
		flow.WorkflowSweep:          workflows.SweepOpenAccounts,
		flow.WorkflowSystemCheck:    workflows.SystemCheck,
		flow.WorkflowHandover:       workflows.Handover,
		flow.WorkflowDigest:         workflows.Digest,
		flow.WorkflowCustomerNotice: workflows.CustomerNotice,
		flow.WorkflowCase:           workflows.Case,
		flow.WorkflowCatchUp:        workflows.CatchUp,
		flow.WorkflowWeeklyReport:   workflows.WeeklyReport,
		flow.WorkflowWebhook:        workflows.Webhook,
		flow.WorkflowEventRetention: workflows.EventRetention,
	} {
		r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	}
	if o.Templates == nil {
		o.Templates = templates.DefaultSet()
	}
	accounts := &activities.Accounts{Store: o.Store}
	outbound := &activities.Dunning{Store: o.Store, Mailer: o.Mailer, Twilio: o.Twilio,
		Templates: o.Templates, StatusCallbackURL: o.StatusCallbackURL, PublicURL: o.PublicURL, Log: o.Log}
	waker := &activities.Waker{Store: o.Store, Flow: o.Flow}
	counts := &activities.Store{DB: o.Store}
	var uc *app.App
	if o.Store != nil {
		// The mailer sends risk alerts' emails (EvaluateRiskSignals in the daily run).
		uc = app.New(o.Store, o.Flow, o.Log, app.WithPortal(app.PortalOptions{PublicURL: o.PublicURL, Mailer: o.Mailer}))
	}
	if o.Mover == nil && uc != nil {
		o.Mover = uc
	}
	digests := &activities.Digests{Store: o.Store, Mailer: o.Mailer}
	if uc != nil {
		digests.Build = func(ctx context.Context, who domain.Principal) (templates.DigestData, error) {
			return uc.DigestEmail(ctx, who, o.PublicURL)
		}
		digests.Warm = uc.WarmFigures
		digests.Risk = uc.EvaluateRiskSignals
		digests.Notifications = func(ctx context.Context, who domain.Principal) (templates.NotificationDigestData, error) {
			return uc.NotificationDigestEmail(ctx, who, o.PublicURL)
		}
	}
	reports := &activities.Reports{Store: o.Store, Mailer: o.Mailer}
	if uc != nil {
		reports.Build = func(ctx context.Context, rp store.Report, asOf dunning.Date) (notify.Email, error) {
			return uc.ReportEmail(ctx, rp, asOf, o.PublicURL)
		}
	}
	notices := &activities.Notices{Store: o.Store, Outbound: outbound}
	handover := &activities.Handover{Store: o.Store, Mover: o.Mover}
	cases := &activities.Cases{Store: o.Store}
	catchUp := &activities.CatchUp{}
	hooks := &activities.Webhooks{Store: o.Store, Targets: o.WebhookTargets, Bell: o.EventBell}
	retention := &activities.EventRetention{Store: o.Store, Days: o.EventsRetentionDays}
	if uc != nil {
		catchUp.Debts = uc
	}
	if o.Flow != nil {
		handover.Workflows = o.Flow
	}
	for name, fn := range map[string]any{
		flow.ActivityLoadAccount:     accounts.LoadAccount,
		flow.ActivityReassign:        accounts.Reassign,
		flow.ActivityExecute:         outbound.Execute,
		flow.ActivityFallback:        outbound.Fallback,
		flow.ActivityWakeImported:    waker.WakeImported,
		flow.ActivityWakeOpen:        waker.WakeOpen,
		flow.ActivityCounts:          counts.Counts,
		flow.ActivityHandOver:        handover.HandOver,
		flow.ActivityHandBack:        handover.HandBack,
		flow.ActivityCheckPromise:    accounts.CheckPromise,
		flow.ActivityHoldInvoice:     accounts.HoldInvoice,
		flow.ActivityReleaseInvoice:  accounts.ReleaseInvoice,
		flow.ActivitySendDigests:     digests.SendDigests,
		flow.ActivityNoticeSchedule:  notices.NoticeSchedule,
		flow.ActivitySendNotice:      notices.SendNotice,
		flow.ActivityCaseAlert:       cases.CaseAlert,
		flow.ActivityDecideCase:      cases.DecideCase,
		flow.ActivityCaseStatus:      cases.SetCaseStatus,
		flow.ActivityReopenCase:      cases.ReopenCase,
		flow.ActivityCloseCase:       cases.CloseCase,
		flow.ActivityCatchUp:         catchUp.CatchUpTemporal,
		flow.ActivitySendReport:      reports.SendReport,
		flow.ActivityDeliverWebhook:  hooks.DeliverWebhook,
		flow.ActivityStopWebhook:     hooks.StopWebhook,
		flow.ActivityDeleteOldEvents: retention.DeleteOldEvents,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// prepare makes sure what every account's dunning needs exists: the default
// scenario, so dunning works right after the first import.
func prepare(ctx context.Context, st *store.Store) error {
	def := dunning.DefaultScenario()
	steps, err := json.Marshal(def.Steps)
	if err != nil {
		return err
	}
	_, err = st.EnsureDefaultScenario(ctx, def.Name, steps)
	return err
}

// senders builds the email and Twilio senders; each stays nil when not configured.
func senders(o Options) (*notify.Mailer, *notify.Twilio, error) {
	var mailer *notify.Mailer
	var tw *notify.Twilio
	var err error
	if o.SMTPURL != "" {
		if mailer, err = notify.NewMailer(o.SMTPURL, o.MailFrom); err != nil {
			return nil, nil, fmt.Errorf("SMTP_URL: %w", err)
		}
	}
	if t := o.Twilio; t.AccountSID != "" {
		if tw, err = notify.NewTwilio(t.AccountSID, t.AuthToken, t.FromNumber, t.APIURL); err != nil {
			return nil, nil, fmt.Errorf("Twilio settings: %w", err)
		}
	}
	return mailer, tw, nil
}

// EnsureSearchAttributes adds the custom search attributes Recoup needs to the
// namespace when they are missing. It needs the operator's right to do so and
// says so clearly when it does not have it.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, log *slog.Logger) error {
	op := c.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range flow.SearchAttributes {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(missing))
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var denied *serviceerror.PermissionDenied
	switch {
	case errors.As(err, &denied):
		return fmt.Errorf("namespace %s lacks the search attributes %v and this worker may not add them (%v): "+
			"ask the Temporal operator to create them (temporal operator search-attribute create)", namespace, names, err)
	case err != nil:
		return fmt.Errorf("add search attributes %v to namespace %s: %w", names, namespace, err)
	}
	log.Info("search attributes added", "namespace", namespace, "attributes", names)
	return nil
}
