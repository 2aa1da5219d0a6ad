package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
	"recoup/templates"
)

// Where a template of the effective set comes from.
const (
	SourceDefault = "default" // shipped in the binary
	SourceCustom  = "custom"  // saved by a credit manager, replacing or adding to the defaults
)

// Template is one template of the effective set, and where it comes from.
type Template struct {
	templates.Template
	Source    string
	UpdatedAt *time.Time // custom templates only
	UpdatedBy string
}

// TemplateKey names a template: name, channel and base language.
type TemplateKey struct{ Name, Channel, Language string }

// TemplateQuery filters the template list; empty fields do not filter.
type TemplateQuery struct{ Name, Channel, Language, Source string }

// TemplateRequest is the content of a saved template.
type TemplateRequest struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Templates lists the effective templates (what reminders use), sorted by name, channel and language.
func (a *App) Templates(ctx context.Context, who domain.Principal, q TemplateQuery) ([]Template, error) {
	if err := allow(who, auth.TemplatesRead); err != nil {
		return nil, err
	}
	if q.Channel != "" && !isTemplateChannel(q.Channel) {
		return nil, domain.FieldError("channel", "%q: want email, sms or voice", q.Channel)
	}
	if q.Source != "" && q.Source != SourceDefault && q.Source != SourceCustom {
		return nil, domain.FieldError("source", "%q: want default or custom", q.Source)
	}
	list, err := a.effectiveTemplates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(list))
	for _, v := range list {
		if (q.Name == "" || v.Name == q.Name) && (q.Channel == "" || string(v.Channel) == q.Channel) &&
			(q.Language == "" || v.Language == q.Language) && (q.Source == "" || v.Source == q.Source) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Template is one effective template.
func (a *App) Template(ctx context.Context, who domain.Principal, k TemplateKey) (Template, error) {
	if err := allow(who, auth.TemplatesRead); err != nil {
		return Template{}, err
	}
	if err := checkTemplateKey(k); err != nil {
		return Template{}, err
	}
	list, err := a.effectiveTemplates(ctx)
	if err != nil {
		return Template{}, err
	}
	for _, v := range list {
		if v.Name == k.Name && string(v.Channel) == k.Channel && v.Language == k.Language {
			return v, nil
		}
	}
	return Template{}, domain.Errorf(domain.CodeNotFound, "no template %s/%s/%s", k.Name, k.Channel, k.Language)
}

// PutTemplate saves a template, checked by rendering it, in place of the default or beside it.
func (a *App) PutTemplate(ctx context.Context, who domain.Principal, k TemplateKey, req TemplateRequest) (Template, error) {
	if err := allow(who, auth.TemplatesWrite); err != nil {
		return Template{}, err
	}
	if err := checkTemplateKey(k); err != nil {
		return Template{}, err
	}
	t := templates.Template{Name: k.Name, Channel: domain.Channel(k.Channel), Language: k.Language, Subject: req.Subject, Text: req.Text, HTML: req.HTML}
	if err := t.Validate(); err != nil {
		return Template{}, templateInvalid(err)
	}
	o, err := a.store.PutTemplate(ctx, t, who.Actor())
	if err != nil {
		return Template{}, templateInvalid(err)
	}
	return custom(o), nil
}

// DeleteTemplate removes a saved template; a default comes back in its place.
func (a *App) DeleteTemplate(ctx context.Context, who domain.Principal, k TemplateKey) error {
	if err := allow(who, auth.TemplatesWrite); err != nil {
		return err
	}
	if err := checkTemplateKey(k); err != nil {
		return err
	}
	return a.store.DeleteTemplate(ctx, k.Name, domain.Channel(k.Channel), k.Language, who.Actor())
}

func custom(o store.TemplateOverride) Template {
	at := o.UpdatedAt.UTC()
	return Template{Template: o.Template, Source: SourceCustom, UpdatedAt: &at, UpdatedBy: o.UpdatedBy}
}

// effectiveTemplates is what reminders use: the shipped defaults with the
// saved templates laid over them, sorted by name, channel and language.
func (a *App) effectiveTemplates(ctx context.Context) ([]Template, error) {
	overrides, err := a.store.TemplateOverrideList(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[TemplateKey]Template{}
	for _, t := range templates.Defaults() {
		byKey[TemplateKey{t.Name, string(t.Channel), t.Language}] = Template{Template: t, Source: SourceDefault}
	}
	for _, o := range overrides {
		byKey[TemplateKey{o.Name, string(o.Channel), o.Language}] = custom(o)
	}
	out := make([]Template, 0, len(byKey))
	for _, v := range byKey {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Template) int { return templates.Compare(a.Template, b.Template) })
	return out, nil
}

// checkTemplateKey checks name, channel and language; the language must be a
// base language as templates are keyed ("fr", not "fr-CA" or "FR").
func checkTemplateKey(k TemplateKey) error {
	if !isTemplateChannel(k.Channel) {
		return domain.FieldError("channel", "%q: want email, sms or voice", k.Channel)
	}
	probe := templates.Template{Name: k.Name, Channel: domain.Channel(k.Channel), Language: k.Language, Text: "x"}
	if k.Channel == string(domain.ChannelEmail) {
		probe.Subject, probe.HTML = "x", "x"
	}
	set, err := templates.NewSet(probe) // checks name and language, and gives the language as stored
	if err != nil {
		return templateInvalid(err)
	}
	if base := set.Templates()[0].Language; base != k.Language {
		return domain.FieldError("language", "%q: use the base language %q", k.Language, base)
	}
	return nil
}

// templateInvalid turns a template's validation error into invalid input
// naming the part (subject, text, html, or name/channel/language) and, in the message, the line.
func templateInvalid(err error) error {
	var ve *templates.ValidationError
	if errors.As(err, &ve) {
		return &domain.Error{Code: domain.CodeInvalid, Field: ve.Part, Message: ve.Error()}
	}
	return err
}

func isTemplateChannel(ch string) bool {
	for _, c := range domain.ReminderChannels {
		if string(c) == ch {
			return true
		}
	}
	return false
}
