package web

import (
	"math/big"
	"net/url"
	"time"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
)

// Credit limits and holds on the account page (README "Credit limits and
// holds"): the use of the limit, the hold a person puts, the credit limit
// request pre-filled, and the banners a sales rep cannot miss.

// Percent writes a percentage with two decimals in the page's language; ""
// when x is nil (undefined: no credit limit).
func (p *Page) Percent(x *big.Rat) string {
	s := app.Hundredths(x)
	if s == "" {
		return ""
	}
	return p.T("account.percent", p.decimal(s))
}

// LimitUseLevel is the class of a use of the credit limit: "bad" at 100 %
// or more, "warn" at 80 % or more, "" below (the text says the figure too).
func (p *Page) LimitUseLevel(x *big.Rat) string {
	switch {
	case x == nil:
		return ""
	case x.Cmp(big.NewRat(100, 1)) >= 0:
		return "bad"
	case x.Cmp(big.NewRat(80, 1)) >= 0:
		return "warn"
	}
	return ""
}

// DateAt formats the date of an instant that may be missing (nil: "").
func (p *Page) DateAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Date(*t)
}

// creditLimitRequestForm is the account's request form opened on a credit
// limit request (?request=credit_limit_request): the new limit pre-filled
// with the risk provider's recommendation, the justification with the
// current use, both editable before sending.
func (h *Handler) creditLimitRequestForm(r *request, d accountData) accountForm {
	v := url.Values{"type": {string(domain.CaseCreditLimitRequest)}}
	if d.RiskLimit != nil {
		v.Set("new_limit", money.FormatMinor(d.RiskLimit.Minor, d.RiskLimit.Currency))
	}
	limit := h.t(r, "account.no_limit")
	if d.CreditLimit != nil {
		limit = money.FormatMinor(d.CreditLimit.Minor, d.CreditLimit.Currency) + " " + d.CreditLimit.Currency.Code()
	}
	use := app.Hundredths(d.LimitUse)
	if use == "" {
		use = "—"
	}
	v.Set("justification", h.t(r, "credit.request_justification", limit, use))
	return accountForm{Name: "case", Values: v, Errors: fieldErrors{ByField: map[string]string{}}}
}

// accountCreditHold puts the account on credit hold, with a reason.
func (h *Handler) accountCreditHold(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := accountForm{Name: "credit-hold", Values: r.c.Request.PostForm}
	_, err = h.app.PlaceCreditHold(r.c.Request.Context(), r.who, id, app.CreditHoldRequest{Reason: r.c.PostForm("reason")})
	if err != nil {
		return h.accountRefused(r, form, err)
	}
	return h.done(r, accountPath(id), h.t(r, "credit.held"))
}
