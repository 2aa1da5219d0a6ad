package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/inbound"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// The customer portal (README "Customer portal"). A portal session is not a
// staff Principal: its perimeter is exactly one customer account, and every
// method here takes the PortalSession and reads or writes that account only
// (ids another account owns are "not found"). Writes reuse the staff use
// cases (promises, holds, cases) with the contact as actor, so the rules are
// the same and every action is journaled on the account's timeline.

// PortalSession is a customer contact in the portal: one account.
type PortalSession struct {
	CustomerID int64
	Contact    string // the address (or number) the link was sent to
	ExpiresAt  time.Time
}

// Actor names the contact in the journal.
func (s PortalSession) Actor() string { return store.PortalActor(s.Contact) }

// acting is the principal the staff use cases run as for the contact: it
// passes their permission checks, so every portal method first checks that
// what it touches is the session's account (portalInvoices, portalCase).
func (s PortalSession) acting() domain.Principal { return domain.System(s.Actor()) }

// PortalSessionLifetime bounds one portal session (never past its link's expiry).
const PortalSessionLifetime = 12 * time.Hour

// PortalSessionPrefix marks a portal session secret.
const PortalSessionPrefix = "rps_"

// PortalOptions are what the portal needs of the process: where customers
// reach it and how to email them (nil: the link requests and confirmations
// are not sent, which the log says).
type PortalOptions struct {
	PublicURL string
	Mailer    *notify.Mailer
}

// ConfiguredPortal is the portal's options from RECOUP_PUBLIC_URL, SMTP_URL
// and RECOUP_MAIL_FROM (no SMTP_URL: no portal emails).
func ConfiguredPortal(publicURL, smtpURL, from string) (PortalOptions, error) {
	o := PortalOptions{PublicURL: publicURL}
	if smtpURL == "" {
		return o, nil
	}
	m, err := notify.NewMailer(smtpURL, from)
	if err != nil {
		return o, fmt.Errorf("SMTP_URL: %w", err)
	}
	o.Mailer = m
	return o, nil
}

// WithPortal sets the portal's public URL and mailer.
func WithPortal(o PortalOptions) Option { return func(a *App) { a.portal = o } }

// OpenPortal starts a session on a link token: the secret to keep in the
// portal's cookie. A token that is malformed, unknown, expired or revoked is
// store.ErrPortalLinkDead.
func (a *App) OpenPortal(ctx context.Context, token string) (PortalSession, string, error) {
	if !auth.PortalTokenShape(token) {
		return PortalSession{}, "", store.ErrPortalLinkDead
	}
	secret, hash := auth.NewSecret(PortalSessionPrefix)
	acc, err := a.store.OpenPortalLink(ctx, auth.HashSecret(token), hash, PortalSessionLifetime)
	if err != nil {
		return PortalSession{}, "", err
	}
	return PortalSession{CustomerID: acc.CustomerID, Contact: acc.Contact, ExpiresAt: acc.ExpiresAt}, secret, nil
}

// IsPortalSecret says whether s looks like a portal session secret.
func IsPortalSecret(s string) bool {
	return strings.HasPrefix(s, PortalSessionPrefix) && len(s) == len(PortalSessionPrefix)+43
}

// PortalSessionOf answers the live session of a secret (store.ErrPortalLinkDead otherwise).
func (a *App) PortalSessionOf(ctx context.Context, secret string) (PortalSession, error) {
	if !IsPortalSecret(secret) {
		return PortalSession{}, store.ErrPortalLinkDead
	}
	acc, err := a.store.PortalSession(ctx, auth.HashSecret(secret))
	if err != nil {
		return PortalSession{}, err
	}
	return PortalSession{CustomerID: acc.CustomerID, Contact: acc.Contact, ExpiresAt: acc.ExpiresAt}, nil
}

// ClosePortal ends a session (the customer left).
func (a *App) ClosePortal(ctx context.Context, secret string) error {
	if !IsPortalSecret(secret) {
		return nil
	}
	return a.store.EndPortalSession(ctx, auth.HashSecret(secret))
}

