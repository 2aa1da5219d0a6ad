package app

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
	"recoup/history"
	"recoup/store"
)

// CaseRequest opens a case: a dispute names its invoices and a reason code;
// a credit limit request the new limit (in the customer's currency) and a
// justification; a data change request the field and its new value; a
// customer message its text (Description).
type CaseRequest struct {
	Type          string                 `json:"type"`
	CustomerID    int64                  `json:"customer_id"`
	Reason        string                 `json:"reason"` // a dispute's reason code
	Description   string                 `json:"description"`
	Invoices      []store.NewCaseInvoice `json:"invoices"`        // dispute: disputed_minor 0 disputes the whole open amount
	NewLimitMinor *int64                 `json:"new_limit_minor"` // credit_limit_request
	Justification string                 `json:"justification"`   // credit_limit_request
	Field         string                 `json:"field"`           // data_change_request: one of domain.DataChangeFields
	Value         string                 `json:"value"`           // data_change_request
	Source        string                 `json:"source"`          // "": by the caller's role
	// planRequest is a customer message's proposed payment plan (the
	// portal's PortalRequestPlan only: the API cannot send one).
	planRequest *PlanProposal
}

// maxCaseText bounds a case's description, a comment and a reason, in characters.
const maxCaseText = 4000

// OpenedCase is a case just opened: its workflow started (or why not), its
// account woken (a dispute's invoices are held at once).
type OpenedCase struct {
	store.Case
	Started string // "": the Case workflow runs; else why it does not
	Woken   Woken
}

// OpenCase opens a case on a customer inside who's perimeter, routed by the
// routing table, with the SLA of its type and reason: one transaction
// records it (a dispute's invoices become disputed there, so the account's
// next plan holds them and only them) and journals it; then its Case
// workflow starts and, for a dispute, the account's Dunning workflow is woken.
func (a *App) OpenCase(ctx context.Context, who domain.Principal, req CaseRequest) (OpenedCase, error) {
	if err := allow(who, auth.CasesOpen); err != nil {
		return OpenedCase{}, err
	}
	nc, err := newCase(who, req)
	if err != nil {
		return OpenedCase{}, err
	}
	k, err := a.store.OpenCase(ctx, perimeter(who), nc)
	if err != nil {
		return OpenedCase{}, err
	}
	out := OpenedCase{Case: k, Started: a.startCase(ctx, k)}
	if k.Type == domain.CaseDispute {
		out.Woken = a.AccountsChanged(ctx, Change{CustomerIDs: []int64{k.CustomerID}})
	}
	return out, nil
}

// startCase starts a case's workflow and says why it could not ("": started).
func (a *App) startCase(ctx context.Context, k store.Case) string {
	if a.flow == nil {
		return flow.ErrUnavailable.Error()
	}
	if err := a.startCaseWorkflow(ctx, k); err != nil {
		a.log.ErrorContext(ctx, "start case workflow", "case", k.ID, "err", err)
		return "the case workflow did not start (" + err.Error() + "); it starts when Temporal is back"
	}
	a.paid(ctx, store.OutboxCaseStart, k.ID, k.Reopened)
	return ""
}

// startCaseWorkflow starts k's Case workflow on its entity's calendar; a
// workflow already running for it is that start.
func (a *App) startCaseWorkflow(ctx context.Context, k store.Case) error {
	cal, err := a.store.CaseCalendar(ctx, k.EntityID)
	if err != nil {
		return err
	}
	return a.flow.StartCase(ctx, caseInput(k, cal))
}

// paid marks a start owed to Temporal done; if that write fails, the
// catch-up starts it again, which is harmless (the start is idempotent).
func (a *App) paid(ctx context.Context, kind store.OutboxKind, ref int64, round int) {
	if err := a.store.PaidTemporal(ctx, kind, ref, round); err != nil {
		a.log.WarnContext(ctx, "mark a Temporal start done", "kind", kind, "ref", ref, "err", err)
	}
}

func caseInput(k store.Case, cal store.CaseCalendar) flow.CaseInput {
	return flow.CaseInput{CaseID: k.ID, CustomerID: k.CustomerID, EntityCode: k.EntityCode, Type: k.Type, Department: k.Department,
		Owner: k.OwnerEmail, Status: k.Status, SLABusinessDays: k.SLABusinessDays, OpenedAt: k.OpenedAt.UTC(),
		Calendar: flow.CaseCalendar{Country: cal.Country, TimeZone: cal.TimeZone, Holidays: cal.Holidays},
		Clock:    flow.CaseClock{Round: k.Reopened}}
}

