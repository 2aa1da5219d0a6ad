package activities

import (
	"context"
	"sync"
	"time"

	"recoup/domain"
	"recoup/store"
	"recoup/templates"
)

// render fills the template for the customer's language (else the entity's,
// else English), with Today written in the language the template has.
func (d *Dunning) render(set *templates.Set, name string, ch domain.Channel, mc store.MessageContext) (templates.Rendered, string, error) {
	data := templates.Data{
		Customer: templates.Customer{Name: mc.Customer.Name, ExternalID: mc.Customer.ExternalID,
			Email: mc.Customer.Email, Phone: mc.Customer.Phone, Language: mc.Customer.Language},
		Entity:    templates.Entity{Name: mc.Entity.Name, Country: mc.Entity.Country},
		AgentName: mc.AgentName, AgentEmail: mc.AgentEmail,
	}
	for _, inv := range mc.Invoices {
		data.Invoices = append(data.Invoices, inv.Invoice)
	}
	var err error
	if data.Totals, err = templates.ComputeTotals(data.Invoices); err != nil {
		return templates.Rendered{}, "", err
	}
	now := time.Now()
	if loc, err := time.LoadLocation(mc.Customer.TimeZone); err == nil {
		now = now.In(loc)
	}
	today := func(lang string) string { return templates.FormatDate(lang, now) }
	data.Today = today(mc.Customer.Language)
	r, lang, err := set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, data)
	if err == nil && today(lang) != data.Today {
		data.Today = today(lang)
		r, lang, err = set.Render(name, ch, mc.Customer.Language, mc.Entity.Language, data)
	}
	return r, lang, err
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