// PortalAccount is what the portal's pages show of the account.
type PortalAccount struct {
	Customer store.PortalCustomer
	// Invoices are the open and disputed invoices, oldest due first.
	Invoices []store.PortalInvoice
	// Credits are the open credit notes and unallocated payments.
	Credits []templates.StatementItem
	// Balances are the email statement's totals per currency (disputed
	// invoices are not in them: they are not asked for while disputed).
	Balances []templates.Balance
	// Cases are the customer's disputes and messages, newest first.
	Cases []store.PortalCase
}

// PortalAccount reads the session's account: its open items and the
// statement's totals, computed as the email statement computes them.
func (a *App) PortalAccount(ctx context.Context, s PortalSession) (PortalAccount, error) {
	var out PortalAccount
	var err error
	if out.Customer, err = a.store.PortalCustomer(ctx, s.CustomerID); err != nil {
		return out, err
	}
	if out.Invoices, err = a.store.PortalInvoices(ctx, s.CustomerID, nil); err != nil {
		return out, err
	}
	data, err := a.portalStatement(ctx, s, out.Customer.Language)
	if err != nil {
		return out, err
	}
	for _, it := range data.Statement {
		if !it.IsInvoice() {
			out.Credits = append(out.Credits, it)
		}
	}
	out.Balances = data.Balances
	out.Cases, err = a.store.PortalCases(ctx, s.CustomerID, 0)
	return out, err
}

// PortalStatement is the statement the PDF prints: every open item and the
// totals, by the email statement's own computation (store.MessageContext,
// StatementData), so both show the same figures.
func (a *App) PortalStatement(ctx context.Context, s PortalSession, lang string) (templates.Data, store.PortalCustomer, error) {
	c, err := a.store.PortalCustomer(ctx, s.CustomerID)
	if err != nil {
		return templates.Data{}, c, err
	}
	data, err := a.portalStatement(ctx, s, lang)
	if err == nil {
		_ = a.store.PortalJournal(ctx, s.CustomerID, s.Actor(), "portal.statement", map[string]any{"items": len(data.Statement)})
	}
	return data, c, err
}

func (a *App) portalStatement(ctx context.Context, s PortalSession, lang string) (templates.Data, error) {
	mc, err := a.store.MessageContext(ctx, s.CustomerID, nil)
	if err != nil {
		return templates.Data{}, err
	}
	return mc.StatementData(time.Now(), lang)
}

