package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
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
	Log               *slog.Logger // nil: no logs
}

// ExecuteInput is one planned action for one account.
type ExecuteInput struct {
	CustomerID int64
	WorkflowID string
	Action     dunning.Action
	// Channels, when set, are the only channels to try, in order, instead of
	// the action channel's fallback chain.
	Channels []dunning.Channel
}

// ExecuteResult is what became of the action.
type ExecuteResult struct {
	Key     string
	Status  string          // the message log status: sent, fallback, skipped or failed
	Channel dunning.Channel // the channel actually used ("task" when only a manual contact task was left)
	Detail  string
	// AlreadyDone: the key was finished by an earlier run; nothing was done now.
	AlreadyDone bool
}

// ErrTypeBadInput is the type of the non-retryable error Execute returns for
// input that cannot succeed however often it is retried (unknown customer).
const ErrTypeBadInput = "DunningBadInput"

// manualContactDue is how long an agent has for the manual contact task
// created when no channel reaches the customer.
const manualContactDue = 48 * time.Hour

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
	claimed, status, err := d.Store.ClaimMessage(ctx, store.MessageClaim{
		Key: a.Key, CustomerID: in.CustomerID, WorkflowID: in.WorkflowID,
		ScenarioID: a.ScenarioID, ScenarioVersion: a.ScenarioVersion, StepIndex: a.StepIndex, Repeat: a.Repeat,
		Channel: string(ch), InvoiceIDs: a.InvoiceIDs,
	})
	if err != nil {
		return res, badInput(err)
	}
	if !claimed && status != store.MessageSending {
		res.Status, res.AlreadyDone = status, true
		_, used, ref, err := d.Store.MessageStatus(ctx, a.Key)
		if err != nil {
			return res, err
		}
		if used != "" {
			res.Channel = dunning.Channel(used) // the channel the earlier run used
		}
		d.log().Info("dunning action already done", "key", a.Key, "status", status)
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
		out = outcome{status: store.MessageFailed, channel: ch, detail: fmt.Sprintf("unknown channel %q", ch)}
	case len(mc.Invoices) == 0:
		out = outcome{status: store.MessageSkipped, channel: ch, detail: "no invoice of the action is still open"}
	case ch.IsReminder():
		out, err = d.remind(ctx, in, ch, mc)
	case ch == dunning.ChannelTask || ch == dunning.ChannelEscalation:
		out, err = d.task(ctx, in, ch, mc)
	case ch == dunning.ChannelCreditHold:
		err = d.Store.PutOnHold(ctx, in.CustomerID, a.Key, actor(in))
		out = outcome{status: store.MessageSent, channel: ch, detail: "account put on credit hold"}
	}
	if err != nil {
		d.log().Warn("dunning action failed, will be retried", "key", a.Key, "channel", ch, "err", err)
		return res, badInput(err)
	}
	// What was sent is recorded even when the activity is being cancelled
	// (a worker stopping): an unrecorded send is sent again by the retry.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := d.Store.FinishMessage(finishCtx, a.Key, out.status, string(out.channel), out.ref, out.detail,
		store.Entry{Actor: actor(in)}); err != nil {
		return res, err
	}
	res.Status, res.Channel, res.Detail = out.status, out.channel, out.detail
	if fb, ok, err := d.failedEarly(ctx, in, out); err != nil || ok {
		return fb, err
	}
	d.log().Info("dunning action done", "key", a.Key, "customer_id", in.CustomerID, "status", out.status,
		"channel", out.channel, "detail", out.detail)
	return res, nil
}

type outcome struct {
	status  string
	channel dunning.Channel
	ref     string // provider reference: Message-ID, Twilio SID, task/<id>
	detail  string
}

// fallbacks lists, per reminder channel, the channels to try in order.
var fallbacks = map[dunning.Channel][]dunning.Channel{
	dunning.ChannelEmail: {dunning.ChannelEmail, dunning.ChannelSMS, dunning.ChannelVoice},
	dunning.ChannelSMS:   {dunning.ChannelSMS, dunning.ChannelEmail},
	dunning.ChannelVoice: {dunning.ChannelVoice, dunning.ChannelSMS, dunning.ChannelEmail},
}

