// Package config reads Recoup's settings from the environment, with command
// flags overriding them. Each setting is declared once, here: its variable,
// its flag, its default and what it is for.
package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// Config is every setting of every subcommand; each command binds the ones it uses.
type Config struct {
	DatabaseURL        string
	TemporalAddress    string
	TemporalNamespace  string
	HTTPAddr           string
	PublicURL          string
	TrustedProxies     string
	SMTPURL            string
	MailFrom           string
	TwilioAccountSID   string
	TwilioAuthToken    string
	TwilioFromNumber   string
	TwilioAPIURL       string
	DataDir            string
	TemporalUIAddr     string
	LogLevel           string
	LogFormat          string
	MetricsAddr        string
	ReportingCurrency  string
	DigestHour         string
	PaidClaimCheck     string
	NewEntitySending   string
	AttachmentMaxBytes string
	InboundSMTPAddr    string
	InboundIMAPURL     string
	WebhookPrivate     string
	EventsRetention    string
	WorkflowCacheSize  string
	HistoryCacheSize   string
}

// Setting describes one variable: where it comes from, its default, and what it is for.
type Setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	Secret  bool // never printed in --help
	field   func(*Config) *string
}

// Settings lists every setting in the order --help shows them.
var Settings = []Setting{
	{Env: "DATABASE_URL", Default: "postgres://postgres@127.0.0.1:5432/recoup?sslmode=disable", Flag: "database-url", Usage: "Postgres connection URL", Secret: true, field: func(c *Config) *string { return &c.DatabaseURL }},
	{Env: "TEMPORAL_ADDRESS", Default: "127.0.0.1:7233", Flag: "temporal-address", Usage: "Temporal frontend host:port", field: func(c *Config) *string { return &c.TemporalAddress }},
	{Env: "TEMPORAL_NAMESPACE", Default: "default", Flag: "temporal-namespace", Usage: "Temporal namespace", field: func(c *Config) *string { return &c.TemporalNamespace }},
	{Env: "RECOUP_HTTP_ADDR", Default: "127.0.0.1:8080", Flag: "http-addr", Usage: "address the HTTP API listens on", field: func(c *Config) *string { return &c.HTTPAddr }},
	{Env: "RECOUP_PUBLIC_URL", Default: "http://localhost:8080", Flag: "public-url", Usage: "base URL the API is reached at from outside (Twilio delivery callbacks)", field: func(c *Config) *string { return &c.PublicURL }},
	{Env: "RECOUP_TRUSTED_PROXIES", Flag: "trusted-proxies", Usage: "comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed (client addresses for rate limits and sign-in records); empty: none", field: func(c *Config) *string { return &c.TrustedProxies }},
	{Env: "SMTP_URL", Default: "smtp://127.0.0.1:1025", Flag: "smtp-url", Usage: "outgoing mail server, smtp://user:pass@host:port (smtps:// for implicit TLS)", Secret: true, field: func(c *Config) *string { return &c.SMTPURL }},
	{Env: "RECOUP_MAIL_FROM", Default: "Recoup <recoup@localhost>", Flag: "mail-from", Usage: "From address of reminders", field: func(c *Config) *string { return &c.MailFrom }},
	{Env: "TWILIO_ACCOUNT_SID", Flag: "twilio-account-sid", Usage: "Twilio account SID (SMS and calls)", field: func(c *Config) *string { return &c.TwilioAccountSID }},
	{Env: "TWILIO_AUTH_TOKEN", Flag: "twilio-auth-token", Usage: "Twilio auth token", Secret: true, field: func(c *Config) *string { return &c.TwilioAuthToken }},
	{Env: "TWILIO_FROM_NUMBER", Flag: "twilio-from-number", Usage: "number SMS and calls come from, E.164", field: func(c *Config) *string { return &c.TwilioFromNumber }},
	{Env: "TWILIO_API_URL", Flag: "twilio-api-url", Usage: "base URL of the Twilio API (a local endpoint in tests and staging)", field: func(c *Config) *string { return &c.TwilioAPIURL }},
	{Env: "RECOUP_DATA_DIR", Default: ".recoup", Flag: "data-dir", Usage: "dev only: where the embedded Temporal server and captured mail persist", field: func(c *Config) *string { return &c.DataDir }},
	{Env: "RECOUP_TEMPORAL_HISTORY_CACHE", Default: "10000", Flag: "temporal-history-cache", Usage: "dev only: workflows whose state the embedded Temporal server keeps in memory (its history cache)", field: func(c *Config) *string { return &c.HistoryCacheSize }},
	{Env: "RECOUP_TEMPORAL_UI_ADDR", Default: "127.0.0.1:8233", Flag: "temporal-ui-addr", Usage: "dev only: address of the embedded Temporal Web UI", field: func(c *Config) *string { return &c.TemporalUIAddr }},
	{Env: "RECOUP_WORKFLOW_CACHE_SIZE", Default: "10000", Flag: "workflow-cache-size", Usage: "workflows a worker process keeps in memory between their tasks (the SDK's sticky cache); the others replay their history when they next run", field: func(c *Config) *string { return &c.WorkflowCacheSize }},
	{Env: "RECOUP_DIGEST_HOUR", Default: "7", Flag: "digest-hour", Usage: "hour of the day (UTC, 0-23) the daily digest emails go to the users who opted in", field: func(c *Config) *string { return &c.DigestHour }},
	{Env: "RECOUP_REPORTING_CURRENCY", Default: "EUR", Flag: "reporting-currency", Usage: "ISO 4217 currency the worklist and the collection figures (/kpis) convert amounts into (dated rates of the exchange_rates import)", field: func(c *Config) *string { return &c.ReportingCurrency }},
	{Env: "RECOUP_PAID_CLAIM_CHECK_DAYS", Default: "3", Flag: "paid-claim-check-days", Usage: "days after a customer says they paid before a task checks for the payment", field: func(c *Config) *string { return &c.PaidClaimCheck }},
	{Env: "RECOUP_NEW_ENTITY_SENDING", Default: "live", Flag: "new-entity-sending", Usage: "sending mode of entities an import creates: live, test (every customer message to the entity's test address) or off", field: func(c *Config) *string { return &c.NewEntitySending }},
	{Env: "RECOUP_ATTACHMENT_MAX_BYTES", Default: "10485760", Flag: "attachment-max-bytes", Usage: "largest file (bytes) that may be attached to a case", field: func(c *Config) *string { return &c.AttachmentMaxBytes }},
	{Env: "RECOUP_INBOUND_SMTP_ADDR", Flag: "inbound-smtp-addr", Usage: "address the inbound SMTP listener (customer replies and bounces) listens on; empty: none (dev: 127.0.0.1:2525)", field: func(c *Config) *string { return &c.InboundSMTPAddr }},
	{Env: "RECOUP_INBOUND_IMAP_URL", Flag: "inbound-imap-url", Usage: "IMAP mailbox polled every minute for customer replies and bounces, imaps://user:pass@host/INBOX; empty: none", Secret: true, field: func(c *Config) *string { return &c.InboundIMAPURL }},
	{Env: "RECOUP_EVENTS_RETENTION_DAYS", Default: "90", Flag: "events-retention-days", Usage: "days the event feed keeps an event (deleted daily once every active webhook subscription has it); 0 keeps them for ever", field: func(c *Config) *string { return &c.EventsRetention }},
	{Env: "RECOUP_WEBHOOK_ALLOW_PRIVATE", Default: "false", Flag: "webhook-allow-private", Usage: "true lets webhooks go to private, loopback and link-local addresses (receivers on the internal network, tests); false refuses them, at save and at each delivery", field: func(c *Config) *string { return &c.WebhookPrivate }},
	{Env: "RECOUP_LOG_LEVEL", Default: "info", Flag: "log-level", Usage: "debug, info, warn or error", field: func(c *Config) *string { return &c.LogLevel }},
	{Env: "RECOUP_LOG_FORMAT", Default: "auto", Flag: "log-format", Usage: "json (one line per event), text, or auto: text on a terminal, JSON otherwise", field: func(c *Config) *string { return &c.LogFormat }},
	{Env: "RECOUP_METRICS_ADDR", Default: "127.0.0.1:9464", Flag: "metrics-addr", Usage: "address `recoup worker` serves Prometheus /metrics on; off: none (the API serves /metrics on its own address)", field: func(c *Config) *string { return &c.MetricsAddr }},
}

// Load reads the environment; an unset or empty variable takes its default.
func Load() *Config {
	var c Config
	for _, s := range Settings {
		v := strings.TrimSpace(os.Getenv(s.Env))
		if v == "" {
			v = s.Default
		}
		*s.field(&c) = v
	}
	return &c
}

// Bind adds flags for the named settings to fs; a flag given on the command
// line overrides the environment. Each flag's help names its variable.
func (c *Config) Bind(fs *pflag.FlagSet, envs ...string) {
	for _, env := range envs {
		s, ok := lookup(env)
		if !ok {
			panic("config: unknown setting " + env)
		}
		p := s.field(c)
		fs.StringVar(p, s.Flag, *p, fmt.Sprintf("%s (env %s)", s.Usage, s.Env))
		if s.Secret {
			fs.Lookup(s.Flag).DefValue = "" // keep secrets out of --help
		}
	}
}

func lookup(env string) (Setting, bool) {
	for _, s := range Settings {
		if s.Env == env {
			return s, true
		}
	}
	return Setting{}, false
}

// Envs returns the variable names of all settings.
func Envs() []string {
	out := make([]string, len(Settings))
	for i, s := range Settings {
		out[i] = s.Env
	}
	return out
}
