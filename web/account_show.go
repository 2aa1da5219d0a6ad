package web

import (
	"context"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/history"
	"recoup/money"
	"recoup/store"
)

// accountData is the account page: the customer, its open items, the live
// dunning state (when Temporal answers), the calendar ahead, the timeline and
// the forms of the actions the person may take.
type accountData struct {
	domain.CustomerDetail
	LimitUse    *big.Rat // (outstanding + open orders) ÷ credit limit, percent; nil without a limit
	OpenOrders  *money.Money
	Credit      store.CreditStatus // the hold's reason, who and when; the legal status
	RiskLimit   *money.Money       // the risk provider's recommended limit
	Status      *flow.DunningStatus
	Stages      map[int64]*dunning.Stage // where each open invoice stands in its scenario
	StatusNote  string                   // catalogue key: why there is no live state
	NextAction  *dunning.Action
	Calendar    []calendarDay
	Numbers     map[int64]string // invoice numbers by id, for the calendar
	Timeline    *app.History
	HistoryForm historyForm
	Kinds       []string
	CSVHref     string
	Scenarios   []store.ScenarioVersion
	Promises    []promiseRow
	Plans       []planRow
	Ticked      map[int64]bool // invoices ticked in a refused promise form
	Form        accountForm
	CoveringFor string                      // the absent agent whose account this is while their absence lasts
	Holds       map[int64]store.InvoiceHold // active invoice holds, by invoice
	Documents   map[int64]bool              // invoices whose PDF the ERP gave
	TaskKinds   []domain.TaskKind           // the kinds the task form offers
	CaseForms   caseOpenForms               // the forms that open a dispute or a request
	Cases       []store.Case                // the customer's cases, newest first (cases.read)
	CaseCount   int64
	MoreCases   bool // the board lists more of them (/cases?customer=<id>)
	Figures     accountFigures
	Risk        *app.CustomerRisk     // the latest risk and the newest signals (risk.read); nil: not shown
	RiskAlerts  []store.RiskAlertView // the open risk alerts (partials/account_risk.html)
	// InProceedings counts the open invoices declared in insolvency proceedings (never dunned until released).
	InProceedings int
}

// accountFigures are the per-account figures the page shows beside the facts:
// ratios as two-decimal strings ("" when undefined), amounts as money.
type accountFigures struct {
	DaysToPay, PaymentDelay, DSO string
	Disputed, Promised           money.Money
}

// accountCases is how many of its cases the account page lists (the board has them all).
const accountCases = 20

// caseOpenForms are the account page's forms that open a case.
type caseOpenForms struct {
	Ticked       map[int64]bool // invoices ticked in the dispute form (?dispute=<invoice id>, or a refused form)
	Reasons      []string
	RequestTypes []domain.CaseType
	Fields       []string
}

// caseOpenFormsOf is the case forms for query (?dispute=) and a refused form.
func caseOpenFormsOf(query url.Values, form accountForm) caseOpenForms {
	f := caseOpenForms{Ticked: map[int64]bool{}, Reasons: domain.DisputeReasons, Fields: domain.DataChangeFields,
		RequestTypes: []domain.CaseType{domain.CaseCreditLimitRequest, domain.CaseDataChangeRequest, domain.CaseCustomerMessage}}
	ticked := query["dispute"]
	if form.Name == "dispute" {
		ticked = form.Values["invoice_ids"]
	}
	for _, id := range formIDs(ticked) {
		f.Ticked[id] = true
	}
	return f
}

// promiseRow is a promise to pay as the account page lists it.
type promiseRow struct {
	store.Promise
	On, Until time.Time    // the promise date and the last day held, for .Date
	Paid      *money.Money // what was paid when it was checked
}

// planRow is a payment plan as the account page lists it.
type planRow struct {
	store.Plan
	Instalments []instalmentRow
}

type instalmentRow struct {
	Seq    int
	On     time.Time
	Amount money.Money
	Status string
}

func toPlanRow(p store.Plan) planRow {
	row := planRow{Plan: p}
	for _, in := range p.Instalments {
		row.Instalments = append(row.Instalments, instalmentRow{Seq: in.Seq, On: in.Date.In(time.UTC),
			Amount: money.Money{Minor: in.Amount, Currency: p.Total.Currency}, Status: in.Status})
	}
	return row
}

func toPromiseRow(p store.Promise) promiseRow {
	row := promiseRow{Promise: p, On: p.Date.In(time.UTC), Until: p.Until().In(time.UTC)}
	if p.PaidMinor != nil {
		row.Paid = &money.Money{Minor: *p.PaidMinor, Currency: p.Amount.Currency}
	}
	return row
}

