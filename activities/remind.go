package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"recoup/domain"
	"recoup/dunning"
	"recoup/notify"
	"recoup/store"
)

// manualContactDue is how long an agent has for the manual contact task
// created when no channel reaches the customer.
const manualContactDue = 48 * time.Hour

// fallbacks lists, per reminder channel, the channels to try in order.
var fallbacks = map[domain.Channel][]domain.Channel{
	domain.ChannelEmail: {domain.ChannelEmail, domain.ChannelSMS, domain.ChannelVoice},
	domain.ChannelSMS:   {domain.ChannelSMS, domain.ChannelEmail},
	domain.ChannelVoice: {domain.ChannelVoice, domain.ChannelSMS, domain.ChannelEmail},
}

// remind sends the reminder on ch or the first fallback channel that works.
// The error is temporary only; permanent failures become the outcome.
func (d *Dunning) remind(ctx context.Context, in ExecuteInput, ch domain.Channel, mc store.MessageContext) (outcome, error) {
	g, off, err := d.openGates(ctx, in.CustomerID, ch)
	if err != nil {
		return outcome{}, err
	}
	if off != nil {
		return *off, nil
	}
	var why []string
	chain := fallbacks[ch]
	if len(in.Channels) > 0 {
		chain = in.Channels
	}
	for _, try := range chain {
		ref, err := d.send(ctx, in, try, mc, g)
		if try == domain.ChannelSMS && notify.OptedOut(err) {
			// The number answered STOP: never text it again (until an import changes it).
			if _, err := d.Store.OptOutSMS(ctx, mc.Customer.Phone, "Twilio refused the text (error 21610: the number opted out)", actor(in)); err != nil {
				return outcome{}, err
			}
		}
		if err == nil {
			out := outcome{status: domain.MessageSent, channel: try, ref: ref}
			if try != ch {
				out.status = domain.MessageFallback
				out.detail = strings.Join(why, "; ") + "; sent by " + string(try)
			}
			if g.Sending == store.SendingTest {
				out.detail = strings.TrimPrefix(out.detail+"; test mode: sent to "+g.TestAddress+" instead of the customer", "; ")
			}
			return out, nil
		}
		if !unusable(err) {
			return outcome{}, err
		}
		why = append(why, string(try)+": "+err.Error())
		d.log().DebugContext(ctx, "dunning channel unusable, falling back", "key", in.Action.Key, "channel", try, "reason", err)
	}
	// Nothing reached the customer: a person has to.
	a := in.Action
	id, _, err := d.Store.CreateTask(ctx, store.Task{
		Key: a.Key, CustomerID: in.CustomerID, Kind: domain.TaskCall, AssigneeRole: domain.AssigneeAgent,
		InvoiceIDs: invoiceIDs(mc), DueAt: time.Now().Add(manualContactDue), MergeCall: true,
		Note: "manual contact: " + strings.Join(why, "; "), Actor: actor(in),
	})
	if err != nil {
		return outcome{}, err
	}
	return outcome{status: domain.MessageFallback, channel: domain.ChannelTask, ref: taskRef(id),
		detail: strings.Join(why, "; ") + "; manual contact task " + strconv.FormatInt(id, 10) + " for the agent"}, nil
}

// unavailable is a channel that cannot be used for this customer at all.
type unavailable struct{ reason string }

func (u *unavailable) Error() string { return u.reason }

// unusable says err means the channel cannot work for this customer (an
// *unavailable or a permanent provider refusal), not a temporary failure.
func unusable(err error) bool {
	var skip *unavailable
	return errors.As(err, &skip) || notify.IsPermanent(err)
}

