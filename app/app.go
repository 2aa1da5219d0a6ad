// Package app holds the use cases: one method per thing a person or a system
// can do with Recoup. Each checks the caller's permission and perimeter,
// validates, does the work (Postgres, Temporal), journals, and answers domain
// values or a *domain.Error. The JSON API, the web pages and the CLI are
// translations onto these methods; no rule lives in them.
package app

import (
	"errors"
	"log/slog"
	"strings"

	"recoup/auth"
	"recoup/config"
	"recoup/domain"
	"recoup/flow"
	"recoup/importer"
	"recoup/store"
	"recoup/webhook"
)

// App is what the use cases work with.
type App struct {
	store    *store.Store
	importer *importer.Importer
	flow     *flow.Client // nil: what needs Temporal answers CodeUnavailable
	log      *slog.Logger
	desk     Desk
	// attachMax bounds one file attached to a case, in bytes (RECOUP_ATTACHMENT_MAX_BYTES).
	attachMax int64
	live      *liveHub // this process's live streams (RunLive)
	pgProbe   probe    // what Readiness last saw of Postgres
	portal    PortalOptions
	targets   webhook.Targets // where webhooks may go (RECOUP_WEBHOOK_ALLOW_PRIVATE)
}

// New builds the use cases over a store and, when there is one, a Temporal
// connection (flow.NewClient(nil) is nil: a process without Temporal).
func New(st *store.Store, fc *flow.Client, log *slog.Logger, opts ...Option) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{store: st, importer: importer.New(st.Pool), flow: fc, log: log, desk: DefaultDesk,
		attachMax: DefaultAttachmentMaxBytes, live: newLiveHub(st)}
	for _, o := range opts {
		o(a)
	}
	// An imported invoice PDF passes the one file check, at the attachments' limit.
	a.importer.CheckFile = func(name string, data []byte) (string, error) {
		typ, err := ValidateAttachment(name, data, a.attachMax)
		var de *domain.Error
		if errors.As(err, &de) {
			err = errors.New(strings.TrimPrefix(de.Message, "file: ")) // the importer names the column
		}
		return typ, err
	}
	return a
}

// Configured is the options a long-running process (the API, the dev
// environment) reads from its configuration: the desk settings, the
// sending mode of entities an import creates and the size limit of a case's
// attachments.
func Configured(cfg *config.Config) ([]Option, error) {
	desk, err := ParseDesk(cfg.ReportingCurrency, cfg.PaidClaimCheck)
	if err != nil {
		return nil, err
	}
	sending, err := ParseSending("RECOUP_NEW_ENTITY_SENDING", cfg.NewEntitySending)
	if err != nil {
		return nil, err
	}
	attachMax, err := ParseAttachmentMax(cfg.AttachmentMaxBytes)
	if err != nil {
		return nil, err
	}
	portal, err := ConfiguredPortal(cfg.PublicURL, cfg.SMTPURL, cfg.MailFrom)
	if err != nil {
		return nil, err
	}
	targets, err := ParseWebhookTargets(cfg.WebhookPrivate)
	if err != nil {
		return nil, err
	}
	return []Option{WithDesk(desk), WithNewEntitySending(sending), WithAttachmentMax(attachMax), WithPortal(portal),
		WithWebhookTargets(targets)}, nil
}

// WithNewEntitySending sets the sending mode of entities an import creates
// (RECOUP_NEW_ENTITY_SENDING, checked by ParseSending).
func WithNewEntitySending(s store.Sending) Option {
	return func(a *App) { a.importer.NewEntitySending = string(s) }
}

// allow refuses what who may not do, by the one permission table.
func allow(who domain.Principal, action auth.Action) error { return auth.Check(who, action) }

// perimeter is what who may see, applied in the store's SQL.
func perimeter(who domain.Principal) store.Perimeter { return store.PerimeterOf(who) }

// customerTarget names a customer in the journal.
func customerTarget(id int64) string { return "customer/" + itoa(id) }