// portalInvoices answers the session's invoices among ids, each at most
// once; an id that is not the account's open or disputed invoice is
// CodeNotFound (the same answer as an id that does not exist).
func (a *App) portalInvoices(ctx context.Context, s PortalSession, ids []int64) ([]store.PortalInvoice, error) {
	if len(ids) == 0 {
		return nil, domain.FieldError("invoices", "required: choose at least one invoice")
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	invs, err := a.store.PortalInvoices(ctx, s.CustomerID, ids)
	if err != nil {
		return nil, err
	}
	if len(invs) != len(ids) {
		return nil, domain.Errorf(domain.CodeNotFound, "invoice not found")
	}
	return invs, nil
}

// PortalInvoice is one of the session's invoices (for its PDF link).
func (a *App) PortalInvoice(ctx context.Context, s PortalSession, id int64) (store.PortalInvoice, error) {
	invs, err := a.portalInvoices(ctx, s, []int64{id})
	if err != nil {
		return store.PortalInvoice{}, err
	}
	return invs[0], nil
}

// oneCurrency is the currency all invs share; several is a field error.
func oneCurrency(invs []store.PortalInvoice) (money.Money, error) {
	total := money.Money{Currency: invs[0].Open.Currency}
	for _, inv := range invs {
		if inv.Open.Currency != total.Currency {
			return total, domain.FieldError("invoices", "choose invoices in one currency at a time")
		}
		var err error
		if total, err = total.Add(inv.Open); err != nil {
			return total, err
		}
	}
	return total, nil
}

// PortalPromiseRequest is a promise to pay given in the portal: invoices and a date.
type PortalPromiseRequest struct {
	InvoiceIDs []int64
	Date       string // YYYY-MM-DD
}

// PortalPromise records the customer's promise to pay the chosen invoices'
// open total by a date no later than the entity's limit (portal_promise_max_days):
// RecordPromise's rule and effects (held until the date plus grace, then
// checked), source portal; the customer gets a confirmation by email.
func (a *App) PortalPromise(ctx context.Context, s PortalSession, req PortalPromiseRequest) (RecordedPromise, error) {
	invs, err := a.portalInvoices(ctx, s, req.InvoiceIDs)
	if err != nil {
		return RecordedPromise{}, err
	}
	for _, inv := range invs {
		if inv.Disputed || inv.Promised || inv.InPlan {
			return RecordedPromise{}, domain.FieldError("invoices", "invoice %s is already disputed, promised or in a plan", inv.Number)
		}
	}
	total, err := oneCurrency(invs)
	if err != nil {
		return RecordedPromise{}, err
	}
	c, err := a.store.PortalCustomer(ctx, s.CustomerID)
	if err != nil {
		return RecordedPromise{}, err
	}
	date, err := dunning.ParseDate(strings.TrimSpace(req.Date))
	today := (dunning.Account{TimeZone: c.TimeZone}).Today(time.Now())
	switch last := today.AddDays(c.Settings.PromiseMaxDays); {
	case err != nil:
		return RecordedPromise{}, domain.FieldError("date", "%q: want a date (YYYY-MM-DD)", req.Date)
	case date.Before(today):
		return RecordedPromise{}, domain.FieldError("date", "%s is in the past", date)
	case date.After(last):
		return RecordedPromise{}, domain.FieldError("date", "at most %d days ahead (%s)", c.Settings.PromiseMaxDays, last)
	}
	ids := make([]int64, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
	}
	p, err := a.RecordPromise(ctx, s.acting(), s.CustomerID, PromiseRequest{AmountMinor: total.Minor, Currency: total.Currency.Code(),
		Date: date.String(), InvoiceIDs: ids, Source: "portal", Note: "promised in the customer portal"})
	if err != nil {
		return p, err
	}
	a.portalMail(ctx, c, mailPromise, 0, total.String(), date.String(), invoiceNumbers(invs))
	return p, nil
}

func invoiceNumbers(invs []store.PortalInvoice) string {
	ns := make([]string, len(invs))
	for i, inv := range invs {
		ns[i] = inv.Number
	}
	return strings.Join(ns, ", ")
}

// PortalPaidRequest is the customer's "I have paid".
type PortalPaidRequest struct {
	InvoiceIDs []int64
	PaidOn     string // YYYY-MM-DD
	Reference  string
}

// PortalPaid acts as the paid_claimed outcome of a call: the invoices are
// held PaidClaimCheck days (their reminders wait) and a check_payment task
// asks the agent to look for the payment then.
func (a *App) PortalPaid(ctx context.Context, s PortalSession, req PortalPaidRequest) ([]store.InvoiceHold, error) {
	invs, err := a.portalInvoices(ctx, s, req.InvoiceIDs)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	paidOn, err := dunning.ParseDate(strings.TrimSpace(req.PaidOn))
	ref := strings.TrimSpace(req.Reference)
	var errs []error
	switch {
	case err != nil:
		errs = append(errs, domain.FieldError("paid_on", "%q: want a date (YYYY-MM-DD)", req.PaidOn))
	case paidOn.After(dunning.DateOf(now).AddDays(1)):
		errs = append(errs, domain.FieldError("paid_on", "%s is in the future", paidOn))
	}
	switch {
	case ref == "":
		errs = append(errs, domain.FieldError("reference", "required: the payment's reference, to find it"))
	case len(ref) > 200 || !storable(ref):
		errs = append(errs, domain.FieldError("reference", "at most 200 characters"))
	}
	if err := domain.Invalid(errs...); err != nil {
		return nil, err
	}
	until := dunning.DateOf(now).AddDays(a.desk.PaidClaimCheck)
	why := fmt.Sprintf("the customer says in the portal they paid on %s, reference %s", paidOn, ref)
	var holds []store.InvoiceHold
	var ids []int64
	for _, inv := range invs {
		ids = append(ids, inv.ID)
		if inv.Held || inv.Disputed {
			continue // already out of the reminders
		}
		h, err := a.HoldInvoice(ctx, s.acting(), inv.ID, HoldRequest{Until: &until, Reason: why})
		if err != nil {
			return holds, err
		}
		holds = append(holds, h)
	}
	_, _, err = a.store.CreateTask(ctx, store.Task{Key: "portal/paid/" + rand.Text(), CustomerID: s.CustomerID, Kind: domain.TaskCheckPayment,
		AssigneeRole: domain.AssigneeAgent, InvoiceIDs: ids, DueAt: now.AddDate(0, 0, a.desk.PaidClaimCheck),
		Note: why + ": check the payment arrived", Actor: s.Actor()})
	if err != nil {
		return holds, err
	}
	return holds, a.store.PortalJournal(ctx, s.CustomerID, s.Actor(), "portal.paid_claimed",
		map[string]any{"invoice_ids": ids, "paid_on": paidOn, "reference": ref})
}

// PortalDisputeRequest disputes one invoice: a reason code, the amount
// disputed (minor units; 0 the whole open amount), a comment and files.
type PortalDisputeRequest struct {
	InvoiceID     int64
	Reason        string
	DisputedMinor int64
	Comment       string
	Files         []AttachmentUpload
}

// PortalDispute opens a dispute case on one of the session's invoices
// (OpenCase's rule: the invoice is disputed at once, so its reminders stop,
// and the case is routed to its department), with the files attached. A
// file refused refuses the whole dispute, before anything is written.
func (a *App) PortalDispute(ctx context.Context, s PortalSession, req PortalDisputeRequest) (OpenedCase, error) {
	invs, err := a.portalInvoices(ctx, s, []int64{req.InvoiceID})
	if err != nil {
		return OpenedCase{}, err
	}
	inv := invs[0]
	var errs []error
	if inv.Disputed {
		errs = append(errs, domain.FieldError("invoice", "invoice %s is already disputed", inv.Number))
	}
	if req.DisputedMinor < 0 || req.DisputedMinor > inv.Open.Minor {
		errs = append(errs, domain.FieldError("amount", "from 0 to the open amount, %s", inv.Open))
	}
	if strings.TrimSpace(req.Comment) == "" {
		errs = append(errs, domain.FieldError("comment", "required: say what is wrong"))
	}
	files, err := a.checkFiles(req.Files)
	errs = append(errs, err)
	if err := domain.Invalid(errs...); err != nil {
		return OpenedCase{}, err
	}
	k, err := a.OpenCase(ctx, s.acting(), CaseRequest{Type: string(domain.CaseDispute), CustomerID: s.CustomerID, Reason: req.Reason,
		Description: req.Comment, Source: "portal",
		Invoices: []store.NewCaseInvoice{{InvoiceID: inv.ID, DisputedMinor: req.DisputedMinor}}})
	if err != nil {
		return k, err
	}
	if len(files) > 0 {
		if _, err := a.addNote(ctx, s.acting(), k.ID, CommentRequest{}, files); err != nil {
			return k, err
		}
	}
	return k, nil
}

// checkFiles validates uploads as a case's attachments.
func (a *App) checkFiles(files []AttachmentUpload) ([]store.NewAttachment, error) {
	if len(files) > MaxAttachmentsPerNote {
		return nil, domain.FieldError("file", "at most %d files at once", MaxAttachmentsPerNote)
	}
	var errs []error
	out := make([]store.NewAttachment, len(files))
	for i, f := range files {
		ct, err := ValidateAttachment(f.Name, f.Data, a.attachMax)
		errs = append(errs, err)
		out[i] = store.NewAttachment{FileName: f.Name, ContentType: ct, Content: f.Data}
	}
	return out, domain.Invalid(errs...)
}

// PortalPlanRequest proposes a payment plan: instalments for the chosen invoices.
type PortalPlanRequest struct {
	InvoiceIDs  []int64
	Instalments []InstalmentRequest
	Comment     string
}

// PortalRequestPlan turns a proposed plan into a customer_message case for
// the agent, who accepts it (AcceptPlanRequest: RecordPlan records it) or
// refuses it. The instalments must be dated, in order, and add up to the
// invoices' open total. The proposal is kept structured in the case's
// details (PlanProposal), with each invoice's open amount at the request, so
// that an invoice paid or changed since is seen at acceptance; the
// description gives the schedule as text for those who read the case.
func (a *App) PortalRequestPlan(ctx context.Context, s PortalSession, req PortalPlanRequest) (OpenedCase, error) {
	invs, err := a.portalInvoices(ctx, s, req.InvoiceIDs)
	if err != nil {
		return OpenedCase{}, err
	}
	total, err := oneCurrency(invs)
	if err != nil {
		return OpenedCase{}, err
	}
	var sum int64
	var prev dunning.Date
	lines := []string{fmt.Sprintf("Payment plan proposed in the portal for %s (%s):", invoiceNumbers(invs), total)}
	for i, in := range req.Instalments {
		d, err := dunning.ParseDate(in.Date)
		switch {
		case err != nil:
			return OpenedCase{}, domain.FieldError("instalments", "instalment %d: want a date (YYYY-MM-DD)", i+1)
		case i > 0 && !d.After(prev):
			return OpenedCase{}, domain.FieldError("instalments", "instalment %d: its date must come after the one before", i+1)
		case in.AmountMinor <= 0:
			return OpenedCase{}, domain.FieldError("instalments", "instalment %d: the amount must be more than 0", i+1)
		}
		prev, sum = d, sum+in.AmountMinor
		lines = append(lines, fmt.Sprintf("%d. %s: %s", i+1, d, money.Money{Minor: in.AmountMinor, Currency: total.Currency}))
	}
	switch {
	case len(req.Instalments) < 2:
		return OpenedCase{}, domain.FieldError("instalments", "propose at least two instalments")
	case len(req.Instalments) > maxInstalments:
		return OpenedCase{}, domain.FieldError("instalments", "at most %d", maxInstalments)
	case sum != total.Minor:
		return OpenedCase{}, domain.FieldError("instalments", "they add up to %s; the invoices owe %s",
			money.Money{Minor: sum, Currency: total.Currency}, total)
	}
	comment := strings.TrimSpace(req.Comment)
	if comment != "" {
		lines = append(lines, "", comment)
	}
	p := PlanProposal{Currency: total.Currency.Code(), TotalMinor: total.Minor, Instalments: req.Instalments, Comment: comment}
	for _, in := range invs {
		p.Invoices = append(p.Invoices, ProposedInvoice{InvoiceID: in.ID, Number: in.Number, OpenMinor: in.Open.Minor})
	}
	return a.OpenCase(ctx, s.acting(), CaseRequest{Type: string(domain.CaseCustomerMessage), CustomerID: s.CustomerID,
		Description: strings.Join(lines, "\n"), Source: "portal", planRequest: &p})
}

// PortalMessage writes to the team: a customer_message case, with files.
func (a *App) PortalMessage(ctx context.Context, s PortalSession, text string, files []AttachmentUpload) (OpenedCase, error) {
	checked, err := a.checkFiles(files)
	if err != nil {
		return OpenedCase{}, err
	}
	if !storable(text) {
		return OpenedCase{}, domain.FieldError("description", "contains a NUL character or invalid UTF-8")
	}
	k, err := a.OpenCase(ctx, s.acting(), CaseRequest{Type: string(domain.CaseCustomerMessage), CustomerID: s.CustomerID,
		Description: text, Source: "portal"})
	if err != nil {
		return k, err
	}
	if len(checked) > 0 {
		_, err = a.addNote(ctx, s.acting(), k.ID, CommentRequest{}, checked)
	}
	return k, err
}

// PortalThread is one of the customer's cases with what the customer may
// read of its discussion.
type PortalThread struct {
	Case        store.PortalCase
	Plan        *PlanProposal // the payment plan the case proposes, if it does
	Comments    []store.CaseComment
	Attachments []store.CaseAttachment
}

// PortalThread reads one of the session's cases. A message case is the
// conversation with the customer: all its comments show. A dispute's
// discussion is the team's: only what the customer wrote shows there.
func (a *App) PortalThread(ctx context.Context, s PortalSession, caseID int64) (PortalThread, error) {
	k, err := a.portalCase(ctx, s, caseID)
	if err != nil {
		return PortalThread{}, err
	}
	t := PortalThread{Case: k}
	if p, ok := planProposal(k.Type, k.Details); ok {
		t.Plan = &p
	}
	all, err := a.store.CaseComments(ctx, caseID)
	if err != nil {
		return t, err
	}
	for _, c := range all {
		if k.Type == domain.CaseCustomerMessage || isPortalActor(c.Author) {
			t.Comments = append(t.Comments, c)
		}
	}
	files, err := a.store.CaseAttachments(ctx, caseID)
	for _, f := range files {
		if k.Type == domain.CaseCustomerMessage || isPortalActor(f.UploadedBy) {
			t.Attachments = append(t.Attachments, f)
		}
	}
	return t, err
}

// isPortalActor: the actor is a customer's contact acting in the portal (store.PortalActor).
func isPortalActor(actor string) bool { return strings.HasSuffix(actor, " (portal)") }

func (a *App) portalCase(ctx context.Context, s PortalSession, caseID int64) (store.PortalCase, error) {
	ks, err := a.store.PortalCases(ctx, s.CustomerID, caseID)
	if err != nil {
		return store.PortalCase{}, err
	}
	if caseID <= 0 || len(ks) == 0 {
		return store.PortalCase{}, domain.Errorf(domain.CodeNotFound, "not found")
	}
	return ks[0], nil
}

// PortalReply adds the customer's answer to one of their cases.
func (a *App) PortalReply(ctx context.Context, s PortalSession, caseID int64, text string, files []AttachmentUpload) error {
	if _, err := a.portalCase(ctx, s, caseID); err != nil {
		return err
	}
	checked, err := a.checkFiles(files)
	if err != nil {
		return err
	}
	_, err = a.addNote(ctx, s.acting(), caseID, CommentRequest{Text: text}, checked)
	return err
}

// PortalAttachment answers a file of one of the session's cases that the
// customer may read (see PortalThread).
func (a *App) PortalAttachment(ctx context.Context, s PortalSession, caseID, id int64) (store.CaseAttachment, []byte, error) {
	t, err := a.PortalThread(ctx, s, caseID)
	if err != nil {
		return store.CaseAttachment{}, nil, err
	}
	if !slices.ContainsFunc(t.Attachments, func(f store.CaseAttachment) bool { return f.ID == id }) {
		return store.CaseAttachment{}, nil, domain.Errorf(domain.CodeNotFound, "not found")
	}
	return a.store.CaseAttachment(ctx, caseID, id)
}

// RequestPortalLink sends a fresh link to address when it is a known
// contact of one or more accounts (one link per account). It answers the
// same whether or not the address is known: the caller shows one message.
// Rate limits are the caller's (per address, per client).
func (a *App) RequestPortalLink(ctx context.Context, address string) error {
	email := strings.ToLower(strings.TrimSpace(address))
	if !domain.IsEmail(email) {
		return domain.FieldError("email", "want an email address")
	}
	contacts, err := a.store.PortalContacts(ctx, email)
	if err != nil {
		return err
	}
	for _, k := range contacts {
		token, hash := auth.NewPortalToken(false)
		if _, err := a.store.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: k.CustomerID, Hash: hash, Contact: email}); err != nil {
			return err
		}
		c, err := a.store.PortalCustomer(ctx, k.CustomerID)
		if err != nil {
			return err
		}
		_ = a.store.PortalJournal(ctx, k.CustomerID, store.PortalActor(email), "portal.link_requested", map[string]any{"to": email})
		c.Email = email // to the address that asked, not every address of the account
		a.portalMail(ctx, c, mailLink, 0, auth.PortalLinkURL(a.portal.PublicURL, token))
	}
	return nil
}