// remind sends the reminder on ch or the first fallback channel that works.
// The error is temporary only; permanent failures become the outcome.
func (d *Dunning) remind(ctx context.Context, in ExecuteInput, ch dunning.Channel, mc store.MessageContext) (outcome, error) {
	var why []string
	chain := fallbacks[ch]
	if len(in.Channels) > 0 {
		chain = in.Channels
	}
	for _, try := range chain {
		ref, err := d.send(ctx, in, try, mc)
		if err == nil {
			out := outcome{status: store.MessageSent, channel: try, ref: ref}
			if try != ch {
				out.status = store.MessageFallback
				out.detail = strings.Join(why, "; ") + "; sent by " + string(try)
			}
			return out, nil
		}
		var skip *unavailable
		if !errors.As(err, &skip) && !notify.IsPermanent(err) {
			return outcome{}, err
		}
		why = append(why, string(try)+": "+err.Error())
		d.log().Info("dunning channel unusable, falling back", "key", in.Action.Key, "channel", try, "reason", err)
	}
	// Nothing reached the customer: a person has to.
	a := in.Action
	id, _, err := d.Store.CreateTask(ctx, store.Task{
		Key: a.Key, CustomerID: in.CustomerID, Kind: store.TaskCall, AssigneeRole: string(dunning.RoleAgent),
		InvoiceIDs: invoiceIDs(mc), DueAt: time.Now().Add(manualContactDue),
		Note: "manual contact: " + strings.Join(why, "; "), Actor: actor(in),
	})
	if err != nil {
		return outcome{}, err
	}
	return outcome{status: store.MessageFallback, channel: dunning.ChannelTask, ref: taskRef(id),
		detail: strings.Join(why, "; ") + "; manual contact task " + strconv.FormatInt(id, 10) + " for the agent"}, nil
}

// unavailable is a channel that cannot be used for this customer at all.
type unavailable struct{ reason string }

func (u *unavailable) Error() string { return u.reason }

// send renders and sends the reminder on one channel and returns the
// provider's reference. An *unavailable error or a permanent notify error
// means the channel cannot work for this customer.
func (d *Dunning) send(ctx context.Context, in ExecuteInput, ch dunning.Channel, mc store.MessageContext) (string, error) {
	c := mc.Customer
	switch {
	case ch == dunning.ChannelEmail && d.Mailer == nil:
		return "", &unavailable{"email is not configured"}
	case ch == dunning.ChannelEmail && strings.TrimSpace(c.Email) == "":
		return "", &unavailable{"no email address"}
	case ch != dunning.ChannelEmail && d.Twilio == nil:
		return "", &unavailable{"Twilio is not configured"}
	case ch != dunning.ChannelEmail && strings.TrimSpace(c.Phone) == "":
		return "", &unavailable{"no phone number"}
	case d.Templates == nil:
		return "", &unavailable{"no templates"}
	}
	set, err := d.templateSet(ctx)
	if err != nil {
		return "", err // the database: temporary
	}
	r, lang, err := d.render(set, in.Action.Step.Template, templates.Channel(ch), mc)
	if err != nil {
		// A missing or broken template is no reason to retry: try the next channel.
		return "", &unavailable{err.Error()}
	}
	key := in.Action.Key
	switch ch {
	case dunning.ChannelEmail:
		msgID := notify.MessageID(key)
		err := d.Mailer.Send(ctx, notify.Email{
			To: splitAddresses(c.Email), Subject: r.Subject, Text: r.Text, HTML: r.HTML, MessageID: msgID, Language: lang,
		})
		return msgID, err
	case dunning.ChannelSMS:
		return d.Twilio.SendSMS(ctx, c.Phone, r.Text, d.StatusCallbackURL, key)
	default:
		return d.Twilio.Call(ctx, c.Phone, notify.SayTwiML(r.Text, lang), d.StatusCallbackURL, key)
	}
}

// render fills the template for the customer's language (else the entity's,
// else English), with Today written in the language the template has.
func (d *Dunning) render(set *templates.Set, name string, ch templates.Channel, mc store.MessageContext) (templates.Rendered, string, error) {
	now := time.Now()
	data, err := mc.TemplateData(now, mc.Customer.Language)
	if err != nil {
		return templates.Rendered{}, "", err
	}
	r, lang, err := set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, data)
	if err != nil {
		return r, lang, err
	}
	if inLang, err := mc.TemplateData(now, lang); err == nil && inLang.Today != data.Today {
		r, lang, err = set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, inLang)
		return r, lang, err
	}
	return r, lang, nil
}

