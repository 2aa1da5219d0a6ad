package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// planRequestKey names a plan request in a customer message case's details.
const planRequestKey = "plan_request"

// PlanProposal is a payment plan a customer proposed in the portal, kept in
// its case's details: the invoices with what each owed when the customer
// asked, and the dated instalments adding up to it.
type PlanProposal struct {
	Currency    string              `json:"currency"`
	TotalMinor  int64               `json:"total_minor"`
	Invoices    []ProposedInvoice   `json:"invoices"`
	Instalments []InstalmentRequest `json:"instalments"`
	Comment     string              `json:"comment,omitempty"`
}

// ProposedInvoice is one invoice of a plan request and its open amount at the request.
type ProposedInvoice struct {
	InvoiceID int64  `json:"invoice_id"`
	Number    string `json:"number"`
	OpenMinor int64  `json:"open_minor"`
}

// PlanRequestOf reads the payment plan a customer message case proposes, if it does.
func PlanRequestOf(k store.Case) (PlanProposal, bool) {
	return planProposal(k.Type, k.Details)
}

func planProposal(t domain.CaseType, details json.RawMessage) (PlanProposal, bool) {
	var d struct {
		Plan *PlanProposal `json:"plan_request"`
	}
	if t != domain.CaseCustomerMessage || len(details) == 0 || json.Unmarshal(details, &d) != nil || d.Plan == nil {
		return PlanProposal{}, false
	}
	return *d.Plan, true
}

// AcceptedPlan is a plan request accepted: the plan recorded and the case decided.
type AcceptedPlan struct {
	Plan RecordedPlan
	Case store.DecidedCase
}

// AcceptPlanRequest accepts the payment plan a customer proposed: the plan
// is recorded by RecordPlan (its rules, its notices, its checks of each
// instalment), then the case is decided "approved", and the customer is told
// by email and in the portal thread. An invoice paid, credited, disputed,
// promised, planned or otherwise changed since the request is a conflict
// that names it: the agent refuses the request or asks the customer for
// another. If the case cannot be decided after the plan is recorded (someone
// decided it meanwhile), the plan is cancelled again, so neither stands alone.
func (a *App) AcceptPlanRequest(ctx context.Context, who domain.Principal, caseID int64, note string) (AcceptedPlan, error) {
	k, err := a.visibleCase(ctx, who, auth.CasesDecide, caseID)
	if err != nil {
		return AcceptedPlan{}, err
	}
	p, ok := PlanRequestOf(k)
	switch {
	case !ok:
		return AcceptedPlan{}, domain.Errorf(domain.CodeConflict, "case %d proposes no payment plan", caseID)
	case !k.Status.Open():
		return AcceptedPlan{}, domain.Errorf(domain.CodeConflict, "case %d is %s already", caseID, k.Status)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxPromiseNote {
		return AcceptedPlan{}, domain.FieldError("note", "at most %d characters", maxPromiseNote)
	}
	if err := a.unchangedSinceRequest(ctx, k.CustomerID, p); err != nil {
		return AcceptedPlan{}, err
	}
	req := PlanRequest{Currency: p.Currency, Instalments: p.Instalments, Note: fmt.Sprintf("requested in the portal (case %d)", caseID)}
	if note != "" {
		req.Note += ": " + note
	}
	for _, in := range p.Invoices {
		req.InvoiceIDs = append(req.InvoiceIDs, in.InvoiceID)
	}
	plan, err := a.RecordPlan(ctx, who, k.CustomerID, req)
	if err != nil {
		return AcceptedPlan{}, err
	}
	d := store.CaseDecision{CaseID: caseID, Decision: domain.DecisionApproved, By: who.Actor(),
		Reason: fmt.Sprintf("payment plan %d recorded", plan.ID)}
	if note != "" {
		d.Reason += ": " + note
	}
	decided, err := a.recordDecision(ctx, d)
	if err != nil {
		if _, cerr := a.store.CancelPlan(ctx, plan.ID, "its request (case "+itoa(caseID)+") could not be decided: "+err.Error(), who.Actor()); cerr != nil {
			a.log.ErrorContext(ctx, "cancel the plan of an undecided request", "plan", plan.ID, "case", caseID, "err", cerr)
		}
		a.AccountsChanged(ctx, Change{CustomerIDs: []int64{k.CustomerID}})
		return AcceptedPlan{}, err
	}
	a.tellPlanDecision(ctx, k, d)
	return AcceptedPlan{Plan: plan, Case: decided}, nil
}

// unchangedSinceRequest checks that every invoice of a plan request still
// owes what it owed when the customer asked, and that nothing holds it.
func (a *App) unchangedSinceRequest(ctx context.Context, customerID int64, p PlanProposal) error {
	ids := make([]int64, len(p.Invoices))
	for i, in := range p.Invoices {
		ids[i] = in.InvoiceID
	}
	now, err := a.store.PortalInvoices(ctx, customerID, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]store.PortalInvoice, len(now))
	for _, in := range now {
		byID[in.ID] = in
	}
	var changed []string
	for _, in := range p.Invoices {
		cur, ok := byID[in.InvoiceID]
		was := money.Money{Minor: in.OpenMinor}
		if ok {
			was.Currency = cur.Open.Currency
		}
		switch {
		case !ok:
			changed = append(changed, in.Number+" is paid or no longer open")
		case cur.Disputed:
			changed = append(changed, in.Number+" is disputed")
		case cur.Promised || cur.InPlan:
			changed = append(changed, in.Number+" is in a promise or another plan")
		case cur.Open.Minor != in.OpenMinor:
			changed = append(changed, fmt.Sprintf("%s owes %s, not the %s it owed at the request", in.Number, cur.Open, was))
		}
	}
	if len(changed) > 0 {
		return domain.Errorf(domain.CodeConflict, "the invoices changed since the customer asked (%s): refuse this request "+
			"and ask for a new one", strings.Join(changed, "; "))
	}
	return nil
}