// newCase checks what can be checked without the ledger, each error on its field.
func newCase(who domain.Principal, req CaseRequest) (store.NewCase, error) {
	nc := store.NewCase{Type: domain.CaseType(req.Type), CustomerID: req.CustomerID, Reason: strings.TrimSpace(req.Reason),
		Description: strings.TrimSpace(req.Description), Invoices: req.Invoices, Source: req.Source, Actor: who.Actor()}
	var errs []error
	switch {
	case req.Type == "":
		errs = append(errs, domain.FieldError("type", "required: want %s", domain.Choices(domain.CaseTypes)))
	default:
		errs = append(errs, oneOf("type", nc.Type, domain.CaseTypes))
	}
	if req.CustomerID <= 0 {
		errs = append(errs, domain.FieldError("customer_id", "required: the customer the case is about"))
	}
	if utf8.RuneCountInString(nc.Description) > maxCaseText {
		errs = append(errs, domain.FieldError("description", "at most %d characters", maxCaseText))
	}
	if nc.Source == "" {
		nc.Source = defaultCaseSource(who)
	} else if !slices.Contains(store.CaseSources, nc.Source) {
		errs = append(errs, domain.FieldError("source", "%q: want one of %v", nc.Source, store.CaseSources))
	}
	if nc.Type != domain.CaseDispute && len(nc.Invoices) > 0 {
		errs = append(errs, domain.FieldError("invoices", "only a dispute names invoices"))
	}
	var details map[string]any
	switch nc.Type {
	case domain.CaseDispute:
		switch {
		case nc.Reason == "":
			errs = append(errs, domain.FieldError("reason", "required: want %s", strings.Join(domain.DisputeReasons, ", ")))
		case !slices.Contains(domain.DisputeReasons, nc.Reason):
			errs = append(errs, domain.FieldError("reason", "%q: want %s", nc.Reason, strings.Join(domain.DisputeReasons, ", ")))
		}
		if len(nc.Invoices) == 0 {
			errs = append(errs, domain.FieldError("invoices", "required: the invoices disputed"))
		}
		for _, in := range nc.Invoices {
			if in.InvoiceID <= 0 || in.DisputedMinor < 0 {
				errs = append(errs, domain.FieldError("invoices", "each needs an invoice_id and a disputed_minor of 0 (all) or more"))
				break
			}
		}
	case domain.CaseCreditLimitRequest:
		nc.Reason = ""
		just := strings.TrimSpace(req.Justification)
		switch {
		case req.NewLimitMinor == nil:
			errs = append(errs, domain.FieldError("new_limit_minor", "required: the credit limit asked for, in the customer's currency (minor units)"))
		case *req.NewLimitMinor < 0:
			errs = append(errs, domain.FieldError("new_limit_minor", "must be 0 or more"))
		}
		if just == "" {
			errs = append(errs, domain.FieldError("justification", "required: say why"))
		} else if utf8.RuneCountInString(just) > maxCaseText {
			errs = append(errs, domain.FieldError("justification", "at most %d characters", maxCaseText))
		}
		details = map[string]any{"new_limit_minor": req.NewLimitMinor, "justification": just}
	case domain.CaseDataChangeRequest:
		field, value := strings.TrimSpace(req.Field), strings.TrimSpace(req.Value)
		if !slices.Contains(domain.DataChangeFields, field) {
			errs = append(errs, domain.FieldError("field", "%q: want %s", field, strings.Join(domain.DataChangeFields, ", ")))
		}
		if value == "" {
			errs = append(errs, domain.FieldError("value", "required: the new value"))
		} else if utf8.RuneCountInString(value) > maxCaseText {
			errs = append(errs, domain.FieldError("value", "at most %d characters", maxCaseText))
		}
		nc.Reason = field // routed by what is to change
		details = map[string]any{"field": field, "value": value}
	case domain.CaseCustomerMessage:
		nc.Reason = ""
		if nc.Description == "" {
			errs = append(errs, domain.FieldError("description", "required: the customer's message"))
		}
		if req.planRequest != nil {
			details = map[string]any{planRequestKey: req.planRequest}
		}
	}
	if details != nil {
		nc.Details, _ = json.Marshal(details)
	}
	return nc, domain.Invalid(errs...)
}