// task creates the task or escalation of a task or escalation step.
func (d *Dunning) task(ctx context.Context, in ExecuteInput, ch dunning.Channel, mc store.MessageContext) (outcome, error) {
	a := in.Action
	kind := store.TaskCall
	if ch == dunning.ChannelEscalation {
		kind = store.TaskEscalation
	}
	role := a.Step.AssigneeRole
	if role == "" {
		role = dunning.RoleAgent
	}
	due := a.TaskDue
	if due.IsZero() {
		base := a.At
		if base.IsZero() {
			base = time.Now()
		}
		hours := a.Step.TaskDueHours
		if hours <= 0 {
			hours = int(manualContactDue / time.Hour)
		}
		due = base.Add(time.Duration(hours) * time.Hour)
	}
	note := a.Step.Template
	if note == "" {
		note = string(ch) + " step " + strconv.Itoa(a.StepIndex)
	}
	id, created, err := d.Store.CreateTask(ctx, store.Task{
		Key: a.Key, CustomerID: in.CustomerID, Kind: kind, AssigneeRole: string(role),
		InvoiceIDs: invoiceIDs(mc), DueAt: due, Note: note, Actor: actor(in),
	})
	if err != nil {
		return outcome{}, err
	}
	detail := kind + " task " + strconv.FormatInt(id, 10) + " for " + string(role)
	if !created {
		detail += " (already created)"
	}
	return outcome{status: store.MessageSent, channel: ch, ref: taskRef(id), detail: detail}, nil
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

func invoiceIDs(mc store.MessageContext) []int64 {
	ids := make([]int64, len(mc.Invoices))
	for i, inv := range mc.Invoices {
		ids[i] = inv.ID
	}
	return ids
}

func taskRef(id int64) string { return "task/" + strconv.FormatInt(id, 10) }

// splitAddresses splits a customer's email field, which may list several
// addresses separated by commas or semicolons.
func splitAddresses(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// finishTimeout bounds recording an action's outcome after its context ended.
const finishTimeout = 15 * time.Second

// templateTTL bounds how stale the saved templates a worker uses can be.
const templateTTL = 30 * time.Second

type templateCache struct {
	mu  sync.Mutex
	set *templates.Set
	at  time.Time
}

// templateSet is the shipped templates overlaid with the saved ones.
func (d *Dunning) templateSet(ctx context.Context) (*templates.Set, error) {
	if d.Store == nil {
		return d.Templates, nil
	}
	d.tmpl.mu.Lock()
	defer d.tmpl.mu.Unlock()
	if d.tmpl.set != nil && time.Since(d.tmpl.at) < templateTTL {
		return d.tmpl.set, nil
	}
	saved, err := d.Store.TemplateOverrides(ctx)
	if err != nil {
		return nil, err
	}
	set, err := templates.NewSet(append(d.Templates.Templates(), saved...)...)
	if err != nil {
		return nil, err
	}
	d.tmpl.set, d.tmpl.at = set, time.Now()
	return set, nil
}

// FallbackInput names a text or call the provider reported as not delivered.
type FallbackInput struct {
	CustomerID int64  `json:"customer_id"`
	WorkflowID string `json:"workflow_id"`
	Key        string `json:"key"`
}

// afterFailedDelivery marks the key of the email sent in place of a failed text or call.
const afterFailedDelivery = "/email-after-failed-delivery"

// Fallback sends by email the reminder a failed text or call carried (same
// step, template and invoices), under a key of its own so it goes once; when
// email cannot reach the customer either, the agent gets a manual task.
func (d *Dunning) Fallback(ctx context.Context, in FallbackInput) (ExecuteResult, error) {
	m, found, err := d.Store.SentMessageByKey(ctx, in.Key)
	if err != nil {
		return ExecuteResult{}, err
	}
	if !found || m.CustomerID != in.CustomerID {
		return ExecuteResult{}, temporal.NewNonRetryableApplicationError("no message "+in.Key+" for this customer", ErrTypeBadInput, nil)
	}
	if m.Channel != string(dunning.ChannelSMS) && m.Channel != string(dunning.ChannelVoice) {
		return ExecuteResult{Key: in.Key, Status: store.MessageSkipped, Detail: "only texts and calls fall back after delivery"}, nil
	}
	sc, err := d.Store.Scenario(ctx, m.ScenarioID, m.ScenarioVersion)
	if err != nil {
		return ExecuteResult{}, err
	}
	var steps []dunning.Step
	if err := json.Unmarshal(sc.Steps, &steps); err != nil || m.StepIndex < 0 || m.StepIndex >= len(steps) {
		return ExecuteResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("scenario %d version %d has no step %d", m.ScenarioID, m.ScenarioVersion, m.StepIndex), ErrTypeBadInput, err)
	}
	step := steps[m.StepIndex]
	step.Channel = dunning.ChannelEmail
	return d.Execute(ctx, ExecuteInput{CustomerID: in.CustomerID, WorkflowID: in.WorkflowID,
		Channels: []dunning.Channel{dunning.ChannelEmail},
		Action: dunning.Action{At: time.Now().UTC(), ScenarioID: m.ScenarioID, ScenarioVersion: m.ScenarioVersion,
			StepIndex: m.StepIndex, Step: step, Channel: dunning.ChannelEmail, InvoiceIDs: m.InvoiceIDs,
			Repeat: m.Repeat, Key: in.Key + afterFailedDelivery}})
}

// failedEarly catches a text or call whose failure report reached the webhook
// before its send was recorded (the webhook could not find it then): the
// reminder falls back to email here. Fallback's own key keeps it to one email
// if the workflow also asks for it.
func (d *Dunning) failedEarly(ctx context.Context, in ExecuteInput, out outcome) (ExecuteResult, bool, error) {
	if (out.channel != dunning.ChannelSMS && out.channel != dunning.ChannelVoice) || out.ref == "" {
		return ExecuteResult{}, false, nil
	}
	outcome, err := d.Store.DeliveryOutcome(ctx, out.ref)
	if err != nil || !store.FailedDelivery(outcome) {
		return ExecuteResult{}, false, err
	}
	res, err := d.Fallback(ctx, FallbackInput{CustomerID: in.CustomerID, WorkflowID: in.WorkflowID, Key: in.Action.Key})
	return res, true, err
}