// tellPlanDecision emails the customer the answer to their plan request,
// with a fresh link to the portal where the thread shows it too.
func (a *App) tellPlanDecision(ctx context.Context, k store.Case, d store.CaseDecision) {
	p, _ := PlanRequestOf(k)
	cust, err := a.store.PortalCustomer(ctx, k.CustomerID)
	if err != nil {
		a.log.WarnContext(ctx, "plan request answer", "case", k.ID, "err", err)
		return
	}
	link, ok := a.freshPortalLink(ctx, cust, fmt.Sprintf("portal/plan/%d/%d", k.ID, k.Reopened))
	if !ok {
		return
	}
	numbers := make([]string, len(p.Invoices))
	for i, in := range p.Invoices {
		numbers[i] = in.Number
	}
	kind := mailPlanAccepted
	if d.Decision == domain.DecisionRefused {
		kind = mailPlanRefused
	}
	a.portalMail(ctx, cust, kind, k.ID, strings.Join(numbers, ", "), d.Reason, link)
}

// ProposedInstalment is one instalment of a proposal, as the pages show it.
type ProposedInstalment struct {
	Date   string
	Amount money.Money
}

// Schedule is the proposal's instalments with their amounts in its currency.
func (p PlanProposal) Schedule() []ProposedInstalment {
	cur, _ := money.ParseCurrency(p.Currency) // written by PortalRequestPlan from an invoice's currency
	out := make([]ProposedInstalment, len(p.Instalments))
	for i, in := range p.Instalments {
		out[i] = ProposedInstalment{Date: in.Date, Amount: money.Money{Minor: in.AmountMinor, Currency: cur}}
	}
	return out
}

// Total is what the proposal's invoices owed at the request.
func (p PlanProposal) Total() money.Money {
	cur, _ := money.ParseCurrency(p.Currency)
	return money.Money{Minor: p.TotalMinor, Currency: cur}
}

// Amount is minor units in the proposal's currency.
func (p PlanProposal) Amount(minor int64) money.Money {
	cur, _ := money.ParseCurrency(p.Currency)
	return money.Money{Minor: minor, Currency: cur}
}