func defaultCaseSource(who domain.Principal) string {
	switch who.Role {
	case domain.RoleAgent, domain.RoleCreditManager:
		return "agent"
	case domain.RoleSalesRep:
		return "sales"
	case domain.RoleDepartment:
		return "department"
	}
	return "api"
}

// CaseQuery filters the list of cases; empty fields do not filter.
type CaseQuery struct {
	Type, Status, Department, Owner, SLA string
	CustomerID                           *int64
	domain.Page
}

// Cases lists the cases inside who's perimeter (a department: those routed
// to it), newest first, and how many match in all.
func (a *App) Cases(ctx context.Context, who domain.Principal, q CaseQuery) ([]store.Case, int64, error) {
	if err := allow(who, auth.CasesRead); err != nil {
		return nil, 0, err
	}
	f := store.CaseFilter{Type: domain.CaseType(q.Type), Status: domain.CaseStatus(q.Status), Department: domain.Department(q.Department),
		OwnerEmail: q.Owner, CustomerID: q.CustomerID, SLAState: domain.SLAState(q.SLA), Page: q.Page}
	if err := domain.Invalid(
		oneOf("type", f.Type, domain.CaseTypes),
		oneOf("status", f.Status, domain.CaseStatuses),
		oneOf("department", f.Department, domain.CaseDepartments),
		oneOf("sla", f.SLAState, domain.SLAStates),
	); err != nil {
		return nil, 0, err
	}
	return a.store.ListCases(ctx, perimeter(who), f)
}

// CaseDetail is one case: its data and discussion from Postgres, and its
// live state from its workflow when Temporal answers.
type CaseDetail struct {
	store.Case
	Comments    []store.CaseComment
	Attachments []store.CaseAttachment // oldest first, without their bytes
	Live        *flow.CaseStatus
	// LiveError says why Live is missing ("": it is there).
	LiveError string
}

// liveTimeout bounds the query of a case's workflow: the page answers without it.
const liveTimeout = 5 * time.Second

// Case answers one case inside who's perimeter.
func (a *App) Case(ctx context.Context, who domain.Principal, id int64) (CaseDetail, error) {
	d, err := a.CaseDiscussion(ctx, who, id)
	if err != nil {
		return d, err
	}
	if a.flow == nil {
		d.LiveError = flow.ErrUnavailable.Error()
		return d, nil
	}
	qctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	st, ok, err := a.flow.CaseState(qctx, id)
	switch {
	case err != nil:
		a.log.WarnContext(ctx, "case live state", "case", id, "err", err)
		d.LiveError = "Temporal did not answer: the data shown is Postgres's"
	case !ok:
		d.LiveError = "no workflow runs for this case"
	default:
		d.Live = &st
	}
	return d, nil
}

// visibleCase reads a case who may see and act on by action; outside the
// perimeter it is not found.
func (a *App) visibleCase(ctx context.Context, who domain.Principal, action auth.Action, id int64) (store.Case, error) {
	if err := allow(who, action); err != nil {
		return store.Case{}, err
	}
	return a.store.Case(ctx, perimeter(who), id)
}

// CommentRequest is a comment on a case; @email mentions in the text are
// found as well as those listed.
type CommentRequest struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions"`
}

var mentionPattern = regexp.MustCompile(`(?:^|\s)@([a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})`)

// CaseDiscussion is a case without its live state: its facts and its
// comments (what the case page's discussion shows, fetched again when it changes).
func (a *App) CaseDiscussion(ctx context.Context, who domain.Principal, id int64) (CaseDetail, error) {
	k, err := a.visibleCase(ctx, who, auth.CasesRead, id)
	if err != nil {
		return CaseDetail{}, err
	}
	d := CaseDetail{Case: k}
	if d.Comments, err = a.store.CaseComments(ctx, id); err != nil {
		return d, err
	}
	d.Attachments, err = a.store.CaseAttachments(ctx, id)
	return d, err
}