// calendarDay is the actions planned for one date.
type calendarDay struct {
	Date    time.Time
	Actions []dunning.Action
}

type historyForm struct {
	From, To, Kind string
	Errors         fieldErrors
}

// accountForm is what was posted to one of the account's forms, with its
// errors, to show it again when it was refused.
type accountForm struct {
	Name   string // pause, reassign, scenario, promise, task or cancel-<promise id>: the form that failed
	Values url.Values
	Errors fieldErrors
}

var historyKinds = []string{history.KindJournal, history.KindWorkflow, history.KindStep, history.KindSignal,
	history.KindUpdate, history.KindTimer, history.KindActivity, history.KindMarker}

// accountShow is the account page.
func (h *Handler) accountShow(r *request) error {
	return h.renderAccount(r, http.StatusOK, accountForm{})
}

// accountRefused answers a refused form post of the account page: the page
// again with the form's field messages when the use case found the input
// invalid, else err.
func (h *Handler) accountRefused(r *request, form accountForm, err error) error {
	if fe, ok := formError(err); ok {
		form.Errors = fe
		return h.renderAccount(r, http.StatusBadRequest, form)
	}
	return err
}

// renderAccount renders the account page with status; form is a refused form to show again.
func (h *Handler) renderAccount(r *request, status int, form accountForm) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	c, err := h.app.Customer(ctx, r.who, id)
	if err != nil {
		return err
	}
	d := accountData{CustomerDetail: c, Form: form, Kinds: historyKinds, Numbers: map[int64]string{}, TaskKinds: domain.ManualTaskKinds,
		CaseForms: caseOpenFormsOf(r.c.Request.URL.Query(), form)}
	figs, err := h.app.CustomerFigures(ctx, r.who, id)
	if err != nil {
		return err
	}
	d.Figures = accountFigures{DaysToPay: app.Hundredths(figs.DaysToPay()), PaymentDelay: app.Hundredths(figs.PaymentDelay()),
		DSO: app.Hundredths(figs.DSO()), Disputed: money.Money{Minor: figs.Disputed, Currency: figs.Currency},
		Promised: money.Money{Minor: figs.Promised, Currency: figs.Currency}}
	d.LimitUse = figs.LimitUse()
	if figs.OpenOrders != nil {
		d.OpenOrders = &money.Money{Minor: *figs.OpenOrders, Currency: figs.Currency}
	}
	if d.Credit, err = h.app.CreditStatus(ctx, r.who, id); err != nil {
		return err
	}
	if d.Credit.RiskLimitMinor != nil {
		d.RiskLimit = &money.Money{Minor: *d.Credit.RiskLimitMinor, Currency: c.Currency}
	}
	if form.Name == "" && r.c.Query("request") == string(domain.CaseCreditLimitRequest) {
		d.Form = h.creditLimitRequestForm(r, d)
	}
	for _, inv := range c.OpenItems {
		d.Numbers[inv.ID] = inv.Number
		if inv.InProceedings {
			d.InProceedings++
		}
	}
	if d.Documents, err = h.app.DocumentedInvoices(ctx, r.who, id); err != nil {
		return err
	}
	h.dunningState(ctx, r, id, &d)
	if auth.Allows(r.who, auth.CasesRead) {
		q := app.CaseQuery{CustomerID: &id, Page: domain.Page{Limit: accountCases}}
		if d.Cases, d.CaseCount, err = h.app.Cases(ctx, r.who, q); err != nil {
			return err
		}
		d.MoreCases = d.CaseCount > int64(len(d.Cases))
	}
	if auth.Allows(r.who, auth.RiskAlertsRead) {
		q := app.RiskAlertQuery{CustomerID: id, State: "open", Page: domain.Page{Limit: accountCases}}
		if d.RiskAlerts, _, err = h.app.RiskAlerts(ctx, r.who, q); err != nil {
			return err
		}
	}
	if d.CoveringFor, err = h.app.CoveringFor(ctx, r.who, id); err != nil {
		return err
	}
	promises, err := h.app.Promises(ctx, r.who, id)
	if err != nil {
		return err
	}
	for _, p := range promises {
		d.Promises = append(d.Promises, toPromiseRow(p))
	}
	plans, err := h.app.Plans(ctx, r.who, id)
	if err != nil {
		return err
	}
	for _, p := range plans {
		d.Plans = append(d.Plans, toPlanRow(p))
	}
	if d.Holds, err = h.app.InvoiceHolds(ctx, r.who, id); err != nil {
		return err
	}
	if form.Name == "promise" || form.Name == "plan" {
		d.Ticked = map[int64]bool{}
		for _, inv := range formIDs(form.Values["invoice_ids"]) {
			d.Ticked[inv] = true
		}
	}
	if auth.Allows(r.who, auth.HistoryRead) {
		if err := h.timeline(ctx, r, id, &d); err != nil {
			return err
		}
		if len(d.HistoryForm.Errors.Summary) > 0 && status == http.StatusOK {
			status = http.StatusBadRequest
		}
	}
	if auth.Allows(r.who, auth.RiskRead) {
		if d.Risk, err = h.accountRisk(r, id); err != nil {
			return err
		}
	}
	if auth.Allows(r.who, auth.ScenariosWrite) {
		if d.Scenarios, err = h.app.Scenarios(ctx, r.who, false); err != nil {
			return err
		}
	}
	h.render(r.c, status, "account_show", h.newPage(r, "account.title", "nav.accounts", d))
	return nil
}