// send renders and sends the reminder on one channel and returns the
// provider's reference. An *unavailable error or a permanent notify error
// means the channel cannot work for this customer.
func (d *Dunning) send(ctx context.Context, in ExecuteInput, ch domain.Channel, mc store.MessageContext, g store.Gate) (string, error) {
	c := mc.Customer
	if why := gated(g, ch); why != "" {
		return "", &unavailable{why}
	}
	switch {
	case ch == domain.ChannelEmail && d.Mailer == nil:
		return "", &unavailable{"email is not configured"}
	case ch == domain.ChannelEmail && strings.TrimSpace(c.Email) == "":
		return "", &unavailable{"no email address"}
	case ch == domain.ChannelEmail && len(deliverable(c)) == 0:
		return "", &unavailable{"every email address bounced (" + strings.Join(c.Undeliverable, ", ") + ")"}
	case ch != domain.ChannelEmail && d.Twilio == nil:
		return "", &unavailable{"Twilio is not configured"}
	case ch != domain.ChannelEmail && strings.TrimSpace(c.Phone) == "":
		return "", &unavailable{"no phone number"}
	case d.Templates == nil:
		return "", &unavailable{"no templates"}
	}
	set, err := d.templateSet(ctx)
	if err != nil {
		return "", err // the database: temporary
	}
	if mc.PortalURL, err = d.portalLink(ctx, in.Action.Key, ch, mc); err != nil {
		return "", err // the database: temporary
	}
	r, lang, err := d.render(set, in.Action.Step.Template, ch, mc)
	if err != nil {
		// A missing or broken template is no reason to retry: try the next channel.
		return "", &unavailable{err.Error()}
	}
	key := in.Action.Key
	if g.Sending == store.SendingTest {
		to := c.Phone
		if ch == domain.ChannelEmail {
			to = c.Email
		}
		return d.sendTest(ctx, key, g, ch, to, r, lang)
	}
	switch ch {
	case domain.ChannelEmail:
		msgID := notify.MessageID(key)
		token, err := d.replyToken(ctx, mc)
		if err != nil {
			return "", err // the database: temporary
		}
		e := notify.Email{
			To: deliverable(c), Subject: r.Subject, Text: r.Text, HTML: r.HTML, MessageID: msgID, Language: lang,
		}
		emailSender(&e, mc, token)
		err = d.Mailer.Send(ctx, e)
		return msgID, err
	case domain.ChannelSMS:
		return d.Twilio.SendSMS(ctx, c.Phone, r.Text, d.StatusCallbackURL, key)
	default:
		return d.Twilio.Call(ctx, c.Phone, notify.SayTwiML(r.Text, lang), d.StatusCallbackURL, key)
	}
}

// deliverable are the customer's addresses that did not bounce for good.
func deliverable(c store.MessageCustomer) []string {
	var out []string
	for _, a := range splitAddresses(c.Email) {
		bare := a
		if p, err := mail.ParseAddress(a); err == nil {
			bare = p.Address
		}
		if !slices.ContainsFunc(c.Undeliverable, func(u string) bool { return strings.EqualFold(u, bare) }) {
			out = append(out, a)
		}
	}
	return out
}

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
	if m.Channel != domain.ChannelSMS && m.Channel != domain.ChannelVoice {
		return ExecuteResult{Key: in.Key, Status: domain.MessageSkipped, Detail: "only texts and calls fall back after delivery"}, nil
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
	step.Channel = domain.ChannelEmail
	return d.Execute(ctx, ExecuteInput{CustomerID: in.CustomerID, WorkflowID: in.WorkflowID,
		Channels: []domain.Channel{domain.ChannelEmail},
		Action: dunning.Action{At: time.Now().UTC(), ScenarioID: m.ScenarioID, ScenarioVersion: m.ScenarioVersion,
			StepIndex: m.StepIndex, Step: step, Channel: domain.ChannelEmail, InvoiceIDs: m.InvoiceIDs,
			Repeat: m.Repeat, Key: in.Key + afterFailedDelivery}})
}

// failedEarly catches a text or call whose failure report reached the webhook
// before its send was recorded (the webhook could not find it then): the
// reminder falls back to email here. Fallback's own key keeps it to one email
// if the workflow also asks for it.
func (d *Dunning) failedEarly(ctx context.Context, in ExecuteInput, out outcome) (ExecuteResult, bool, error) {
	if (out.channel != domain.ChannelSMS && out.channel != domain.ChannelVoice) || out.ref == "" {
		return ExecuteResult{}, false, nil
	}
	outcome, err := d.Store.DeliveryOutcome(ctx, out.ref)
	if err != nil || !store.FailedDelivery(outcome) {
		return ExecuteResult{}, false, err
	}
	res, err := d.Fallback(ctx, FallbackInput{CustomerID: in.CustomerID, WorkflowID: in.WorkflowID, Key: in.Action.Key})
	return res, true, err
}