// CommentCase records a comment visible to everyone with access to the
// case, journaled, and tells the case's workflow (addNote: the one path of
// comments and attachments).
func (a *App) CommentCase(ctx context.Context, who domain.Principal, id int64, req CommentRequest) (store.CaseComment, error) {
	note, err := a.addNote(ctx, who, id, req, nil)
	if err != nil || note.Comment == nil {
		return store.CaseComment{}, err
	}
	return *note.Comment, nil
}

// addNote records what one post adds to a case's discussion inside who's
// perimeter: a comment (its text and @mentions checked) and files already
// validated, in one transaction; then tells the case's workflow once, as a
// comment (flow.CaseComment), so the SLA and notifications follow.
func (a *App) addNote(ctx context.Context, who domain.Principal, id int64, req CommentRequest, files []store.NewAttachment) (store.AddedCaseNote, error) {
	k, err := a.visibleCase(ctx, who, auth.CasesComment, id)
	if err != nil {
		return store.AddedCaseNote{}, err
	}
	body := strings.TrimSpace(req.Text)
	switch {
	case body == "" && len(files) == 0:
		return store.AddedCaseNote{}, domain.FieldError("text", "required")
	case utf8.RuneCountInString(body) > maxCaseText:
		return store.AddedCaseNote{}, domain.FieldError("text", "at most %d characters", maxCaseText)
	case body == "" && len(req.Mentions) > 0:
		return store.AddedCaseNote{}, domain.FieldError("text", "required to mention someone")
	case !storable(body):
		return store.AddedCaseNote{}, domain.FieldError("text", "contains a NUL character or invalid UTF-8")
	}
	for _, m := range req.Mentions {
		if !storable(m) {
			return store.AddedCaseNote{}, domain.FieldError("mentions", "contains a NUL character or invalid UTF-8")
		}
	}
	var mentions []string
	for _, m := range req.Mentions {
		mentions = append(mentions, strings.ToLower(strings.TrimSpace(strings.TrimPrefix(m, "@"))))
	}
	for _, m := range mentionPattern.FindAllStringSubmatch(strings.ToLower(body), -1) {
		mentions = append(mentions, strings.TrimRight(m[1], "."))
	}
	slices.Sort(mentions)
	mentions = slices.Compact(mentions)
	note, err := a.store.AddCaseNote(ctx, id, store.CaseNote{Author: who.Actor(), Body: body, Mentions: mentions, Files: files})
	if err != nil {
		return note, err
	}
	if note.Comment != nil && who.UserID != 0 {
		a.tellPortalReply(ctx, id, *note.Comment)
	}
	a.turnConversation(ctx, k, who, note)
	if a.flow != nil {
		sig := flow.CaseComment{Author: who.Actor()}
		if note.Comment != nil {
			sig.CommentID, sig.Mentions = note.Comment.ID, note.Comment.Mentions
		}
		for _, at := range note.Attachments {
			sig.Attachments = append(sig.Attachments, at.ID)
		}
		if err := a.flow.CommentCase(ctx, id, sig); err != nil {
			a.log.WarnContext(ctx, "signal case comment", "case", id, "err", err)
		}
	}
	return note, nil
}

// turnConversation moves a customer message case's SLA clock with the
// conversation: the team's answer that the customer reads (in the portal
// thread and by email: tellPortalReply) leaves the next move to the
// customer, so the case waits for them (clock paused); the customer's next
// word in the portal opens it again (an email reply does so in afterReply).
// A failure is logged: the comment is recorded, and the status can be set by hand.
func (a *App) turnConversation(ctx context.Context, k store.Case, who domain.Principal, note store.AddedCaseNote) {
	if k.Type != domain.CaseCustomerMessage || note.Comment == nil {
		return
	}
	c := store.CaseStatusChange{CaseID: k.ID, By: who.Actor()}
	switch {
	case who.UserID != 0 && k.Source == "portal" && k.Status == domain.CaseOpen:
		c.Status, c.Reason = domain.CaseWaitingCustomer, "the team answered the customer"
	case isPortalActor(who.Actor()) && k.Status == domain.CaseWaitingCustomer:
		c.Status, c.Reason = domain.CaseOpen, "the customer replied in the portal"
	default:
		return
	}
	if err := a.changeCaseStatus(ctx, c); err != nil {
		a.log.WarnContext(ctx, "case status after a message", "case", k.ID, "status", c.Status, "err", err)
	}
}

