package activities

import (
	"context"
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

// emailSender signs a reminder email for its account (notify.Email.Sign):
// the reply address is the account's token at the entity's reply domain
// (see inbound.ReplyAddress) when the entity receives replies.
func emailSender(e *notify.Email, mc store.MessageContext, token string) {
	s := mc.Entity.EntitySender
	id := notify.Identity{EntityName: mc.Entity.Name, SenderName: s.SenderName, SenderAddress: s.SenderAddress, ReplyTo: s.ReplyTo,
		AgentName: mc.AgentName, AgentEmail: mc.AgentEmail}
	if s.ReplyDomain != "" && token != "" {
		id.ReplyAddress = inbound.ReplyAddress(s.ReplyLocal, token, s.ReplyDomain)
	}
	e.Sign(id)
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