// RevokePortalLinks ends every live portal link and session of a customer
// inside who's perimeter (an agent's "revoke" button, the API's DELETE).
func (a *App) RevokePortalLinks(ctx context.Context, who domain.Principal, customerID int64, reason string) (int64, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return 0, err
	}
	r := strings.TrimSpace(reason)
	switch {
	case utf8.RuneCountInString(r) > maxReason:
		return 0, domain.FieldError("reason", "at most %d characters", maxReason)
	case !storable(r):
		return 0, domain.FieldError("reason", "contains a NUL character or invalid UTF-8")
	}
	return a.store.RevokePortalLinks(ctx, customerID, r, who.Actor())
}

// PortalLink makes a link for a customer inside who's perimeter, for an
// agent to hand over by other means (and for tests): the URL, once.
func (a *App) PortalLink(ctx context.Context, who domain.Principal, customerID int64) (string, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return "", err
	}
	c, err := a.store.PortalCustomer(ctx, customerID)
	if err != nil {
		return "", err
	}
	// The link is the customer's: their actions are journaled as theirs, not the agent's.
	contact, _, _ := strings.Cut(c.Email, ",")
	if contact = strings.TrimSpace(contact); contact == "" {
		contact = "customer " + c.ExternalID
	}
	token, hash := auth.NewPortalToken(false)
	if _, err := a.store.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: customerID, Hash: hash, Contact: contact}); err != nil {
		return "", err
	}
	_ = a.store.PortalJournal(ctx, customerID, who.Actor(), "portal.link_made", map[string]any{"contact": contact})
	return auth.PortalLinkURL(a.portal.PublicURL, token), nil
}