// storable: Postgres can store it as text (valid UTF-8, no NUL); the JSON
// API refuses the rest already, a multipart form or an e-mail does not.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// RouteRequest sends a case to another department, and an owner there ("": its queue).
type RouteRequest struct {
	Department string `json:"department"`
	OwnerEmail string `json:"owner_email"`
	Reason     string `json:"reason"`
}

// RouteCase re-routes an open case, journaled with who and why, and tells
// its workflow (its search attributes follow).
func (a *App) RouteCase(ctx context.Context, who domain.Principal, id int64, req RouteRequest) (store.Case, error) {
	if _, err := a.visibleCase(ctx, who, auth.CasesDecide, id); err != nil {
		return store.Case{}, err
	}
	r := store.CaseRoute{CaseID: id, Department: domain.Department(req.Department),
		OwnerEmail: strings.ToLower(strings.TrimSpace(req.OwnerEmail)), By: who.Actor()}
	var errs []error
	if req.Department == "" {
		errs = append(errs, domain.FieldError("department", "required: want %s", domain.Choices(domain.CaseDepartments)))
	} else {
		errs = append(errs, oneOf("department", r.Department, domain.CaseDepartments))
	}
	reason, err := caseReason(req.Reason)
	r.Reason = reason
	errs = append(errs, err)
	if err := domain.Invalid(errs...); err != nil {
		return store.Case{}, err
	}
	if err := a.store.RouteCase(ctx, r); err != nil {
		return store.Case{}, err
	}
	if a.flow != nil {
		if err := a.flow.RoutedCase(ctx, id, flow.CaseRouted{Department: r.Department, Owner: r.OwnerEmail, By: r.By}); err != nil {
			a.log.WarnContext(ctx, "signal case routed", "case", id, "err", err)
		}
	}
	return a.store.Case(ctx, store.Everything, id)
}

func caseReason(v string) (string, error) {
	r := strings.TrimSpace(v)
	switch {
	case r == "":
		return "", domain.FieldError("reason", "required: say why")
	case utf8.RuneCountInString(r) > maxCaseText:
		return "", domain.FieldError("reason", "at most %d characters", maxCaseText)
	}
	return r, nil
}

// DecideRequest decides a case. A partly accepted dispute gives the
// accepted credit note of each of its invoices.
type DecideRequest struct {
	Decision    string       `json:"decision"`
	Reason      string       `json:"reason"`
	CreditNotes []CreditNote `json:"credit_notes"`
}

// CreditNote is the credit note accepted for one disputed invoice, in its currency's minor units.
type CreditNote struct {
	InvoiceID int64 `json:"invoice_id"`
	Minor     int64 `json:"credit_note_minor"`
}

// DecidedCase is a decision just recorded and what it did.
type DecidedCase struct {
	store.DecidedCase
	Woken Woken
	// CustomerEmailed: a rejection's reason is on its way to the customer's
	// contact, in their language (its CustomerNotice workflow runs: the email
	// goes out once, journaled, retried through outages).
	CustomerEmailed bool
	// CustomerTold says how the customer learns of a rejection ("" for other decisions).
	CustomerTold string
}

// DecideCase records the decision on an open case through its workflow (a
// validated update: the SLA clock stops, the reopening window begins), or,
// when no workflow runs, directly. A dispute rejected or withdrawn has its
// invoices dunned again; accepted (fully or partly), its credit notes are
// recorded for the ERP and the invoices wait for them (the import that
// brings them lifts the hold: Import); a credit limit request approved
// changes the customer's limit (credit managers only). The account's Dunning
// workflow is woken.
func (a *App) DecideCase(ctx context.Context, who domain.Principal, id int64, req DecideRequest) (DecidedCase, error) {
	k, err := a.visibleCase(ctx, who, auth.CasesDecide, id)
	if err != nil {
		return DecidedCase{}, err
	}
	d, err := caseDecision(who, k, req)
	if err != nil {
		return DecidedCase{}, err
	}
	var out DecidedCase
	if out.DecidedCase, err = a.recordDecision(ctx, d); err != nil {
		return out, err
	}
	if _, ok := PlanRequestOf(k); ok && d.Decision == domain.DecisionRefused {
		a.tellPlanDecision(ctx, k, d)
	}
	if k.Type == domain.CaseDispute {
		out.Woken = a.AccountsChanged(ctx, Change{CustomerIDs: []int64{k.CustomerID}})
	}
	if d.Decision == domain.DecisionRejected {
		out.CustomerEmailed, out.CustomerTold = a.tellRejection(ctx, k)
	}
	return out, nil
}

