package app

import (
	"context"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/templates"
)

// TemplatePreview is a template rendered for one account, and which.
type TemplatePreview struct {
	templates.Rendered
	// Customer is the account it was rendered for ("" with Sample: the sample data).
	CustomerName, CustomerExternalID string
	Sample                           bool // no account to show: templates.SampleData()
}

// PreviewTemplate renders a template (as typed, saved or not) in its
// language for a real account inside who's perimeter: the one with external
// id customer when given, else the one with the oldest open invoice; with no
// account at all, the sample data. Its errors are those of saving (the part
// and line at fault), and a customer that who may not see is not found.
func (a *App) PreviewTemplate(ctx context.Context, who domain.Principal, k TemplateKey, req TemplateRequest, customer string) (TemplatePreview, error) {
	if err := allow(who, auth.TemplatesRead); err != nil {
		return TemplatePreview{}, err
	}
	if err := allow(who, auth.AccountsRead); err != nil {
		return TemplatePreview{}, err
	}
	if err := checkTemplateKey(k); err != nil {
		return TemplatePreview{}, err
	}
	t := templates.Template{Name: k.Name, Channel: domain.Channel(k.Channel), Language: k.Language,
		Subject: req.Subject, Text: req.Text, HTML: req.HTML}
	set, err := templates.NewSet(t) // validates, as saving does
	if err != nil {
		return TemplatePreview{}, templateInvalid(err)
	}
	id, invoiceIDs, found, err := a.store.PreviewCustomer(ctx, perimeter(who), customer)
	if err != nil {
		return TemplatePreview{}, err
	}
	out := TemplatePreview{Sample: !found}
	data := templates.SampleData()
	if found {
		mc, err := a.store.MessageContext(ctx, id, invoiceIDs)
		if err != nil {
			return TemplatePreview{}, err
		}
		if data, err = mc.TemplateData(time.Now(), k.Language); err != nil {
			return TemplatePreview{}, err
		}
		out.CustomerName, out.CustomerExternalID = mc.Customer.Name, mc.Customer.ExternalID
	} else {
		data.Today = templates.FormatDate(k.Language, time.Now())
	}
	out.Rendered, _, err = set.Render(k.Name, t.Channel, k.Language, "", data)
	if err != nil {
		return TemplatePreview{}, templateInvalid(err)
	}
	return out, nil
}
