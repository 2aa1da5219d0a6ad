package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// Desk is the agents' desk settings of a deployment.
type Desk struct {
	ReportingCurrency money.Currency // the worklist converts overdue amounts into it
	NoAnswerDelay     int            // business days before a call nobody answered comes back
	NoAnswerTries     int            // calls nobody answered before the credit manager gets an escalation
	PaidClaimCheck    int            // days after a "paid" claim before a task checks for the payment
}

// DefaultDesk is the desk without settings: EUR, 2 business days, 3 tries, 3 days.
var DefaultDesk = Desk{ReportingCurrency: money.MustCurrency("EUR"), NoAnswerDelay: 2, NoAnswerTries: 3, PaidClaimCheck: 3}

// ParseDesk reads the desk settings from their configuration text.
func ParseDesk(reportingCurrency, paidClaimCheckDays string) (Desk, error) {
	d := DefaultDesk
	c, err := money.ParseCurrency(reportingCurrency)
	if err != nil {
		return d, fmt.Errorf("reporting currency: %w", err)
	}
	d.ReportingCurrency = c
	if paidClaimCheckDays != "" {
		n, err := strconv.Atoi(paidClaimCheckDays)
		if err != nil || n < 1 || n > 60 {
			return d, fmt.Errorf("paid claim check days %q: want 1 to 60", paidClaimCheckDays)
		}
		d.PaidClaimCheck = n
	}
	return d, nil
}

// Option changes how New builds the use cases.
type Option func(*App)

// WithDesk sets the desk settings (DefaultDesk otherwise).
func WithDesk(d Desk) Option { return func(a *App) { a.desk = d } }

// WorklistQuery is whose open tasks to rank: the caller's by default; Team
// is every open task inside the caller's perimeter (a credit manager's team,
// an agent's portfolio); Agent (an email) is someone else's, for the roles
// that oversee others (not agents, sales reps or departments).
type WorklistQuery struct {
	Agent      string
	Team       bool
	Role, Kind string
	CustomerID *int64
	Overdue    *bool
	domain.Page
}

// WorklistRow is an open task with its priority score and why it ranks there.
type WorklistRow struct {
	store.WorklistRow
	Reason string
}

// Worklist is the open tasks, highest priority first (README, "Worklist"):
// the caller's own, or for a credit manager (and an admin) an agent's or the team's.
func (a *App) Worklist(ctx context.Context, who domain.Principal, q WorklistQuery) ([]WorklistRow, int64, error) {
	if err := allow(who, auth.TasksRead); err != nil {
		return nil, 0, err
	}
	f := store.WorklistFilter{AssigneeEmail: who.Email, Role: domain.Assignee(q.Role), Kind: domain.TaskKind(q.Kind),
		CustomerID: q.CustomerID, Overdue: q.Overdue, Reporting: a.desk.ReportingCurrency, Now: time.Now().UTC(), Page: q.Page}
	switch {
	case q.Team:
		f.AssigneeEmail = ""
	case q.Agent != "" && q.Agent != who.Email:
		if !SeesOthersWorklists(who) {
			return nil, 0, domain.FieldError("agent", "you see your own worklist, not another person's")
		}
		f.AssigneeEmail = q.Agent
	}
	if err := domain.Invalid(oneOf("kind", f.Kind, domain.TaskKinds), oneOf("role", f.Role, domain.TaskRoles)); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Rates, err = a.store.RatesTo(ctx, a.desk.ReportingCurrency.Code(), dunning.DateOf(f.Now)); err != nil {
		return nil, 0, err
	}
	rows, total, err := a.store.Worklist(ctx, perimeter(who), f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]WorklistRow, len(rows))
	for i, r := range rows {
		out[i] = WorklistRow{WorklistRow: r, Reason: Reason(r)}
	}
	return out, total, nil
}