// recordDecision records a checked decision through the case's workflow (a
// validated update), or directly when no workflow runs, by the same rule.
func (a *App) recordDecision(ctx context.Context, d store.CaseDecision) (store.DecidedCase, error) {
	if a.flow != nil {
		out, running, err := a.flow.DecideCase(ctx, d)
		if err != nil || running {
			return out, err
		}
	}
	return a.store.DecideCase(ctx, d)
}

// tellRejection starts the email that gives the customer's contact a
// rejected dispute's reason, in their language (CustomerNotice, kind
// flow.NoticeDisputeRejected: one per round of the case, so a case reopened
// and rejected again is answered again, and each answer goes out once). It
// says whether it is on its way, and how the customer learns of the rejection.
func (a *App) tellRejection(ctx context.Context, k store.Case) (bool, string) {
	const later = "; it goes out when Temporal is back"
	if a.flow == nil {
		return false, "not emailed yet: this process has no Temporal connection" + later
	}
	if err := a.startRejection(ctx, k.ID, k.CustomerID, k.Reopened); err != nil {
		a.log.ErrorContext(ctx, "start the dispute's rejection email", "case", k.ID, "err", err)
		return false, "not emailed yet: Temporal did not take the email (" + err.Error() + ")" + later
	}
	return true, "emailed to the customer's contact in their language (" + flow.DisputeRejectedWorkflowID(k.ID, k.Reopened) + ")"
}

// MayDecide reports whether who may decide a case of type t: those who may
// decide cases (auth.CasesDecide), and for a credit limit request only
// credit managers (and admins). The pages ask it to show the decision form.
func MayDecide(who domain.Principal, t domain.CaseType) bool {
	if !auth.Allows(who, auth.CasesDecide) {
		return false
	}
	return t != domain.CaseCreditLimitRequest || who.Role == domain.RoleAdmin || who.Role == domain.RoleCreditManager
}

// DecisionsFor lists the decisions a case takes through DecideCase: its
// type's, except that a customer message is done, and one that proposes a
// payment plan is refused (it is approved by AcceptPlanRequest, which
// records the plan, and is not left unanswered as done).
func DecisionsFor(k store.Case) []domain.Decision {
	if k.Type != domain.CaseCustomerMessage {
		return domain.Decisions[k.Type]
	}
	if _, plan := PlanRequestOf(k); plan {
		return []domain.Decision{domain.DecisionRefused}
	}
	return []domain.Decision{domain.DecisionDone}
}

// caseDecision checks a decision against the case, each error on its field.
func caseDecision(who domain.Principal, k store.Case, req DecideRequest) (store.CaseDecision, error) {
	d := store.CaseDecision{CaseID: k.ID, Decision: domain.Decision(req.Decision), By: who.Actor()}
	allowed := DecisionsFor(k)
	if !MayDecide(who, k.Type) {
		return d, domain.Errorf(domain.CodeForbidden, "the %s role may not decide a credit limit request: credit managers do", who.Role)
	}
	var errs []error
	_, plan := PlanRequestOf(k)
	switch {
	case req.Decision == "":
		errs = append(errs, domain.FieldError("decision", "required: want %s", domain.Choices(allowed)))
	case plan && d.Decision == domain.DecisionApproved:
		errs = append(errs, domain.FieldError("decision", "a payment plan request is approved by accepting the plan "+
			"(POST /cases/%d/accept-plan), which records it; else it is refused", k.ID))
	case !slices.Contains(allowed, d.Decision):
		errs = append(errs, domain.FieldError("decision", "%q: this %s may be %s", req.Decision, k.Type, domain.Choices(allowed)))
	}
	reason, err := caseReason(req.Reason)
	d.Reason = reason
	errs = append(errs, err)
	switch {
	case d.Decision == domain.DecisionPartlyAccepted:
		d.CreditNotes = map[int64]int64{}
		for _, c := range req.CreditNotes {
			d.CreditNotes[c.InvoiceID] = c.Minor
		}
		for _, ci := range k.Invoices {
			c, ok := d.CreditNotes[ci.InvoiceID]
			switch {
			case !ok:
				errs = append(errs, domain.FieldError("credit_notes", "invoice %s: the accepted credit note is required", ci.Number))
			case c < 0 || c > ci.Disputed.Minor:
				errs = append(errs, domain.FieldError("credit_notes", "invoice %s: the credit note must be between 0 and the disputed %s",
					ci.Number, ci.Disputed))
			}
		}
		if len(d.CreditNotes) != len(k.Invoices) {
			errs = append(errs, domain.FieldError("credit_notes", "one credit note per invoice of the dispute, and only those"))
		}
	case len(req.CreditNotes) > 0:
		errs = append(errs, domain.FieldError("credit_notes", "only a partly accepted dispute gives credit notes"))
	}
	return d, domain.Invalid(errs...)
}