// tellPortalReply emails a team member's answer on a message case the
// customer wrote in the portal, with a fresh link to the thread (the
// customer's own comments and the team's internal cases are not emailed).
func (a *App) tellPortalReply(ctx context.Context, caseID int64, c store.CaseComment) {
	k, err := a.store.Case(ctx, store.Everything, caseID)
	if err != nil || k.Type != domain.CaseCustomerMessage || k.Source != "portal" {
		return
	}
	cust, err := a.store.PortalCustomer(ctx, k.CustomerID)
	if err != nil {
		a.log.WarnContext(ctx, "portal reply email", "case", caseID, "err", err)
		return
	}
	link, ok := a.freshPortalLink(ctx, cust, fmt.Sprintf("portal/reply/%d", c.ID))
	if ok {
		a.portalMail(ctx, cust, mailReply, caseID, c.Body, link)
	}
}

// freshPortalLink makes the link an email of the portal carries (key: one
// per email, so a retry replaces it); false when it could not (logged).
func (a *App) freshPortalLink(ctx context.Context, cust store.PortalCustomer, key string) (string, bool) {
	token, hash := auth.NewPortalToken(false)
	if _, err := a.store.IssuePortalLink(ctx, store.PortalLinkWrite{CustomerID: cust.ID, Hash: hash, Contact: cust.Email,
		ReminderKey: key}); err != nil {
		a.log.WarnContext(ctx, "portal link", "customer", cust.ID, "key", key, "err", err)
		return "", false
	}
	return auth.PortalLinkURL(a.portal.PublicURL, token), true
}

