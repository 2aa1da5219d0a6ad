package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
	"recoup/metrics"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// Dunning carries out the actions the dunning planner decides on: reminders
// by email, SMS or voice call, tasks and escalations for people, credit holds.
type Dunning struct {
	Store  *store.Store
	Mailer *notify.Mailer // nil: email unavailable
	Twilio *notify.Twilio // nil: SMS and voice unavailable
	// Templates are the shipped ones; with Store set, the templates credit
	// managers saved are laid over them (re-read at most every templateTTL,
	// so an edit applies to the next reminders without a restart).
	Templates *templates.Set
	tmpl      templateCache
	// StatusCallbackURL is where Twilio reports delivery, e.g.
	// https://host/webhooks/twilio; "" for none.
	StatusCallbackURL string
	// PublicURL is where customers reach the portal (RECOUP_PUBLIC_URL):
	// every reminder carries a personal link under it; "" for none.
	PublicURL string
	Log       *slog.Logger // nil: no logs
}

// ExecuteInput is one planned action for one account.
//
// Its JSON names are recorded in every Dunning history (the compliance
// timeline decodes them): they keep the Go field names they always had.
type ExecuteInput struct {
	CustomerID int64          `json:"CustomerID"`
	WorkflowID string         `json:"WorkflowID"`
	Action     dunning.Action `json:"Action"`
	// Channels, when set, are the only channels to try, in order, instead of
	// the action channel's fallback chain.
	Channels []domain.Channel `json:"Channels"`
}

// ExecuteResult is what became of the action (JSON names kept as recorded, like ExecuteInput's).
type ExecuteResult struct {
	Key     string               `json:"Key"`
	Status  domain.MessageStatus `json:"Status"`  // the message log status: sent, fallback, skipped or failed
	Channel domain.Channel       `json:"Channel"` // the channel actually used ("task" when only a manual contact task was left)
	Detail  string               `json:"Detail"`
	// AlreadyDone: the key was finished by an earlier run; nothing was done now.
	AlreadyDone bool `json:"AlreadyDone"`
}

// ErrTypeBadInput is the type of the non-retryable error Execute returns for
// input that cannot succeed however often it is retried (unknown customer).
const ErrTypeBadInput = "DunningBadInput"

// Execute carries out one dunning action exactly once per idempotency key:
//
//   - The key is claimed in the message log first; a key already finished
//     returns AlreadyDone and does nothing.
//   - If none of the action's invoices is still open (paid since the plan),
//     the action is recorded as skipped.
//   - A reminder (email, sms, voice) is rendered in the customer's language
//     (else the entity's, else English) and sent. If the customer has no
//     address for the channel, the channel is not configured, or the provider
//     rejects the recipient permanently, the next channel is tried (email →
//     sms → voice; sms → email; voice → sms → email) and the action is
//     recorded as "fallback" with the channel used and why. If no channel
//     works, a manual contact task goes to the agent.
//   - A task step creates a "call" task, an escalation step an "escalation"
//     task, for the step's assignee role; a credit hold step puts the account
//     on hold.
//
// A temporary failure (SMTP or Twilio unreachable, database trouble) is
// returned as an error for the activity's retry policy; the key stays
// "sending", so the retry sends again (see store.ClaimMessage). A permanent
// failure never fails the workflow: it is a result. Only bad input (an unknown
// customer, no key) is a non-retryable error.
func (d *Dunning) Execute(ctx context.Context, in ExecuteInput) (ExecuteResult, error) {
	a := in.Action
	ch := a.Channel
	if ch == "" {
		ch = a.Step.Channel
	}
	res := ExecuteResult{Key: a.Key, Channel: ch}
	if a.Key == "" {
		return res, temporal.NewNonRetryableApplicationError("dunning action without an idempotency key", ErrTypeBadInput, nil)
	}
	defer keepAlive(ctx)()
	claimed, status, err := d.Store.ClaimMessage(ctx, store.MessageClaim{
		Key: a.Key, CustomerID: in.CustomerID, WorkflowID: in.WorkflowID,
		ScenarioID: a.ScenarioID, ScenarioVersion: a.ScenarioVersion, StepIndex: a.StepIndex, Repeat: a.Repeat,
		Channel: ch, InvoiceIDs: a.InvoiceIDs, Covered: a.Covered,
	})
	if err != nil {
		d.log().WarnContext(ctx, "dunning action could not be claimed", "key", a.Key, "attempt", attempt(ctx), "err", err)
		return res, badInput(err)
	}
	if !claimed && status != domain.MessageSending {
		res.Status, res.AlreadyDone = status, true
		_, used, ref, err := d.Store.MessageStatus(ctx, a.Key)
		if err != nil {
			return res, err
		}
		if used != "" {
			res.Channel = used // the channel the earlier run used
		}
		metrics.Message(string(res.Channel), metrics.OutcomeDuplicatePrevented)
		d.log().DebugContext(ctx, "dunning action already done", "key", a.Key, "status", status)
		// The earlier run may have died between recording a text and checking
		// for an early failure report: check again (the fallback has its own key).
		if fb, ok, err := d.failedEarly(ctx, in, outcome{channel: res.Channel, ref: ref}); err != nil || ok {
			return fb, err
		}
		return res, nil
	}
	mc, err := d.Store.MessageContext(ctx, in.CustomerID, a.InvoiceIDs)
	if err != nil {
		return res, badInput(err)
	}

	var out outcome
	switch {
	case !ch.Valid():
		out = outcome{status: domain.MessageFailed, channel: ch, detail: fmt.Sprintf("unknown channel %q", ch)}
	case len(mc.Invoices) == 0:
		out = outcome{status: domain.MessageSkipped, channel: ch, detail: "no invoice of the action is still open"}
	case ch.IsReminder():
		out, err = d.remind(ctx, in, ch, mc)
	case ch == domain.ChannelTask || ch == domain.ChannelEscalation:
		out, err = d.task(ctx, in, ch, mc)
	case ch == domain.ChannelCreditHold:
		err = d.Store.PutOnHold(ctx, in.CustomerID, a.ScenarioID, a.Key, actor(in))
		out = outcome{status: domain.MessageSent, channel: ch, detail: "account put on credit hold"}
	}
	if err != nil {
		d.log().WarnContext(ctx, "dunning action failed, will be retried", "key", a.Key, "channel", ch, "attempt", attempt(ctx), "err", err)
		return res, badInput(err)
	}
	if err := d.finish(ctx, a.Key, out, store.Entry{Actor: actor(in)}); err != nil {
		return res, err
	}
	metrics.Message(string(out.channel), string(out.status))
	res.Status, res.Channel, res.Detail = out.status, out.channel, out.detail
	if fb, ok, err := d.failedEarly(ctx, in, out); err != nil || ok {
		return fb, err
	}
	// Debug: one line per action is too many for the console; the summary counts them.
	d.log().DebugContext(ctx, "dunning action done", "key", a.Key, "customer_id", in.CustomerID, "status", out.status,
		"channel", out.channel, "detail", out.detail)
	return res, nil
}