// StatusRequest puts an open case waiting for the customer (its SLA clock
// stops) or back to open.
type StatusRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// SetCaseStatus changes an open case's status through its workflow, or
// directly when none runs.
func (a *App) SetCaseStatus(ctx context.Context, who domain.Principal, id int64, req StatusRequest) (store.Case, error) {
	if _, err := a.visibleCase(ctx, who, auth.CasesDecide, id); err != nil {
		return store.Case{}, err
	}
	c := store.CaseStatusChange{CaseID: id, Status: domain.CaseStatus(req.Status), By: who.Actor()}
	var errs []error
	if c.Status != domain.CaseOpen && c.Status != domain.CaseWaitingCustomer {
		errs = append(errs, domain.FieldError("status", "%q: want open or waiting_customer", req.Status))
	}
	reason, err := caseReason(req.Reason)
	c.Reason = reason
	errs = append(errs, err)
	if err := domain.Invalid(errs...); err != nil {
		return store.Case{}, err
	}
	if err := a.changeCaseStatus(ctx, c); err != nil {
		return store.Case{}, err
	}
	return a.store.Case(ctx, store.Everything, id)
}

// changeCaseStatus moves the SLA clock of a case: through its workflow when
// it runs, else directly, by the same rule.
func (a *App) changeCaseStatus(ctx context.Context, c store.CaseStatusChange) error {
	running := false
	if a.flow != nil {
		var err error
		if running, err = a.flow.SetCaseStatus(ctx, c); err != nil {
			return err
		}
	}
	if !running {
		return a.store.SetCaseStatus(ctx, c)
	}
	return nil
}

// ReopenRequest reopens a decided case.
type ReopenRequest struct {
	Reason string `json:"reason"`
}

// ReopenCase reopens a decided case within its window (flow.CaseReopenWindow):
// its decision is undone (a dispute's invoices are disputed again, the holds
// its acceptance put are lifted) and the SLA clock starts afresh. After the
// window the case is closed: a conflict. The account is woken.
func (a *App) ReopenCase(ctx context.Context, who domain.Principal, id int64, req ReopenRequest) (store.Case, error) {
	k, err := a.visibleCase(ctx, who, auth.CasesDecide, id)
	if err != nil {
		return store.Case{}, err
	}
	reason, err := caseReason(req.Reason)
	if err != nil {
		return store.Case{}, err
	}
	running := false
	if a.flow != nil {
		if running, err = a.flow.ReopenCase(ctx, id, flow.CaseReopenRequest{Reason: reason, By: who.Actor()}); err != nil {
			return store.Case{}, err
		}
	}
	if !running {
		// No workflow: it closed the case when the window passed, or this
		// process has no Temporal (then the window is checked here).
		if k.Status != domain.CaseDecided || k.DecidedAt == nil || time.Since(*k.DecidedAt) > flow.CaseReopenWindow {
			return store.Case{}, domain.Errorf(domain.CodeConflict, "case %d is %s: only a decided case can be reopened, within %d days",
				id, k.Status, int(flow.CaseReopenWindow/(24*time.Hour)))
		}
		if err := a.store.ReopenCase(ctx, store.CaseReopen{CaseID: id, Reason: reason, By: who.Actor(), Round: k.Reopened + 1}); err != nil {
			return store.Case{}, err
		}
	}
	out, err := a.store.Case(ctx, store.Everything, id)
	if err != nil {
		return store.Case{}, err
	}
	if running {
		a.paid(ctx, store.OutboxCaseStart, id, out.Reopened) // the running workflow reopened in place
	} else if a.flow != nil {
		a.startCase(ctx, out) // the SLA clock of the new round
	}
	if k.Type == domain.CaseDispute {
		a.AccountsChanged(ctx, Change{CustomerIDs: []int64{k.CustomerID}})
	}
	return out, nil
}