// Reason says in a line why a task ranks where it does: each part of its
// score with the fact behind it, in the formula's order (README, "Worklist").
func Reason(r store.WorklistRow) string {
	var parts []string
	switch {
	case r.Overdue.Minor == 0:
		parts = append(parts, "nothing overdue")
	case r.OverdueReporting == nil:
		parts = append(parts, fmt.Sprintf("%s overdue (no rate to the reporting currency: ranked by the unconverted amount) %+.2f", r.Overdue, r.AmountPoints))
	case r.OverdueReporting.Currency == r.Overdue.Currency:
		parts = append(parts, fmt.Sprintf("%s overdue %+.2f", r.Overdue, r.AmountPoints))
	default:
		parts = append(parts, fmt.Sprintf("%s overdue (%s at the rate of %s) %+.2f", r.Overdue, r.OverdueReporting, r.RateOn, r.AmountPoints))
	}
	parts = append(parts, fmt.Sprintf("%d days overdue %+.2f", r.DaysOverdue, r.DaysPoints))
	if r.RiskPoints != 0 {
		parts = append(parts, fmt.Sprintf("risk %s %+.2f", r.RiskClass, r.RiskPoints))
	}
	if r.BrokenPromises != 0 {
		parts = append(parts, fmt.Sprintf("%d broken promises %+.2f", r.BrokenPromises, r.PromisePoints))
	}
	switch {
	case r.DuePoints > 0:
		parts = append(parts, fmt.Sprintf("task past due %+.2f", r.DuePoints))
	case r.DuePoints < 0:
		parts = append(parts, fmt.Sprintf("task due later %+.2f", r.DuePoints))
	}
	return fmt.Sprintf("score %.2f: %s", r.Score, strings.Join(parts, ", "))
}

// ClaimTask makes the caller the task's assignee. An agent or a sales rep
// takes the tasks of their own role; a credit manager or an admin any task.
func (a *App) ClaimTask(ctx context.Context, who domain.Principal, id int64) (int64, error) {
	if err := allow(who, auth.TasksClose); err != nil {
		return 0, err
	}
	anyRole := who.Role == domain.RoleCreditManager || who.Role == domain.RoleAdmin
	role := domain.Role(perimeterRole(who))
	return a.store.ClaimTask(ctx, perimeter(who), id, who.UserID, role, anyRole, who.Actor())
}

// perimeterRole is the assignee role the caller's own tasks carry.
func perimeterRole(who domain.Principal) domain.Assignee {
	if who.Role == domain.RoleDepartment {
		return who.Department.Assignee()
	}
	return domain.Assignee(who.Role)
}

// Completion is the outcome of the work done on a task, with the fields
// its outcome needs (the API's JSON names).
type Completion struct {
	Outcome    string    // one of domain.Outcomes
	Note       string    // required for dispute and other
	Channel    string    // wrong_contact: the channel that failed (email, sms, voice)
	PaidOn     string    // paid_claimed: the date the customer says they paid (YYYY-MM-DD)
	Reference  string    // paid_claimed: their payment reference
	CallbackAt time.Time // callback: when to call back
	// DisputeReason is the reason code of the dispute a dispute opens
	// (domain.DisputeReasons; "" is other).
	DisputeReason string
	// promise: the promise to pay made on the call (RecordPromise's fields;
	// Currency defaults to the customer's, Source to "call", Note to the task's note).
	Promise PromiseRequest
}

// CompletedTask is what completing a task did.
type CompletedTask struct {
	ID         int64
	CustomerID int64
	Outcome    domain.Outcome
	FollowUps  []int64        // tasks created by the outcome
	Disputed   []int64        // invoices put on hold
	Case       *OpenedCase    // the dispute case opened on them (outcome dispute)
	Held       []int64        // invoices held while a claimed payment is checked (paid_claimed)
	Promise    *store.Promise // the promise recorded (outcome promise)
	Woken      Woken
}

// SeesOthersWorklists says whether who may open another person's worklist:
// agents, sales reps and departments see their own only.
func SeesOthersWorklists(who domain.Principal) bool {
	return who.Role != domain.RoleAgent && who.Role != domain.RoleSalesRep && who.Role != domain.RoleDepartment
}