// Emails the portal sends.
const (
	mailLink    = "link"
	mailPromise = "promise"
	mailReply   = "reply"
	// The answers to a payment plan request: invoices, reason, link.
	mailPlanAccepted = "plan_accepted"
	mailPlanRefused  = "plan_refused"
)

// portalMails are their texts, by language (English otherwise).
var portalMails = map[string]map[string][2]string{
	"en": {
		mailLink: {"Your link to %[1]s's customer portal",
			"Hello,\n\nHere is your personal link to see your invoices and statement with %[1]s, pay, or write to us:\n\n%[2]s\n\nIf you did not ask for it, you can ignore this message.\n\n%[1]s"},
		mailPromise: {"Your promise to pay: %[2]s by %[3]s",
			"Hello,\n\nThank you: we have noted that you will pay %[2]s by %[3]s for invoices %[4]s. We will not send reminders for them until then.\n\n%[1]s"},
		mailReply: {"%[1]s answered your message",
			"Hello,\n\n%[2]s\n\nTo answer, or to see the whole conversation: %[3]s\n\n%[1]s"},
		mailPlanAccepted: {"Your payment plan with %[1]s is accepted",
			"Hello,\n\nWe accept the payment plan you proposed for invoices %[2]s (%[3]s). A confirmation with its schedule follows, and a reminder before each instalment.\n\nYour requests and our answers: %[4]s\n\n%[1]s"},
		mailPlanRefused: {"Your payment plan request to %[1]s",
			"Hello,\n\nWe cannot accept the payment plan you proposed for invoices %[2]s:\n\n%[3]s\n\nTo answer, or to propose another: %[4]s\n\n%[1]s"},
	},
	"fr": {
		mailLink: {"Votre lien vers l'espace client de %[1]s",
			"Bonjour,\n\nVoici votre lien personnel pour consulter vos factures et votre relevé chez %[1]s, payer ou nous écrire :\n\n%[2]s\n\nSi vous ne l'avez pas demandé, ignorez ce message.\n\n%[1]s"},
		mailPromise: {"Votre promesse de paiement : %[2]s au %[3]s",
			"Bonjour,\n\nMerci : nous avons noté que vous réglerez %[2]s au plus tard le %[3]s pour les factures %[4]s. Nous ne vous relancerons pas pour elles d'ici là.\n\n%[1]s"},
		mailReply: {"%[1]s a répondu à votre message",
			"Bonjour,\n\n%[2]s\n\nPour répondre ou voir tous les échanges : %[3]s\n\n%[1]s"},
		mailPlanAccepted: {"Votre échéancier avec %[1]s est accepté",
			"Bonjour,\n\nNous acceptons l'échéancier que vous avez proposé pour les factures %[2]s (%[3]s). Une confirmation avec ses échéances suit, et un rappel avant chacune.\n\nVos demandes et nos réponses : %[4]s\n\n%[1]s"},
		mailPlanRefused: {"Votre demande d'échéancier à %[1]s",
			"Bonjour,\n\nNous ne pouvons pas accepter l'échéancier que vous avez proposé pour les factures %[2]s :\n\n%[3]s\n\nPour répondre ou en proposer un autre : %[4]s\n\n%[1]s"},
	},
}