// finish records the outcome of key in the message log, journaled as e. What
// was sent is recorded even when the activity is being cancelled (a worker
// stopping), and a failed write is tried again for up to finishTimeout (a
// Postgres restart): an unrecorded send is sent again by the activity's retry.
func (d *Dunning) finish(ctx context.Context, key string, out outcome, e store.Entry) error {
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	wait := finishRetryFirst
	for try := 1; ; try++ {
		err := d.Store.FinishMessage(finishCtx, key, out.status, out.channel, out.ref, out.detail, e)
		var domainErr *domain.Error
		if err == nil || errors.As(err, &domainErr) {
			return err // recorded, or an error no retry changes (never claimed, not final)
		}
		if try == 1 { // once per action: an outage would repeat it for every try
			d.log().Warn("dunning action done but not recorded yet, trying again for up to "+finishTimeout.String(), "key", key, "err", err)
		}
		select {
		case <-finishCtx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, finishRetryMax)
	}
}

// The backoff of finish's tries.
const (
	finishRetryFirst = 200 * time.Millisecond
	finishRetryMax   = 5 * time.Second
)

type outcome struct {
	status  domain.MessageStatus
	channel domain.Channel
	ref     string // provider reference: Message-ID, Twilio SID, task/<id>
	detail  string
}

func (d *Dunning) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// badInput turns an unknown customer into a non-retryable error; other
// errors are returned as they are, for the retry policy.
func badInput(err error) error {
	if domain.ErrorCode(err) == domain.CodeNotFound || domain.ErrorCode(err) == domain.CodeInvalid {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadInput, err)
	}
	return err
}

func actor(in ExecuteInput) string {
	if in.WorkflowID != "" {
		return in.WorkflowID
	}
	return "system"
}

// HeartbeatEvery is how often a running Execute tells Temporal its worker is
// alive. The Dunning workflow gives Execute a heartbeat timeout of a few of
// these: an action whose worker died (kill -9, a lost machine) is retried
// once that timeout passes, not after the whole start-to-close timeout.
const HeartbeatEvery = 5 * time.Second

// keepAlive records a heartbeat every HeartbeatEvery until the returned stop
// is called; outside an activity (unit tests) it does nothing.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(HeartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

// attempt is the activity's attempt number (1 the first time), 0 outside an activity.
func attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 0
	}
	return activity.GetInfo(ctx).Attempt
}

// finishTimeout bounds recording an action's outcome, tries included: long
// enough for a Postgres restart, well within Execute's start-to-close timeout.
const finishTimeout = time.Minute