// CaseRouting answers the routing table and the departments' managers.
func (a *App) CaseRouting(ctx context.Context, who domain.Principal) (store.CaseRouting, error) {
	if err := allow(who, auth.CasesRead); err != nil {
		return store.CaseRouting{}, err
	}
	return a.store.CaseRouting(ctx)
}

// ReplaceCaseRouting replaces the routing table (and sets the managers of
// the departments listed), journaled. New cases follow it; open ones keep
// their route until re-routed.
func (a *App) ReplaceCaseRouting(ctx context.Context, who domain.Principal, r store.CaseRouting) (store.CaseRouting, error) {
	if err := allow(who, auth.CaseRoutingWrite); err != nil {
		return store.CaseRouting{}, err
	}
	var errs []error
	for i, rule := range r.Rules {
		at := func(f string) string { return "rules[" + itoa(int64(i)) + "]." + f }
		rule.OwnerEmail = strings.ToLower(strings.TrimSpace(rule.OwnerEmail))
		r.Rules[i] = rule
		if !slices.Contains(domain.CaseTypes, rule.Type) {
			errs = append(errs, domain.FieldError(at("type"), "%q: want %s", rule.Type, domain.Choices(domain.CaseTypes)))
		}
		if !slices.Contains(domain.CaseDepartments, rule.Department) {
			errs = append(errs, domain.FieldError(at("department"), "%q: want %s", rule.Department, domain.Choices(domain.CaseDepartments)))
		}
		if reasons := routingReasons(rule.Type); rule.Reason != "" && !slices.Contains(reasons, rule.Reason) {
			errs = append(errs, domain.FieldError(at("reason"), "%q: want \"\" (any) or one of %s", rule.Reason, strings.Join(reasons, ", ")))
		}
	}
	for i, d := range r.Departments {
		r.Departments[i].ManagerEmail = strings.ToLower(strings.TrimSpace(d.ManagerEmail))
		if !slices.Contains(domain.CaseDepartments, d.Department) {
			errs = append(errs, domain.FieldError("departments["+itoa(int64(i))+"].department", "%q: want %s", d.Department,
				domain.Choices(domain.CaseDepartments)))
		}
	}
	if err := domain.Invalid(errs...); err != nil {
		return store.CaseRouting{}, err
	}
	return a.store.ReplaceCaseRouting(ctx, r, who.Actor())
}

// routingReasons are the reasons a routing rule of type t may name.
func routingReasons(t domain.CaseType) []string {
	switch t {
	case domain.CaseDispute:
		return domain.DisputeReasons
	case domain.CaseDataChangeRequest:
		return domain.DataChangeFields
	}
	return nil
}

// CaseHistory is the compliance timeline of one case: its journal entries
// and its workflow's history. Every read is itself journaled.
func (a *App) CaseHistory(ctx context.Context, who domain.Principal, id int64) (History, error) {
	k, err := a.visibleCase(ctx, who, auth.HistoryRead, id)
	if err != nil {
		return History{}, err
	}
	h := History{CustomerID: k.CustomerID}
	if err := a.store.Append(ctx, store.Entry{Actor: who.Actor(), Action: "case.history.view", Target: store.CaseTarget(id)}); err != nil {
		return h, err
	}
	rows, err := a.store.CaseJournal(ctx, id, store.MaxHistoryRows)
	if err != nil {
		return h, err
	}
	h.Truncated = len(rows) == store.MaxHistoryRows
	journal := journalEntries(rows)
	runs, status := a.runsOf(ctx, flow.CaseWorkflowID(id))
	h.Workflow = status
	h.Entries = history.Merge(journal, runs)
	if h.Entries == nil {
		h.Entries = []history.Entry{}
	}
	return h, nil
}
