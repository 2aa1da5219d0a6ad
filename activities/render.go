package activities

import (
	"cmp"
	"context"
	"net/mail"
	"sync"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/inbound"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// render fills the template for the customer's language (else the entity's,
// else English), with Today written in the language the template has.
func (d *Dunning) render(set *templates.Set, name string, ch domain.Channel, mc store.MessageContext) (templates.Rendered, string, error) {
	now := time.Now()
	data, err := mc.TemplateData(now, mc.Customer.Language)
	if err != nil {
		return templates.Rendered{}, "", err
	}
	r, lang, err := set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, data)
	if err != nil {
		return r, lang, err
	}
	// The template found may be in another language than the customer's: its Today too.
	if inLang, err := mc.TemplateData(now, lang); err == nil && inLang.Today != data.Today {
		return set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, inLang)
	}
	return r, lang, nil
}

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

// emailSender fills the sender identity of a reminder email from the entity:
// its sender name and address when set (RECOUP_MAIL_FROM's otherwise; an
// address without a name is sent under the entity's name), and Reply-To the
// account's reply address when the entity has a reply domain (token, the
// account's: see inbound.ReplyAddress; bounces go there too, as the envelope
// sender), else the entity's reply-to address, else the account's agent,
// else none (replies then go to From).
func emailSender(e *notify.Email, mc store.MessageContext, token string) {
	s := mc.Entity.EntitySender
	e.FromName, e.FromAddress = s.SenderName, s.SenderAddress
	if e.FromAddress != "" && e.FromName == "" {
		e.FromName = mc.Entity.Name
	}
	switch {
	case s.ReplyDomain != "" && token != "":
		addr := inbound.ReplyAddress(s.ReplyLocal, token, s.ReplyDomain)
		name := mc.AgentName
		if name == "" {
			name = cmp.Or(s.SenderName, mc.Entity.Name)
		}
		e.ReplyTo = (&mail.Address{Name: name, Address: addr}).String()
		e.EnvelopeFrom = addr
	case s.ReplyTo != "":
		e.ReplyTo = s.ReplyTo
	case mc.AgentEmail != "":
		e.ReplyTo = (&mail.Address{Name: mc.AgentName, Address: mc.AgentEmail}).String()
	}
}

// replyToken is the account's reply token when its entity receives replies
// ("" otherwise).
func (d *Dunning) replyToken(ctx context.Context, mc store.MessageContext) (string, error) {
	if mc.Entity.ReplyDomain == "" || d.Store == nil {
		return "", nil
	}
	return d.Store.ReplyToken(ctx, mc.Customer.ID, inbound.NewReplyToken())
}

// portalLink makes the customer's personal portal link for this message
// (key, one per channel tried: a text carries the short form) and renews the
// account's other live links; "" when no public URL is configured. A retry
// of the same message replaces the link its first attempt made.
func (d *Dunning) portalLink(ctx context.Context, key string, ch domain.Channel, mc store.MessageContext) (string, error) {
	if d.PublicURL == "" || d.Store == nil || (ch != domain.ChannelEmail && ch != domain.ChannelSMS) {
		return "", nil // a call reads no link out
	}
	token, hash := auth.NewPortalToken(ch != domain.ChannelEmail)
	contact := mc.Customer.Email
	if ch != domain.ChannelEmail {
		contact = mc.Customer.Phone
	}
	if _, err := d.Store.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: mc.Customer.ID, Hash: hash, Contact: contact,
		ReminderKey: key + "/" + string(ch)}); err != nil {
		return "", err
	}
	return auth.PortalLinkURL(d.PublicURL, token), nil
}