// CompleteTask records the outcome of a task and does what it implies
// (README, "Worklist"), then wakes the account:
//   - promise: the promise to pay is recorded by RecordPromise's rule, in the
//     task's transaction: refused, the task stays open;
//   - no_answer: the call comes back NoAnswerDelay business days later (the
//     customer's country's calendar), up to NoAnswerTries calls in a row;
//     then an escalation for the credit manager;
//   - wrong_contact: the contact that failed (email, or the phone for a text
//     or a call) is marked invalid, so reminders skip that channel until an
//     import or an agent fixes it, and a task asks the agent to fix it;
//   - dispute: a dispute case (OpenCase's rule, source task) is opened on
//     the task's open invoices in the task's transaction: they are disputed,
//     which the planner holds; its Case workflow starts after the commit;
//   - paid_claimed: the task's invoices are held PaidClaimCheck days (their
//     reminders wait; dunning resumes after unless the payment arrived), and
//     a task checks for the payment then;
//   - callback: a new call task at that time;
//   - other: the note.
func (a *App) CompleteTask(ctx context.Context, who domain.Principal, id int64, in Completion) (CompletedTask, error) {
	if err := allow(who, auth.TasksClose); err != nil {
		return CompletedTask{}, err
	}
	now := time.Now().UTC()
	outcome, detail, err := a.validateCompletion(in, now)
	if err != nil {
		return CompletedTask{}, err
	}
	if outcome == domain.OutcomePromise {
		if err := allow(who, auth.DunningControl); err != nil { // RecordPromise's permission
			return CompletedTask{}, err
		}
	}
	done, err := a.store.CompleteTask(ctx, perimeter(who), id, who.Actor(), func(t store.OpenTask) (store.Completion, error) {
		c, err := a.decide(t, outcome, in, detail, now)
		if err != nil || outcome != domain.OutcomePromise {
			return c, err
		}
		req := in.Promise
		if req.Currency == "" {
			req.Currency = t.Currency
		}
		if req.Source == "" {
			req.Source = "call"
		}
		if strings.TrimSpace(req.Note) == "" {
			req.Note = in.Note
		}
		np, err := newPromise(who, t.CustomerID, req)
		if err != nil {
			return c, err
		}
		c.Promise = &np
		c.Detail["amount_minor"], c.Detail["currency"], c.Detail["date"] = np.Amount.Minor, np.Amount.Currency.Code(), np.Date
		c.Resolution = fmt.Sprintf("promise: %s by %s", np.Amount, np.Date)
		if np.Note != "" {
			c.Resolution += ": " + np.Note
		}
		return c, nil
	})
	if err != nil {
		return CompletedTask{}, err
	}
	out := CompletedTask{ID: id, CustomerID: done.CustomerID, Outcome: outcome, FollowUps: done.FollowUps, Disputed: done.Disputed, Held: done.Held,
		Promise: done.Promise, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{done.CustomerID}})}
	if done.CaseID != 0 {
		// The task is completed and the case committed: a failed read only
		// leaves its workflow unstarted, which is said in the log.
		k, err := a.store.Case(ctx, store.Everything, done.CaseID)
		if err != nil {
			a.log.ErrorContext(ctx, "read the dispute case a task opened", "case", done.CaseID, "err", err)
			return out, nil
		}
		out.Case = &OpenedCase{Case: k, Started: a.startCase(ctx, k), Woken: out.Woken}
	}
	return out, nil
}

const maxNote = 2000