// dunningState reads the live state and the calendar from Temporal in one
// preview (it starts from the live state); when Temporal does not answer, the
// page says so and shows what Postgres knows.
func (h *Handler) dunningState(ctx context.Context, r *request, id int64, d *accountData) {
	p, err := h.app.PreviewDunning(ctx, r.who, id, "")
	if err != nil {
		if domain.ErrorCode(err) != domain.CodeUnavailable {
			h.log.WarnContext(ctx, "dunning preview", "customer", id, "err", err)
		}
		d.StatusNote = "account.dunning_unavailable"
		return
	}
	if st := p.Status; st != nil {
		d.Status = st
		d.Stages = map[int64]*dunning.Stage{}
		for id, s := range st.Stages {
			d.Stages[id] = &s
		}
	} else {
		d.StatusNote = "account.dunning_none"
	}
	for _, a := range p.Actions {
		day := time.Date(a.At.Year(), a.At.Month(), a.At.Day(), 0, 0, 0, 0, time.UTC)
		if n := len(d.Calendar); n == 0 || !d.Calendar[n-1].Date.Equal(day) {
			d.Calendar = append(d.Calendar, calendarDay{Date: day})
		}
		d.Calendar[len(d.Calendar)-1].Actions = append(d.Calendar[len(d.Calendar)-1].Actions, a)
	}
	if len(p.Actions) > 0 {
		d.NextAction = &p.Actions[0]
	}
}

// timeline reads the compliance history with the page's filters; filters it
// refuses are shown next to their field.
func (h *Handler) timeline(ctx context.Context, r *request, id int64, d *accountData) error {
	f := historyForm{From: r.c.Query("from"), To: r.c.Query("to"), Kind: r.c.Query("kind")}
	hist, err := h.app.CustomerHistory(ctx, r.who, id, app.HistoryQuery{From: f.From, To: f.To, Kinds: f.Kind,
		Raw: r.c.Request.URL.RawQuery})
	if fe, ok := formError(err); ok {
		f.Errors = fe
		d.HistoryForm = f
		return nil
	}
	if err != nil {
		return err
	}
	d.Timeline, d.HistoryForm = &hist, f
	q := url.Values{}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "kind": f.Kind} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.CSVHref = "/accounts/" + strconv.FormatInt(id, 10) + "/history.csv"
	if len(q) > 0 {
		d.CSVHref += "?" + q.Encode()
	}
	return nil
}

// accountHistoryCSV downloads the timeline with the page's filters.
func (h *Handler) accountHistoryCSV(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hist, err := h.app.CustomerHistory(r.c.Request.Context(), r.who, id, app.HistoryQuery{From: r.c.Query("from"),
		To: r.c.Query("to"), Kinds: r.c.Query("kind"), Raw: r.c.Request.URL.RawQuery})
	if err != nil {
		return err
	}
	r.c.Header("Content-Type", "text/csv; charset=utf-8")
	r.c.Header("Content-Disposition", `attachment; filename="customer-`+strconv.FormatInt(id, 10)+`-history.csv"`)
	r.c.Header("Cache-Control", "no-store")
	r.c.Status(http.StatusOK)
	if err := history.WriteCSV(r.c.Writer, hist.Entries); err != nil {
		h.log.ErrorContext(r.c.Request.Context(), "history CSV", "customer", id, "err", err)
	}
	return nil
}
