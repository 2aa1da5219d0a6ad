package activities

import (
	"context"
	"html"
	"regexp"
	"strings"

	"recoup/domain"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// The gates a customer message passes before it is sent (README "Going live
// safely"): the entity's sending mode, consent to texts and calls, opt-outs
// and contacts marked invalid. A channel a gate closes is "unavailable", so
// the reminder falls back along the usual chain (texts and calls to email).

// openGates reads the entity's gates for a message to customerID on ch; off
// is the outcome to record instead when the entity's sending is off (nil
// while it is on).
func (d *Dunning) openGates(ctx context.Context, customerID int64, ch domain.Channel) (g store.Gate, off *outcome, err error) {
	g, err = d.Store.SendGate(ctx, customerID)
	if err != nil {
		return g, nil, err
	}
	if g.Sending == store.SendingOff || (g.Sending == store.SendingTest && g.TestAddress == "") {
		o := sendingOff(g, ch)
		return g, &o, nil
	}
	return g, nil, nil
}

// sendOne sends in's message on ch alone, behind the entity's gates: sent,
// skipped while sending is off, failed when ch cannot reach the customer.
// The error is temporary only.
func (d *Dunning) sendOne(ctx context.Context, in ExecuteInput, ch domain.Channel, mc store.MessageContext) (outcome, error) {
	g, off, err := d.openGates(ctx, in.CustomerID, ch)
	if err != nil {
		return outcome{}, err
	}
	if off != nil {
		return *off, nil
	}
	ref, err := d.send(ctx, in, ch, mc, g)
	switch {
	case unusable(err):
		return outcome{status: domain.MessageFailed, channel: ch, detail: string(ch) + ": " + err.Error()}, nil
	case err != nil:
		return outcome{}, err
	}
	return outcome{status: domain.MessageSent, channel: ch, ref: ref}, nil
}

// sendingOff is the outcome of a reminder while the entity's sending is off
// (or in test mode without a test address yet): recorded as skipped (the
// step counts as done, nothing is caught up later).
func sendingOff(g store.Gate, ch domain.Channel) outcome {
	if g.Sending == store.SendingTest {
		return outcome{status: domain.MessageSkipped, channel: ch,
			detail: "entity " + g.EntityCode + " sends in test mode but has no test address: not sent"}
	}
	return outcome{status: domain.MessageSkipped, channel: ch,
		detail: "sending is off for entity " + g.EntityCode + ": not sent"}
}

// gated says why the gates close ch for this customer, "" when they do not.
func gated(g store.Gate, ch domain.Channel) string {
	switch {
	case ch == domain.ChannelEmail && g.EmailInvalid != "":
		return "email address marked invalid: " + g.EmailInvalid
	case ch != domain.ChannelEmail && g.PhoneInvalid != "":
		return "phone number marked invalid: " + g.PhoneInvalid
	case ch == domain.ChannelSMS && !g.SMSAllowed:
		return g.SMSWhy
	case ch == domain.ChannelVoice && !g.VoiceAllowed:
		return g.VoiceWhy
	}
	return ""
}

// Headers of a test message.
const (
	HeaderTest          = "X-Recoup-Test"
	HeaderRealRecipient = "X-Recoup-Real-Recipient"
)

// TestSubjectPrefix starts the subject of every message sent in test mode.
const TestSubjectPrefix = "[TEST] "

// sendTest sends to the entity's test address, by email, what ch would have
// carried to the customer: an email as it is, a text or a call as an email
// with its words. Each names the real recipient.
func (d *Dunning) sendTest(ctx context.Context, key string, g store.Gate, ch domain.Channel, to string,
	r templates.Rendered, lang string) (string, error) {
	if d.Mailer == nil {
		return "", &unavailable{"test mode sends by email, and email is not configured"}
	}
	note := "Test message (entity " + g.EntityCode + " sends in test mode): in live mode this " +
		string(ch) + " would go to " + to + "."
	e := notify.Email{To: []string{g.TestAddress}, MessageID: notify.MessageID(key), Language: lang,
		Headers: map[string]string{HeaderTest: "true", HeaderRealRecipient: to}}
	if ch == domain.ChannelEmail {
		e.Subject = TestSubjectPrefix + r.Subject
		e.Text = note + "\n\n" + r.Text
		if r.HTML != "" {
			e.HTML = withBanner(r.HTML, "<p><strong>"+html.EscapeString(note)+"</strong></p>")
		}
	} else {
		e.Subject = TestSubjectPrefix + strings.ToUpper(string(ch)) + " to " + to
		e.Text = note + "\n\n" + r.Text
	}
	if err := d.Mailer.Send(ctx, e); err != nil {
		return "", err
	}
	return e.MessageID, nil
}

var bodyTag = regexp.MustCompile(`(?i)<body[^>]*>`)

// withBanner puts banner at the top of the HTML body.
func withBanner(doc, banner string) string {
	if loc := bodyTag.FindStringIndex(doc); loc != nil {
		return doc[:loc[1]] + banner + doc[loc[1]:]
	}
	return banner + doc
}