// validateCompletion checks the fields the outcome needs, each error on its field.
func (a *App) validateCompletion(in Completion, now time.Time) (domain.Outcome, map[string]any, error) {
	outcome := domain.Outcome(in.Outcome)
	if in.Outcome == "" {
		return "", nil, domain.FieldError("outcome", "required: want %s", domain.Choices(domain.Outcomes))
	}
	if err := oneOf("outcome", outcome, domain.Outcomes); err != nil {
		return "", nil, err
	}
	note := strings.TrimSpace(in.Note)
	detail := map[string]any{}
	if note != "" {
		detail["note"] = note
	}
	var errs []error
	if len(note) > maxNote {
		errs = append(errs, domain.FieldError("note", "longer than %d bytes", maxNote))
	}
	switch outcome {
	case domain.OutcomeDispute, domain.OutcomeOther:
		if note == "" {
			errs = append(errs, domain.FieldError("note", "required: say what the customer said"))
		}
		if outcome == domain.OutcomeDispute {
			switch reason := in.DisputeReason; {
			case reason == "":
				detail["dispute_reason"] = "other"
			case slices.Contains(domain.DisputeReasons, reason):
				detail["dispute_reason"] = reason
			default:
				errs = append(errs, domain.FieldError("dispute_reason", "%q: want %s", reason, strings.Join(domain.DisputeReasons, ", ")))
			}
		}
	case domain.OutcomeWrongContact:
		switch ch := domain.Channel(in.Channel); ch {
		case domain.ChannelEmail, domain.ChannelSMS, domain.ChannelVoice:
			detail["channel"] = ch
		case "":
			errs = append(errs, domain.FieldError("channel", "required: which contact failed (email, sms, voice)"))
		default:
			errs = append(errs, domain.FieldError("channel", "%q: want email, sms or voice", in.Channel))
		}
	case domain.OutcomePaidClaimed:
		d, err := dunning.ParseDate(strings.TrimSpace(in.PaidOn))
		switch {
		case strings.TrimSpace(in.PaidOn) == "":
			errs = append(errs, domain.FieldError("paid_on", "required: the date the customer says they paid"))
		case err != nil:
			errs = append(errs, domain.FieldError("paid_on", "%q: want a date as YYYY-MM-DD", in.PaidOn))
		case d.After(dunning.DateOf(now).AddDays(1)):
			errs = append(errs, domain.FieldError("paid_on", "%s is in the future: a payment said to be made is in the past", d))
		default:
			detail["paid_on"] = d
		}
		ref := strings.TrimSpace(in.Reference)
		switch {
		case ref == "":
			errs = append(errs, domain.FieldError("reference", "required: the payment's reference, to find it"))
		case len(ref) > 200:
			errs = append(errs, domain.FieldError("reference", "longer than 200 bytes"))
		default:
			detail["reference"] = ref
		}
	case domain.OutcomeCallback:
		switch {
		case in.CallbackAt.IsZero():
			errs = append(errs, domain.FieldError("callback_at", "required: when to call back"))
		case !in.CallbackAt.After(now):
			errs = append(errs, domain.FieldError("callback_at", "%s is past: want a time to come", in.CallbackAt.UTC().Format(time.RFC3339)))
		case in.CallbackAt.After(now.AddDate(1, 0, 0)):
			errs = append(errs, domain.FieldError("callback_at", "more than a year ahead"))
		default:
			detail["callback_at"] = in.CallbackAt.UTC()
		}
	}
	if err := domain.Invalid(errs...); err != nil {
		return "", nil, err
	}
	return outcome, detail, nil
}

// decide turns an outcome into what it does to the task's account.
func (a *App) decide(t store.OpenTask, outcome domain.Outcome, in Completion, detail map[string]any, now time.Time) (store.Completion, error) {
	c := store.Completion{Outcome: outcome, Detail: detail, Resolution: string(outcome)}
	if note, ok := detail["note"].(string); ok {
		c.Resolution += ": " + note
	}
	key := fmt.Sprintf("task/%d/%s", t.ID, outcome)
	same := store.Task{Key: key, Kind: domain.TaskCall, AssigneeRole: t.AssigneeRole, AssigneeID: t.AssigneeID, InvoiceIDs: t.InvoiceIDs}
	switch outcome {
	case domain.OutcomeNoAnswer:
		tries := t.Attempts + 1
		c.Detail["attempt"] = tries
		if tries >= a.desk.NoAnswerTries {
			c.FollowUps = append(c.FollowUps, store.Task{Key: key, Kind: domain.TaskEscalation, AssigneeRole: domain.AssigneeCreditManager,
				InvoiceIDs: t.InvoiceIDs, DueAt: now, Attempts: tries,
				Note: fmt.Sprintf("nobody answered %d calls in a row (task %d)", tries, t.ID)})
			break
		}
		same.DueAt, same.Attempts = noAnswerAgain(t, now, a.desk.NoAnswerDelay), tries
		same.Note = fmt.Sprintf("call again: nobody answered %d time(s) (task %d)", tries, t.ID)
		c.FollowUps = append(c.FollowUps, same)
	case domain.OutcomeWrongContact:
		c.InvalidContact = store.ContactEmail
		if in.Channel != string(domain.ChannelEmail) {
			c.InvalidContact = store.ContactPhone // texts and calls share the number
		}
		c.FollowUps = append(c.FollowUps, store.Task{Key: key, Kind: domain.TaskFixContact, AssigneeRole: domain.AssigneeAgent,
			InvoiceIDs: t.InvoiceIDs, DueAt: now, Note: fmt.Sprintf("the %s contact failed (task %d): correct it", in.Channel, t.ID)})
	case domain.OutcomeDispute:
		c.Dispute, c.DisputeReason = true, detail["dispute_reason"].(string)
	case domain.OutcomePaidClaimed:
		until := dunning.DateOf(now).AddDays(a.desk.PaidClaimCheck)
		c.HoldUntil = &until
		c.HoldReason = fmt.Sprintf("the customer says they paid on %s, reference %s (task %d)", detail["paid_on"], detail["reference"], t.ID)
		c.FollowUps = append(c.FollowUps, store.Task{Key: key, Kind: domain.TaskCheckPayment, AssigneeRole: t.AssigneeRole,
			AssigneeID: t.AssigneeID, InvoiceIDs: t.InvoiceIDs, DueAt: now.AddDate(0, 0, a.desk.PaidClaimCheck),
			Note: fmt.Sprintf("the customer says they paid on %s, reference %s (task %d): check the payment arrived", detail["paid_on"], detail["reference"], t.ID)})
	case domain.OutcomeCallback:
		same.DueAt = in.CallbackAt.UTC()
		same.Note = fmt.Sprintf("call back as agreed (task %d)", t.ID)
		c.FollowUps = append(c.FollowUps, same)
	}
	return c, nil
}