// portalMail sends one of the portal's emails to the account's address,
// signed as the reminders are (notify.Email.Sign: the entity's sender, and
// Reply-To the account's reply address when the entity receives replies).
// An email about a case (thread, else 0) carries a Message-ID naming it, so
// that the customer's answer by email lands on that case (store.ReceiveReply).
// A failure is logged (the action it confirms is done).
func (a *App) portalMail(ctx context.Context, c store.PortalCustomer, kind string, thread int64, args ...any) {
	to := strings.TrimSpace(c.Email)
	if a.portal.Mailer == nil || to == "" {
		a.log.InfoContext(ctx, "portal email not sent: no mailer or no address", "kind", kind, "customer", c.ID)
		return
	}
	texts, ok := portalMails[c.Language]
	if !ok {
		texts = portalMails["en"]
	}
	t := texts[kind]
	all := append([]any{c.EntityName}, args...)
	var addrs []string
	for _, a := range strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == ';' }) {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	key := "portal/" + kind + "/" + rand.Text()
	if thread > 0 {
		key = store.PortalThreadKey(thread) + kind + "/" + rand.Text()
	}
	e := notify.Email{To: addrs, Subject: fmt.Sprintf(t[0], all...), Text: fmt.Sprintf(t[1], all...),
		MessageID: notify.MessageID(key), Language: c.Language}
	e.Sign(a.portalIdentity(ctx, c))
	if e.FromName == "" {
		e.FromName = c.EntityName
	}
	if err := a.portal.Mailer.Send(ctx, e); err != nil {
		a.log.WarnContext(ctx, "portal email", "kind", kind, "customer", c.ID, "err", err)
	}
}

