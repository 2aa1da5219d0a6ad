package app

import (
	"context"
	"net/url"
	"regexp"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// URL templates of the portal: placeholders in braces, each replaced by its
// value escaped for a URL. A pay URL may use {amount} (decimal, "1234.56"),
// {amount_minor}, {currency}, {references} (invoice numbers, comma-separated)
// and {customer} (the customer's external id); a document URL {number},
// {invoice} (the invoice's external id) and {customer}.
var (
	payPlaceholders      = []string{"amount", "amount_minor", "currency", "references", "customer"}
	documentPlaceholders = []string{"number", "invoice", "customer"}
	placeholder          = regexp.MustCompile(`\{([a-z_]+)\}`)
)

// fillURL replaces the placeholders of tmpl by their values, query-escaped.
func fillURL(tmpl string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		return url.QueryEscape(values[m[1:len(m)-1]])
	})
}

// checkURLTemplate says what is wrong with a URL template ("" is none).
func checkURLTemplate(field, tmpl string, allowed []string) (string, error) {
	t := strings.TrimSpace(tmpl)
	if t == "" {
		return "", nil
	}
	u, err := url.Parse(placeholder.ReplaceAllString(t, "x"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return t, domain.FieldError(field, "%q: want an http(s) URL such as https://pay.example.com/?amount={amount}", t)
	}
	for _, m := range placeholder.FindAllStringSubmatch(t, -1) {
		found := false
		for _, a := range allowed {
			found = found || a == m[1]
		}
		if !found {
			return t, domain.FieldError(field, "{%s} is unknown: want %s", m[1], strings.Join(allowed, ", "))
		}
	}
	return t, nil
}

// PortalInvoicesOf answers the session's open or disputed invoices among
// ids; any other id is CodeNotFound.
func (a *App) PortalInvoicesOf(ctx context.Context, s PortalSession, ids []int64) ([]store.PortalInvoice, error) {
	return a.portalInvoices(ctx, s, ids)
}

// PortalPayURL is the entity's payment page for the chosen invoices (one
// currency). No pay URL configured: CodeNotFound.
func (a *App) PortalPayURL(ctx context.Context, s PortalSession, ids []int64) (string, error) {
	invs, err := a.portalInvoices(ctx, s, ids)
	if err != nil {
		return "", err
	}
	c, err := a.store.PortalCustomer(ctx, s.CustomerID)
	if err != nil {
		return "", err
	}
	if c.Settings.PayURL == "" {
		return "", domain.Errorf(domain.CodeNotFound, "no payment page")
	}
	total, err := oneCurrency(invs)
	if err != nil {
		return "", err
	}
	_ = a.store.PortalJournal(ctx, s.CustomerID, s.Actor(), "portal.pay", map[string]any{"invoices": invoiceNumbers(invs), "amount": total.String()})
	return fillURL(c.Settings.PayURL, map[string]string{"amount": money.FormatMinor(total.Minor, total.Currency),
		"amount_minor": itoa(total.Minor), "currency": total.Currency.Code(), "references": invoiceNumbers(invs),
		"customer": c.ExternalID}), nil
}

// PortalDocumentURL is where the invoice's PDF is (the entity's document
// URL template); none configured: CodeNotFound.
func (a *App) PortalDocumentURL(ctx context.Context, s PortalSession, id int64) (string, error) {
	inv, err := a.PortalInvoice(ctx, s, id)
	if err != nil {
		return "", err
	}
	c, err := a.store.PortalCustomer(ctx, s.CustomerID)
	if err != nil {
		return "", err
	}
	if c.Settings.DocumentURL == "" {
		return "", domain.Errorf(domain.CodeNotFound, "no document")
	}
	return fillURL(c.Settings.DocumentURL, map[string]string{"number": inv.Number, "invoice": inv.ExternalID, "customer": c.ExternalID}), nil
}

// PortalSettingsRequest changes some of an entity's portal settings: a
// field left out keeps its value.
type PortalSettingsRequest struct {
	LinkDays       *int    `json:"link_days"`
	PromiseMaxDays *int    `json:"promise_max_days"`
	PayURL         *string `json:"pay_url"`
	DocumentURL    *string `json:"document_url"`
	LogoURL        *string `json:"logo_url"`
	Color          *string `json:"color"`
}

var colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// PortalSettings reads an entity's portal settings.
func (a *App) PortalSettings(ctx context.Context, who domain.Principal, entity string) (store.PortalSettings, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return store.PortalSettings{}, err
	}
	return a.store.PortalSettings(ctx, entity)
}

// SetPortalSettings validates and saves an entity's portal settings (journaled).
func (a *App) SetPortalSettings(ctx context.Context, who domain.Principal, entity string, req PortalSettingsRequest) (store.PortalSettings, error) {
	if err := allow(who, auth.EntitiesWrite); err != nil {
		return store.PortalSettings{}, err
	}
	s, err := a.store.PortalSettings(ctx, entity)
	if err != nil {
		return s, err
	}
	var errs []error
	if req.LinkDays != nil {
		if s.LinkDays = *req.LinkDays; s.LinkDays < 1 || s.LinkDays > 366 {
			errs = append(errs, domain.FieldError("link_days", "want 1 to 366 days"))
		}
	}
	if req.PromiseMaxDays != nil {
		if s.PromiseMaxDays = *req.PromiseMaxDays; s.PromiseMaxDays < 1 || s.PromiseMaxDays > 366 {
			errs = append(errs, domain.FieldError("promise_max_days", "want 1 to 366 days"))
		}
	}
	if req.PayURL != nil {
		s.PayURL, err = checkURLTemplate("pay_url", *req.PayURL, payPlaceholders)
		errs = append(errs, err)
	}
	if req.DocumentURL != nil {
		s.DocumentURL, err = checkURLTemplate("document_url", *req.DocumentURL, documentPlaceholders)
		errs = append(errs, err)
	}
	if req.LogoURL != nil {
		s.LogoURL = strings.TrimSpace(*req.LogoURL)
		if u, err := url.Parse(s.LogoURL); s.LogoURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
			errs = append(errs, domain.FieldError("logo_url", "%q: want an https URL (the portal's security policy allows no other)", s.LogoURL))
		}
	}
	if req.Color != nil {
		if s.Color = strings.ToLower(strings.TrimSpace(*req.Color)); s.Color != "" && !colorPattern.MatchString(s.Color) {
			errs = append(errs, domain.FieldError("color", "%q: want a colour such as #1f4e79", s.Color))
		}
	}
	if err := domain.Invalid(errs...); err != nil {
		return s, err
	}
	return a.store.SetPortalSettings(ctx, s, who.Actor())
}