// noAnswerAgain is when a call nobody answered comes back: days business
// days after today in the customer's country and time zone, at the same
// local time of day.
func noAnswerAgain(t store.OpenTask, now time.Time, days int) time.Time {
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	cal, _ := dunning.NewCalendar(t.Country) // an unknown country has weekends only
	d := dunning.DateOf(local)
	for range days {
		d = cal.NextBusinessDay(d.AddDays(1))
	}
	y, m, day := d.In(loc).Date()
	return time.Date(y, m, day, local.Hour(), local.Minute(), 0, 0, loc).UTC()
}

// NewTask is a task a person asks of someone: call the customer, ask for a
// purchase order, negotiate a payment plan.
type NewTask struct {
	CustomerID    int64
	Kind          string    // one of domain.ManualTaskKinds
	AssigneeEmail string    // a person; or
	AssigneeRole  string    // a role's queue (the customer's agent or sales rep)
	DueAt         time.Time // zero: now
	Note          string
}

// CreateTask creates a task for a person or a role on a customer inside the caller's perimeter.
func (a *App) CreateTask(ctx context.Context, who domain.Principal, in NewTask) (int64, error) {
	if err := a.visibleCustomer(ctx, who, auth.TasksCreate, in.CustomerID); err != nil {
		return 0, err
	}
	kind := domain.TaskKind(in.Kind)
	note := strings.TrimSpace(in.Note)
	var errs []error
	if in.Kind == "" {
		errs = append(errs, domain.FieldError("kind", "required: want %s", domain.Choices(domain.ManualTaskKinds)))
	} else {
		errs = append(errs, oneOf("kind", kind, domain.ManualTaskKinds))
	}
	role := domain.Assignee(in.AssigneeRole)
	switch {
	case in.AssigneeEmail == "" && in.AssigneeRole == "":
		errs = append(errs, domain.FieldError("assignee_email", "required: a person's email, or an assignee_role"))
	case in.AssigneeEmail != "" && !domain.IsEmail(in.AssigneeEmail):
		errs = append(errs, domain.FieldError("assignee_email", "%q: not an email address", in.AssigneeEmail))
	case in.AssigneeRole != "" && !role.Valid():
		errs = append(errs, domain.FieldError("assignee_role", "%q is unknown: want %s", in.AssigneeRole, domain.Choices(domain.Assignees)))
	}
	if note == "" {
		errs = append(errs, domain.FieldError("note", "required: say what to do"))
	} else if len(note) > maxNote {
		errs = append(errs, domain.FieldError("note", "longer than %d bytes", maxNote))
	}
	now := time.Now().UTC()
	due := in.DueAt
	if due.IsZero() {
		due = now
	} else if due.After(now.AddDate(1, 0, 0)) {
		errs = append(errs, domain.FieldError("due_at", "more than a year ahead"))
	}
	if err := domain.Invalid(errs...); err != nil {
		return 0, err
	}
	id, _, err := a.store.CreateTask(ctx, store.Task{Key: fmt.Sprintf("manual/%s/%d", who.Actor(), now.UnixNano()),
		CustomerID: in.CustomerID, Kind: kind, AssigneeRole: role, AssigneeEmail: strings.ToLower(in.AssigneeEmail),
		DueAt: due.UTC(), Note: note, Actor: who.Actor()})
	return id, err
}