// portalIdentity is who the portal's emails to c speak for; what cannot be
// read is logged and left out (the email still goes, answered to From).
func (a *App) portalIdentity(ctx context.Context, c store.PortalCustomer) notify.Identity {
	id := notify.Identity{EntityName: c.EntityName, AgentName: c.AgentName, AgentEmail: c.AgentEmail}
	s, err := a.store.EntitySender(ctx, c.EntityCode)
	if err != nil {
		a.log.WarnContext(ctx, "portal email sender", "customer", c.ID, "err", err)
		return id
	}
	id.SenderName, id.SenderAddress, id.ReplyTo = s.SenderName, s.SenderAddress, s.ReplyTo
	if s.ReplyDomain != "" {
		token, err := a.store.ReplyToken(ctx, c.ID, inbound.NewReplyToken())
		if err != nil {
			a.log.WarnContext(ctx, "portal email reply address", "customer", c.ID, "err", err)
			return id
		}
		id.ReplyAddress = inbound.ReplyAddress(s.ReplyLocal, token, s.ReplyDomain)
	}
	return id
}

// ErrPortalDead is how callers test for a dead link or session.
func ErrPortalDead(err error) bool { return errors.Is(err, store.ErrPortalLinkDead) }

// PortalCustomerOf reads the session's account (its name, language,
// entity and the entity's portal settings).
func (a *App) PortalCustomerOf(ctx context.Context, s PortalSession) (store.PortalCustomer, error) {
	return a.store.PortalCustomer(ctx, s.CustomerID)
}
