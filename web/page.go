package web

import (
	"net/url"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/money"
	"recoup/templates"
)

// Page is what every template receives: who is looking, in which language,
// the navigation they may use, the form token, a confirmation to show, and
// the page's own data. Its methods format for the user's language.
type Page struct {
	Lang     string
	Title    string // a catalogue key
	Who      domain.Principal
	SignedIn bool
	Nav      []NavItem
	Active   string // the navigation item of this page
	CSRF     string
	Flash    string // a confirmation, already in the user's language
	Unread   int64  // the signed-in person's unread notifications, for the bell
	DevLinks bool
	Path     string // the request path, for links that keep the query
	Query    url.Values
	Data     any

	cat *catalog
}

// T is the catalogue text of key in the page's language.
func (p *Page) T(key string, args ...any) string { return p.cat.text(p.Lang, key, args...) }

// Money formats an amount from its minor units for the page's language.
func (p *Page) Money(m money.Money) string {
	s, err := templates.FormatMoney(p.Lang, m)
	if err != nil {
		return money.FormatMinor(m.Minor, m.Currency) + " " + m.Currency.Code()
	}
	return s
}

// Date formats a date (no time) for the page's language.
func (p *Page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return templates.FormatShortDate(p.Lang, t)
}

// Time formats an instant with its zone (UTC: the zone every user shares).
func (p *Page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}

// Can reports whether the user may do action: buttons for what they may not do are not shown.
func (p *Page) Can(action string) bool { return p.SignedIn && auth.Allows(p.Who, auth.Action(action)) }

// With is the current URL with one query value changed (sort, page, filter links).
func (p *Page) With(key, value string) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if key != "page" {
		q.Del("page")
	}
	u := url.URL{Path: p.Path, RawQuery: q.Encode()}
	return u.String()
}

// At formats an instant that may be missing (nil: "").
func (p *Page) At(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Time(*t)
}
