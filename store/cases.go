package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// Case is a dispute or a request as stored, with its invoices.
type Case struct {
	ID              int64
	Type            domain.CaseType
	CustomerID      int64
	CustomerName    string
	EntityID        int64
	EntityCode      string
	Status          domain.CaseStatus
	Reason          string
	Description     string
	Details         json.RawMessage // a credit limit request's new limit, a data change's field and value
	Department      domain.Department
	OwnerID         *int64 // nil: the department's queue
	OwnerEmail      string
	Source          string
	OpenedBy        string
	OpenedAt        time.Time
	SLABusinessDays int
	SLAState        domain.SLAState
	BreachedAt      *time.Time
	Decision        domain.Decision
	DecisionReason  string
	DecidedBy       string
	DecidedAt       *time.Time
	ClosedAt        *time.Time
	Reopened        int
	// DueOn is a claim declaration's legal deadline (nil for other cases).
	DueOn    *time.Time
	Invoices []CaseInvoice
}

// CaseInvoice is one invoice of a dispute.
type CaseInvoice struct {
	InvoiceID  int64        `json:"invoice_id"`
	Number     string       `json:"number"`
	Disputed   money.Money  `json:"disputed"`
	CreditNote *money.Money `json:"credit_note,omitempty"` // accepted: for the ERP to issue
}

// CaseTarget names a case in the journal.
func CaseTarget(id int64) string { return "case/" + strconv.FormatInt(id, 10) }

// CaseSources are where a case may come from.
var CaseSources = []string{"agent", "sales", "department", "customer_reply", "portal", "task", "api", "risk"}

// NewCase is what OpenCase records.
type NewCase struct {
	Type        domain.CaseType
	CustomerID  int64
	Reason      string
	Description string
	Details     json.RawMessage
	Invoices    []NewCaseInvoice // a dispute's: at least one
	Source      string
	Actor       string
}

// NewCaseInvoice is one disputed invoice and the amount disputed
// (zero: its whole open amount).
type NewCaseInvoice struct {
	InvoiceID     int64 `json:"invoice_id"`
	DisputedMinor int64 `json:"disputed_minor"`
}

// caseCustomer locks the customer a case is opened on, inside the perimeter.
const caseCustomer = `
SELECT c.entity_id, c.currency FROM customers c WHERE c.id = @id AND ` + perimeterClause + ` FOR UPDATE OF c`

// The routing row for a case: entity-specific before any entity, then a
// reason's own before any reason.
const caseRoute = `
SELECT r.department, r.owner_id FROM case_routing r
WHERE r.type = @type AND r.reason IN (@reason, '') AND (r.entity_id IS NULL OR r.entity_id = @entity)
ORDER BY r.entity_id IS NULL, r.reason = '' LIMIT 1`

// The SLA of a case, by the same precedence as its route.
const caseSLA = `
SELECT s.business_days FROM case_sla s
WHERE s.type = @type AND s.reason IN (@reason, '') AND (s.entity_id IS NULL OR s.entity_id = @entity)
ORDER BY s.entity_id IS NULL, s.reason = '' LIMIT 1`

// DefaultCaseSLA is a case's SLA in business days when no case_sla row matches.
const DefaultCaseSLA = 10

// The dispute's invoices: the customer's, open, with something left to pay. Locked.
const disputableInvoices = `
SELECT i.id, i.number, i.open_minor, i.currency FROM invoices i
WHERE i.customer_id = @customer AND i.id = ANY (@ids) AND i.type = 'invoice' AND i.status = 'open' AND i.open_minor > 0
FOR UPDATE OF i`

const insertCase = `
INSERT INTO cases (type, customer_id, entity_id, reason, description, details, department, owner_id, source, opened_by,
                   sla_business_days)
VALUES (@type, @customer, @entity, @reason, @description, @details, @department, @owner, @source, @actor, @sla)
RETURNING id`

const insertCaseInvoice = `
INSERT INTO case_invoices (case_id, invoice_id, currency, disputed_minor) VALUES ($1, $2, $3, $4)`

// disputeCaseInvoices takes the case's invoices out of the reminders: the
// planner holds disputed invoices (and the totals still count them as open).
const disputeCaseInvoices = `
UPDATE invoices SET status = 'disputed', updated_at = now()
WHERE id IN (SELECT invoice_id FROM case_invoices WHERE case_id = $1) AND status = 'open'`

// OpenCase records a case on a customer inside per, routed by the routing
// table, with its SLA: a dispute's invoices become disputed at once (the
// planner holds them, and only them). Journaled "case.open" on the case and
// on the customer, in one transaction. Invoices not open or not the
// customer's are refused (field invoices), as is a disputed amount above an
// invoice's open amount.
func (s *Store) OpenCase(ctx context.Context, per Perimeter, nc NewCase) (Case, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) (err error) {
		id, err = openCase(ctx, tx, per, nc)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.Case(ctx, Everything, id)
}

// openCase is OpenCase inside tx: a task completed with the outcome dispute
// opens its case in the task's transaction.
func openCase(ctx context.Context, tx pgx.Tx, per Perimeter, nc NewCase) (int64, error) {
	var entity int64
	var currency string
	err := tx.QueryRow(ctx, caseCustomer, per.args(pgx.NamedArgs{"id": nc.CustomerID})).Scan(&entity, &currency)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, customerNotFound(nc.CustomerID)
	}
	if err != nil {
		return 0, err
	}
	route := pgx.NamedArgs{"type": nc.Type, "reason": nc.Reason, "entity": entity}
	department, sla := string(domain.DepartmentCreditManagement), DefaultCaseSLA
	var owner *int64
	if err := tx.QueryRow(ctx, caseRoute, route).Scan(&department, &owner); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	if err := tx.QueryRow(ctx, caseSLA, route).Scan(&sla); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	invoices, err := disputed(ctx, tx, nc)
	if err != nil {
		return 0, err
	}
	details := nc.Details
	if len(details) == 0 {
		details = json.RawMessage(`{}`)
	}
	var id int64
	err = tx.QueryRow(ctx, insertCase, pgx.NamedArgs{"type": nc.Type, "customer": nc.CustomerID, "entity": entity,
		"reason": nc.Reason, "description": nc.Description, "details": []byte(details), "department": department, "owner": owner,
		"source": nc.Source, "actor": nc.Actor, "sla": sla}).Scan(&id)
	if err != nil {
		return 0, err
	}
	for _, in := range invoices {
		if _, err := tx.Exec(ctx, insertCaseInvoice, id, in.InvoiceID, in.Disputed.Currency.Code(), in.Disputed.Minor); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, disputeCaseInvoices, id); err != nil {
		return 0, err
	}
	after, err := json.Marshal(map[string]any{"case_id": id, "type": nc.Type, "reason": nc.Reason, "department": department,
		"owner_id": owner, "invoices": invoices, "sla_business_days": sla, "source": nc.Source, "details": details})
	if err != nil {
		return 0, err
	}
	if err := notify(ctx, tx, owner, NotifyCaseAssigned, id, NotificationParams{}); err != nil {
		return 0, err
	}
	if err := owe(ctx, tx, OutboxCaseStart, id, 0); err != nil {
		return 0, err
	}
	return id, journalCase(ctx, tx, id, nc.CustomerID, nc.Actor, "case.open", after)
}

// disputed checks a dispute's invoices against the ledger; other types have none.
func disputed(ctx context.Context, tx pgx.Tx, nc NewCase) ([]CaseInvoice, error) {
	if nc.Type != domain.CaseDispute {
		if len(nc.Invoices) > 0 {
			return nil, domain.FieldError("invoices", "only a dispute names invoices")
		}
		return nil, nil
	}
	ids := make([]int64, len(nc.Invoices))
	for i, in := range nc.Invoices {
		ids[i] = in.InvoiceID
	}
	type open struct {
		number string
		minor  int64
		cur    string
	}
	rows, err := tx.Query(ctx, disputableInvoices, pgx.NamedArgs{"customer": nc.CustomerID, "ids": ids})
	if err != nil {
		return nil, err
	}
	found := map[int64]open{}
	for rows.Next() {
		var id int64
		var o open
		if err := rows.Scan(&id, &o.number, &o.minor, &o.cur); err != nil {
			return nil, err
		}
		found[id] = o
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CaseInvoice, 0, len(nc.Invoices))
	seen := map[int64]bool{}
	for _, in := range nc.Invoices {
		o, ok := found[in.InvoiceID]
		switch {
		case seen[in.InvoiceID]:
			return nil, domain.FieldError("invoices", "invoice %d is listed twice", in.InvoiceID)
		case !ok:
			return nil, domain.FieldError("invoices", "invoice %d is not an open invoice of this customer (or is disputed already)", in.InvoiceID)
		case in.DisputedMinor < 0 || in.DisputedMinor > o.minor:
			return nil, domain.FieldError("invoices", "invoice %s: the disputed amount must be between 0 and its open amount %d", o.number, o.minor)
		}
		seen[in.InvoiceID] = true
		cur, err := money.ParseCurrency(o.cur)
		if err != nil {
			return nil, err
		}
		minor := in.DisputedMinor
		if minor == 0 {
			minor = o.minor
		}
		out = append(out, CaseInvoice{InvoiceID: in.InvoiceID, Number: o.number, Disputed: money.Money{Minor: minor, Currency: cur}})
	}
	return out, nil
}

// journalCase journals action on the case and, for what the account's
// timeline shows (opening, decision), on its customer too.
func journalCase(ctx context.Context, tx pgx.Tx, caseID, customerID int64, actor, action string, after []byte) error {
	if err := Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: CaseTarget(caseID), After: after}); err != nil {
		return err
	}
	if customerID == 0 {
		return nil
	}
	return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: customerTarget(customerID), After: after})
}

const caseColumns = `k.id, k.type, k.customer_id, c.name, k.entity_id, e.code, k.status, k.reason, k.description, k.details,
       k.department, k.owner_id, coalesce(u.email, ''), k.source, k.opened_by, k.opened_at, k.sla_business_days, k.sla_state,
       k.breached_at, k.decision, k.decision_reason, k.decided_by, k.decided_at, k.closed_at, k.reopened, k.due_on`

const caseFrom = `
FROM cases k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = k.entity_id
LEFT JOIN users u ON u.id = k.owner_id`

// caseInPerimeter: the case's customer is inside the perimeter, and a
// department sees only the cases routed to it.
const caseInPerimeter = perimeterClause + ` AND (@p_department::text IS NULL OR k.department = @p_department::text)`

const getCase = `SELECT ` + caseColumns + caseFrom + ` WHERE k.id = @id AND ` + caseInPerimeter

// caseInvoices: the invoices of some cases (one, or a downloaded list's).
const caseInvoices = `
SELECT ci.case_id, ci.invoice_id, i.number, ci.currency, ci.disputed_minor, ci.credit_note_minor
FROM case_invoices ci JOIN invoices i ON i.id = ci.invoice_id
WHERE ci.case_id = ANY ($1) ORDER BY ci.case_id, ci.invoice_id`

func scanCase(r pgx.Row, more ...any) (Case, error) {
	var k Case
	err := r.Scan(append([]any{&k.ID, &k.Type, &k.CustomerID, &k.CustomerName, &k.EntityID, &k.EntityCode, &k.Status, &k.Reason,
		&k.Description, &k.Details, &k.Department, &k.OwnerID, &k.OwnerEmail, &k.Source, &k.OpenedBy, &k.OpenedAt,
		&k.SLABusinessDays, &k.SLAState, &k.BreachedAt, &k.Decision, &k.DecisionReason, &k.DecidedBy, &k.DecidedAt,
		&k.ClosedAt, &k.Reopened, &k.DueOn}, more...)...)
	return k, err
}

// Case reads one case inside per, with its invoices; outside it the case is not found.
func (s *Store) Case(ctx context.Context, per Perimeter, id int64) (Case, error) {
	k, err := scanCase(s.Pool.QueryRow(ctx, getCase, per.args(pgx.NamedArgs{"id": id})))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, caseNotFound(id)
	}
	if err != nil {
		return k, err
	}
	byCase, err := s.CasesInvoices(ctx, []int64{id})
	k.Invoices = byCase[id]
	return k, err
}

// CasesInvoices reads the invoices of the cases ids (already read inside the
// caller's perimeter), by case.
func (s *Store) CasesInvoices(ctx context.Context, ids []int64) (map[int64][]CaseInvoice, error) {
	rows, err := s.Pool.Query(ctx, caseInvoices, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]CaseInvoice{}
	for rows.Next() {
		var ci CaseInvoice
		var caseID int64
		var cur string
		var credit *int64
		if err := rows.Scan(&caseID, &ci.InvoiceID, &ci.Number, &cur, &ci.Disputed.Minor, &credit); err != nil {
			return nil, err
		}
		if ci.Disputed.Currency, err = money.ParseCurrency(cur); err != nil {
			return nil, err
		}
		if credit != nil {
			ci.CreditNote = &money.Money{Minor: *credit, Currency: ci.Disputed.Currency}
		}
		out[caseID] = append(out[caseID], ci)
	}
	return out, rows.Err()
}

func caseNotFound(id int64) error { return domain.Errorf(domain.CodeNotFound, "case %d not found", id) }

// CaseFilter narrows the list of cases; empty fields do not filter.
type CaseFilter struct {
	Type       domain.CaseType
	Status     domain.CaseStatus
	Department domain.Department
	OwnerEmail string
	CustomerID *int64
	SLAState   domain.SLAState
	domain.Page
}

// Newest first.
const listCases = `SELECT ` + caseColumns + `, count(*) OVER ()` + caseFrom + `
WHERE (@type::text IS NULL OR k.type = @type::text)
  AND (@status::text IS NULL OR k.status = @status::text)
  AND (@department::text IS NULL OR k.department = @department::text)
  AND (@owner::text IS NULL OR u.email = @owner::text)
  AND (@customer::bigint IS NULL OR k.customer_id = @customer::bigint)
  AND (@sla::text IS NULL OR k.sla_state = @sla::text)
  AND ` + caseInPerimeter + `
ORDER BY k.id DESC
LIMIT @limit OFFSET @offset`

// ListCases answers one page of the cases inside per (without their
// invoices) and how many match in all.
func (s *Store) ListCases(ctx context.Context, per Perimeter, f CaseFilter) ([]Case, int64, error) {
	rows, err := s.Pool.Query(ctx, listCases, per.args(pgx.NamedArgs{"type": nullable(string(f.Type)),
		"status": nullable(string(f.Status)), "department": nullable(string(f.Department)), "owner": nullable(f.OwnerEmail),
		"customer": f.CustomerID, "sla": nullable(string(f.SLAState)), "limit": f.Limit, "offset": f.Offset}))
	if err != nil {
		return nil, 0, err
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Case, error) { return scanCase(r, &total) })
	return list, total, err
}

// CaseComment is one message of a case's discussion.
type CaseComment struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	Mentions  []string  `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

const (
	insertCaseComment = `
INSERT INTO case_comments (case_id, author, body, mentions) VALUES ($1, $2, $3, $4)
RETURNING id, created_at`
	listCaseComments = `
SELECT id, case_id, author, body, mentions, created_at FROM case_comments WHERE case_id = $1 ORDER BY id`
	knownUsers     = `SELECT email FROM users WHERE email = ANY ($1) AND NOT disabled`
	caseOwnerEmail = `SELECT coalesce(u.email, '') FROM cases k LEFT JOIN users u ON u.id = k.owner_id WHERE k.id = $1`
)

// AddCaseComment records a comment on a case and journals "case.comment".
// Mentions must name users (field mentions).
func (s *Store) AddCaseComment(ctx context.Context, caseID int64, author, body string, mentions []string) (CaseComment, error) {
	var cm CaseComment
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) (err error) {
		cm, err = addCaseComment(ctx, tx, caseID, author, body, mentions)
		return err
	})
	return cm, err
}

// addCaseComment is AddCaseComment inside tx: the mentioned users and the
// case's owner are notified, and the comment journaled.
func addCaseComment(ctx context.Context, tx pgx.Tx, caseID int64, author, body string, mentions []string) (CaseComment, error) {
	cm := CaseComment{CaseID: caseID, Author: author, Body: body, Mentions: mentions}
	if cm.Mentions == nil {
		cm.Mentions = []string{}
	}
	if len(mentions) > 0 {
		rows, err := tx.Query(ctx, knownUsers, mentions)
		if err != nil {
			return cm, err
		}
		known, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return cm, err
		}
		for _, m := range mentions {
			if !contains(known, m) {
				return cm, domain.FieldError("mentions", "@%s is not a user", m)
			}
		}
	}
	if err := tx.QueryRow(ctx, insertCaseComment, caseID, author, body, cm.Mentions).Scan(&cm.ID, &cm.CreatedAt); err != nil {
		return cm, err
	}
	if err := notifyByEmail(ctx, tx, cm.Mentions, author, NotifyMention, caseID, NotificationParams{Actor: actorEmail(author)}); err != nil {
		return cm, err
	}
	if err := notifyCaseOwner(ctx, tx, caseID, author, cm.Mentions, ""); err != nil {
		return cm, err
	}
	after, _ := json.Marshal(map[string]any{"comment_id": cm.ID, "mentions": cm.Mentions})
	return cm, journalCase(ctx, tx, caseID, 0, author, "case.comment", after)
}

// notifyCaseOwner tells the case's owner (if any, and not the author or one
// of those already notified) about something said on their case: a
// comment, or files attached alone (their names).
func notifyCaseOwner(ctx context.Context, tx pgx.Tx, caseID int64, author string, notified []string, files string) error {
	var owner string
	if err := tx.QueryRow(ctx, caseOwnerEmail, caseID).Scan(&owner); err != nil {
		return err
	}
	if owner == "" || contains(notified, owner) {
		return nil
	}
	return notifyByEmail(ctx, tx, []string{owner}, author, NotifyCaseComment, caseID, NotificationParams{Actor: actorEmail(author), Files: files})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CaseComments lists a case's discussion, oldest first.
func (s *Store) CaseComments(ctx context.Context, caseID int64) ([]CaseComment, error) {
	rows, err := s.Pool.Query(ctx, listCaseComments, caseID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseComment, error) {
		var cm CaseComment
		err := r.Scan(&cm.ID, &cm.CaseID, &cm.Author, &cm.Body, &cm.Mentions, &cm.CreatedAt)
		return cm, err
	})
}

// CaseRoute is where a case goes: a department and an owner (nil: its queue).
type CaseRoute struct {
	CaseID     int64             `json:"case_id"`
	Department domain.Department `json:"department"`
	OwnerEmail string            `json:"owner_email,omitempty"`
	Reason     string            `json:"reason"`
	By         string            `json:"by"`
}

const (
	lockCase   = `SELECT customer_id, status, department, owner_id FROM cases WHERE id = $1 FOR UPDATE`
	ownerByKey = `SELECT id FROM users WHERE email = $1 AND NOT disabled`
	routeCase  = `UPDATE cases SET department = $2, owner_id = $3, updated_at = now() WHERE id = $1`
)

// RouteCase moves an open case to another department or owner and journals
// "case.route" with who, why, before and after. A decided or closed case is a conflict.
func (s *Store) RouteCase(ctx context.Context, r CaseRoute) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer int64
		var status, department string
		var owner *int64
		err := tx.QueryRow(ctx, lockCase, r.CaseID).Scan(&customer, &status, &department, &owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return caseNotFound(r.CaseID)
		}
		if err != nil {
			return err
		}
		if !domain.CaseStatus(status).Open() {
			return domain.Errorf(domain.CodeConflict, "case %d is %s: it cannot be re-routed", r.CaseID, status)
		}
		var newOwner *int64
		if r.OwnerEmail != "" {
			var id int64
			err := tx.QueryRow(ctx, ownerByKey, r.OwnerEmail).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return domain.FieldError("owner_email", "no user %s", r.OwnerEmail)
			}
			if err != nil {
				return err
			}
			newOwner = &id
		}
		if _, err := tx.Exec(ctx, routeCase, r.CaseID, string(r.Department), newOwner); err != nil {
			return err
		}
		if newOwner != nil && (owner == nil || *owner != *newOwner) {
			if err := notify(ctx, tx, newOwner, NotifyCaseAssigned, r.CaseID,
				NotificationParams{Actor: actorEmail(r.By), Reason: r.Reason}); err != nil {
				return err
			}
		}
		before, _ := json.Marshal(map[string]any{"department": department, "owner_id": owner})
		after, _ := json.Marshal(map[string]any{"department": r.Department, "owner_id": newOwner, "owner_email": r.OwnerEmail, "reason": r.Reason})
		return Journal(ctx, tx, Entry{Actor: r.By, Action: "case.route", Target: CaseTarget(r.CaseID), Before: before, After: after})
	})
}

// CaseStatusChange puts an open case in waiting_customer (its SLA clock
// pauses) or back to open.
type CaseStatusChange struct {
	CaseID int64             `json:"case_id"`
	Status domain.CaseStatus `json:"status"`
	Reason string            `json:"reason"`
	By     string            `json:"by"`
}

const setCaseStatus = `UPDATE cases SET status = $2, updated_at = now() WHERE id = $1`

// SetCaseStatus records an open case's new status (open or
// waiting_customer), journaled "case.status". Setting the status it has is
// harmless (a retried activity); a decided or closed case is a conflict.
func (s *Store) SetCaseStatus(ctx context.Context, c CaseStatusChange) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer int64
		var status, department string
		var owner *int64
		err := tx.QueryRow(ctx, lockCase, c.CaseID).Scan(&customer, &status, &department, &owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return caseNotFound(c.CaseID)
		}
		if err != nil {
			return err
		}
		switch {
		case domain.CaseStatus(status) == c.Status:
			return nil
		case !domain.CaseStatus(status).Open() || !c.Status.Open():
			return domain.Errorf(domain.CodeConflict, "case %d is %s: it cannot become %s", c.CaseID, status, c.Status)
		}
		if _, err := tx.Exec(ctx, setCaseStatus, c.CaseID, string(c.Status)); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"status": c.Status, "reason": c.Reason})
		return Journal(ctx, tx, Entry{Actor: c.By, Action: "case.status", Target: CaseTarget(c.CaseID), After: after})
	})
}

// CaseDecision is the decision on a case. CreditNotes, for a partly
// accepted dispute, give the accepted credit note per invoice (minor
// units); a fully accepted one credits what is disputed.
type CaseDecision struct {
	CaseID      int64           `json:"case_id"`
	Decision    domain.Decision `json:"decision"`
	Reason      string          `json:"reason"`
	CreditNotes map[int64]int64 `json:"credit_notes,omitempty"`
	By          string          `json:"by"`
}

// DecidedCase is what recording a decision did.
type DecidedCase struct {
	CaseID     int64   `json:"case_id"`
	CustomerID int64   `json:"customer_id"`
	Resumed    []int64 `json:"resumed,omitempty"` // invoices dunned again (rejected, withdrawn)
	Held       []int64 `json:"held,omitempty"`    // invoices held until their credit note is imported (accepted)
	// CreditLimit is the customer's new credit limit (an approved request), minor units.
	CreditLimit *int64 `json:"credit_limit,omitempty"`
}

const (
	lockDecidable = `
SELECT k.customer_id, k.type, k.status, k.decision, k.details, k.reopened, c.credit_limit_minor
FROM cases k JOIN customers c ON c.id = k.customer_id WHERE k.id = $1 FOR UPDATE OF k, c`
	decideCase = `
UPDATE cases SET status = 'decided', decision = $2, decision_reason = $3, decided_by = $4, decided_at = now(), updated_at = now()
WHERE id = $1`
	// resumeCaseInvoices: the disputed invoices of a rejected or withdrawn dispute are dunned again.
	resumeCaseInvoices = `
UPDATE invoices SET status = 'open', updated_at = now()
WHERE id IN (SELECT invoice_id FROM case_invoices WHERE case_id = $1) AND status = 'disputed'
RETURNING id`
	creditCaseInvoice = `UPDATE case_invoices SET credit_note_minor = $3 WHERE case_id = $1 AND invoice_id = $2`
	disputedLines     = `SELECT invoice_id, disputed_minor FROM case_invoices WHERE case_id = $1 ORDER BY invoice_id`
	setCreditLimit    = `UPDATE customers SET credit_limit_minor = $2, updated_at = now() WHERE id = $1`
)

// DecideCase records the decision on an open case, in one transaction with
// what it does, each journaled:
//   - a dispute rejected or withdrawn: its invoices are open again (dunned);
//   - accepted (fully, or partly with a credit note per invoice): the credit
//     notes are recorded for the ERP to issue, and the invoices, open again,
//     are held (invoice_holds) until the import that brings the credit note
//     lifts the hold (ReleaseCreditedHolds), so nothing is chased for what is
//     to be credited;
//   - a credit limit request approved: the customer's credit limit becomes
//     the requested one ("customer.credit_limit", before and after).
//
// The same decision again is harmless (a retried activity); another on a
// decided case is a conflict.
func (s *Store) DecideCase(ctx context.Context, d CaseDecision) (DecidedCase, error) {
	out := DecidedCase{CaseID: d.CaseID}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var typ, status, decision string
		var details []byte
		var round int
		var limit *int64
		err := tx.QueryRow(ctx, lockDecidable, d.CaseID).Scan(&out.CustomerID, &typ, &status, &decision, &details, &round, &limit)
		if errors.Is(err, pgx.ErrNoRows) {
			return caseNotFound(d.CaseID)
		}
		if err != nil {
			return err
		}
		switch {
		case domain.Decision(decision) == d.Decision && status == string(domain.CaseDecided):
			return nil // a retry of a decision that committed
		case !domain.CaseStatus(status).Open():
			return domain.Errorf(domain.CodeConflict, "case %d is %s already", d.CaseID, status)
		}
		if _, err := tx.Exec(ctx, decideCase, d.CaseID, string(d.Decision), d.Reason, d.By); err != nil {
			return err
		}
		if d.Decision == domain.DecisionRejected && domain.CaseType(typ) == domain.CaseDispute {
			// the customer is told why, in their language, once per round
			if err := owe(ctx, tx, OutboxRejectionNotice, d.CaseID, round); err != nil {
				return err
			}
		}
		switch d.Decision {
		case domain.DecisionRejected, domain.DecisionWithdrawn:
			rows, err := tx.Query(ctx, resumeCaseInvoices, d.CaseID)
			if err != nil {
				return err
			}
			if out.Resumed, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
				return err
			}
		case domain.DecisionAccepted, domain.DecisionPartlyAccepted:
			if err := acceptDispute(ctx, tx, d, &out); err != nil {
				return err
			}
		case domain.DecisionApproved:
			if domain.CaseType(typ) == domain.CaseCreditLimitRequest {
				var req struct {
					NewLimitMinor *int64 `json:"new_limit_minor"`
				}
				if err := json.Unmarshal(details, &req); err != nil || req.NewLimitMinor == nil {
					return fmt.Errorf("case %d: no new_limit_minor in its details", d.CaseID)
				}
				if _, err := tx.Exec(ctx, setCreditLimit, out.CustomerID, *req.NewLimitMinor); err != nil {
					return err
				}
				out.CreditLimit = req.NewLimitMinor
				before, _ := json.Marshal(map[string]any{"credit_limit_minor": limit})
				after, _ := json.Marshal(map[string]any{"credit_limit_minor": *req.NewLimitMinor, "case_id": d.CaseID})
				if err := Journal(ctx, tx, Entry{Actor: d.By, Action: "customer.credit_limit", Target: customerTarget(out.CustomerID),
					Before: before, After: after}); err != nil {
					return err
				}
			}
		}
		after, err := json.Marshal(map[string]any{"case_id": d.CaseID, "decision": d.Decision, "reason": d.Reason,
			"credit_notes": d.CreditNotes, "resumed": out.Resumed, "held": out.Held})
		if err != nil {
			return err
		}
		return journalCase(ctx, tx, d.CaseID, out.CustomerID, d.By, "case.decide", after)
	})
	return out, err
}

// acceptDispute records the credit notes and holds the invoices until they are imported.
func acceptDispute(ctx context.Context, tx pgx.Tx, d CaseDecision, out *DecidedCase) error {
	rows, err := tx.Query(ctx, disputedLines, d.CaseID)
	if err != nil {
		return err
	}
	type line struct{ invoice, disputed int64 }
	lines, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (line, error) {
		var l line
		return l, r.Scan(&l.invoice, &l.disputed)
	})
	if err != nil {
		return err
	}
	for _, l := range lines {
		credit := l.disputed
		if d.Decision == domain.DecisionPartlyAccepted {
			c, ok := d.CreditNotes[l.invoice]
			if !ok {
				return domain.FieldError("credit_notes", "invoice %d: the accepted credit note is required", l.invoice)
			}
			if c < 0 || c > l.disputed {
				return domain.FieldError("credit_notes", "invoice %d: the credit note must be between 0 and the disputed %d", l.invoice, l.disputed)
			}
			credit = c
		}
		if _, err := tx.Exec(ctx, creditCaseInvoice, d.CaseID, l.invoice, credit); err != nil {
			return err
		}
	}
	rows, err = tx.Query(ctx, resumeCaseInvoices, d.CaseID)
	if err != nil {
		return err
	}
	open, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for _, inv := range open {
		_, err := holdInvoice(ctx, tx, HoldWrite{CustomerID: out.CustomerID, InvoiceID: inv,
			Reason: fmt.Sprintf("case %d accepted: the credit note is awaited from the ERP", d.CaseID), By: d.By,
			Key: fmt.Sprintf("%s/accept/%d", CaseTarget(d.CaseID), inv)})
		switch {
		case err == nil:
			out.Held = append(out.Held, inv)
		case domain.ErrorCode(err) == domain.CodeConflict:
			// held already: that hold stays
		default:
			return err
		}
	}
	return nil
}

const (
	lockReopenable = `SELECT customer_id, status, reopened FROM cases WHERE id = $1 FOR UPDATE`
	reopenCase     = `
UPDATE cases SET status = 'open', decision = '', decision_reason = '', decided_by = '', decided_at = NULL,
       sla_state = 'on_time', breached_at = NULL, reopened = reopened + 1, updated_at = now()
WHERE id = $1`
	// releaseAcceptanceHolds lifts the holds an acceptance put (their keys: case/<id>/accept/<invoice>).
	releaseAcceptanceHolds = `
UPDATE invoice_holds SET released_at = now(), released_by = $2, release_reason = 'case reopened'
WHERE hold_key LIKE $1 AND released_at IS NULL`
	clearCreditNotes = `UPDATE case_invoices SET credit_note_minor = NULL WHERE case_id = $1`
	closeCase        = `UPDATE cases SET status = 'closed', closed_at = now(), updated_at = now() WHERE id = $1 AND status = 'decided'`
	entityCalendar   = `SELECT country, timezone FROM entities WHERE id = $1`
	caseJournal      = `
SELECT j.seq, j.at, j.actor, j.action, j.target, j.before, j.after, j.request_id
FROM audit_journal j WHERE j.target = $1 ORDER BY j.seq LIMIT $2`
)

// ReopenCase opens a decided case again (within the window the workflow
// keeps): the decision is journaled as undone, a dispute's invoices are
// disputed again and the holds its acceptance put are lifted. Journaled
// "case.reopen". An open case is a conflict; reopening twice with the same
// key is harmless.
func (s *Store) ReopenCase(ctx context.Context, r CaseReopen) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer int64
		var status string
		var reopened int
		err := tx.QueryRow(ctx, lockReopenable, r.CaseID).Scan(&customer, &status, &reopened)
		if errors.Is(err, pgx.ErrNoRows) {
			return caseNotFound(r.CaseID)
		}
		if err != nil {
			return err
		}
		switch {
		case domain.CaseStatus(status).Open() && reopened >= r.Round:
			return nil // a retry of a reopening that committed
		case domain.CaseStatus(status) != domain.CaseDecided:
			return domain.Errorf(domain.CodeConflict, "case %d is %s: only a decided case can be reopened", r.CaseID, status)
		}
		if _, err := tx.Exec(ctx, reopenCase, r.CaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, releaseAcceptanceHolds, CaseTarget(r.CaseID)+"/accept/%", r.By); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, clearCreditNotes, r.CaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, disputeCaseInvoices, r.CaseID); err != nil {
			return err
		}
		// a running workflow reopens in place: its start is then already paid
		if err := owe(ctx, tx, OutboxCaseStart, r.CaseID, reopened+1); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"case_id": r.CaseID, "reason": r.Reason})
		return journalCase(ctx, tx, r.CaseID, customer, r.By, "case.reopen", after)
	})
}

// CaseReopen reopens a decided case. Round is the reopening's number (the
// first is 1): it makes the write idempotent.
type CaseReopen struct {
	CaseID int64  `json:"case_id"`
	Reason string `json:"reason"`
	By     string `json:"by"`
	Round  int    `json:"round"`
}

// CloseCase closes a decided case once its reopening window has passed,
// journaled "case.close"; a case not decided is left as it is.
func (s *Store) CloseCase(ctx context.Context, caseID int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, closeCase, caseID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "case.close", Target: CaseTarget(caseID)})
	})
}

// CaseAlert is an SLA threshold a case reached: the reminder to its owner at
// half the SLA (level 1), the escalation to its department's manager at the
// SLA (2) and again at twice (3).
type CaseAlert struct {
	CaseID int64     `json:"case_id"`
	Level  int       `json:"level"`
	Round  int       `json:"round"` // the case's reopenings: a reopened case is reminded afresh
	DueAt  time.Time `json:"due_at"`
	By     string    `json:"by"` // the workflow ID
}

// SLA levels of CaseAlert.
const (
	AlertReminder = 1
	AlertBreach   = 2
	AlertTwice    = 3
)

var alertStates = map[int]domain.SLAState{AlertReminder: domain.SLAReminded, AlertBreach: domain.SLABreached, AlertTwice: domain.SLABreachedTwice}

const (
	caseForAlert = `
SELECT k.customer_id, k.status, k.department, k.owner_id, d.manager_id, k.type, k.sla_business_days
FROM cases k JOIN case_departments d ON d.department = k.department WHERE k.id = $1 FOR UPDATE OF k`
	alertCase = `
UPDATE cases SET sla_state = $2, breached_at = CASE WHEN $3 THEN coalesce(breached_at, now()) ELSE breached_at END,
       updated_at = now()
WHERE id = $1`
)

// RecordCaseAlert records an SLA threshold of an open case: a task (kind
// case) for the owner (a reminder) or the department's manager (an
// escalation; without a manager, or an owner, the department's queue), the
// case's SLA state, and "case.sla_reminder" or "case.sla_escalation" in the
// journal. The task's key makes a retry harmless; a case no longer open
// gets nothing (taskID 0).
func (s *Store) RecordCaseAlert(ctx context.Context, a CaseAlert) (taskID int64, err error) {
	state, ok := alertStates[a.Level]
	if !ok {
		return 0, fmt.Errorf("case alert level %d: want 1, 2 or 3", a.Level)
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer int64
		var status, department, typ string
		var owner, manager *int64
		var sla int
		err := tx.QueryRow(ctx, caseForAlert, a.CaseID).Scan(&customer, &status, &department, &owner, &manager, &typ, &sla)
		if errors.Is(err, pgx.ErrNoRows) {
			return caseNotFound(a.CaseID)
		}
		if err != nil || domain.CaseStatus(status) != domain.CaseOpen {
			return err
		}
		who, action, note := owner, "case.sla_reminder", fmt.Sprintf("case %d (%s): half its SLA of %d business days is gone", a.CaseID, typ, sla)
		if a.Level > AlertReminder {
			who, action = manager, "case.sla_escalation"
			note = fmt.Sprintf("case %d (%s) is past its SLA of %d business days: escalated", a.CaseID, typ, sla)
			if a.Level == AlertTwice {
				note = fmt.Sprintf("case %d (%s) is past twice its SLA of %d business days: escalated again", a.CaseID, typ, sla)
			}
		}
		var created bool
		taskID, created, err = createTask(ctx, tx, Task{Key: fmt.Sprintf("%s/%d/sla/%d", CaseTarget(a.CaseID), a.Round, a.Level),
			CustomerID: customer, Kind: domain.TaskCase, AssigneeRole: domain.Assignee(department), AssigneeID: who,
			DueAt: a.DueAt, Note: note, Actor: a.By})
		if err != nil || !created { // !created: a retry of an alert that committed
			return err
		}
		if _, err := tx.Exec(ctx, alertCase, a.CaseID, string(state), a.Level >= AlertBreach); err != nil {
			return err
		}
		kind := NotifySLAReminder
		if a.Level > AlertReminder {
			kind = NotifySLAEscalation
		}
		if err := notify(ctx, tx, who, kind, a.CaseID, NotificationParams{SLADays: sla, Level: a.Level}); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"level": a.Level, "sla_state": state, "task_id": taskID, "due_at": a.DueAt.UTC()})
		return Journal(ctx, tx, Entry{Actor: a.By, Action: action, Target: CaseTarget(a.CaseID), After: after})
	})
	return taskID, err
}

// CaseCalendar is what a case's SLA clock counts business days by: its
// entity's country, time zone and loaded holidays.
type CaseCalendar struct {
	Country  string
	TimeZone string
	Holidays []dunning.Date
}

// CaseCalendar reads the calendar of an entity.
func (s *Store) CaseCalendar(ctx context.Context, entityID int64) (CaseCalendar, error) {
	var c CaseCalendar
	err := s.Pool.QueryRow(ctx, entityCalendar, entityID).Scan(&c.Country, &c.TimeZone)
	if err != nil {
		return c, err
	}
	c.Holidays, err = s.accountHolidays(ctx, c.Country, entityID)
	return c, err
}

// CaseJournal returns the journal rows about one case, oldest first, at most limit.
func (s *Store) CaseJournal(ctx context.Context, caseID int64, limit int) ([]JournalRow, error) {
	rows, err := s.Pool.Query(ctx, caseJournal, CaseTarget(caseID), limit)
	if err != nil {
		return nil, err
	}
	return collectJournal(rows)
}

// CaseRoutingRule is one row of the routing table: type + reason ("" any)
// + entity ("" any) -> department + owner ("" the department's queue).
type CaseRoutingRule struct {
	Type       domain.CaseType   `json:"type"`
	Reason     string            `json:"reason"`
	EntityCode string            `json:"entity_code"`
	Department domain.Department `json:"department"`
	OwnerEmail string            `json:"owner_email"`
}

// CaseDepartment is a department cases go to and who its escalations reach
// ("": its queue).
type CaseDepartment struct {
	Department   domain.Department `json:"department"`
	ManagerEmail string            `json:"manager_email"`
}

// CaseRouting is the whole routing table and the departments' managers.
type CaseRouting struct {
	Rules       []CaseRoutingRule `json:"rules"`
	Departments []CaseDepartment  `json:"departments"`
}

const (
	listCaseRouting = `
SELECT r.type, r.reason, coalesce(e.code, ''), r.department, coalesce(u.email, '')
FROM case_routing r LEFT JOIN entities e ON e.id = r.entity_id LEFT JOIN users u ON u.id = r.owner_id
ORDER BY r.type, r.reason, e.code NULLS FIRST`
	listCaseDepartments = `
SELECT d.department, coalesce(u.email, '') FROM case_departments d LEFT JOIN users u ON u.id = d.manager_id ORDER BY 1`
	deleteCaseRouting = `DELETE FROM case_routing`
	insertCaseRouting = `
INSERT INTO case_routing (type, reason, entity_id, department, owner_id)
VALUES (@type, @reason, (SELECT id FROM entities WHERE code = @entity), @department, (SELECT id FROM users WHERE email = @owner))`
	setDepartmentManager = `
UPDATE case_departments SET manager_id = (SELECT id FROM users WHERE email = @manager) WHERE department = @department`
	routingEntityExists = `SELECT EXISTS (SELECT 1 FROM entities WHERE code = $1)`
	routingUserExists   = `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND NOT disabled)`
)

// CaseRouting reads the routing table.
func (s *Store) CaseRouting(ctx context.Context) (CaseRouting, error) {
	var out CaseRouting
	rows, err := s.Pool.Query(ctx, listCaseRouting)
	if err != nil {
		return out, err
	}
	if out.Rules, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseRoutingRule, error) {
		var c CaseRoutingRule
		return c, r.Scan(&c.Type, &c.Reason, &c.EntityCode, &c.Department, &c.OwnerEmail)
	}); err != nil {
		return out, err
	}
	rows, err = s.Pool.Query(ctx, listCaseDepartments)
	if err != nil {
		return out, err
	}
	out.Departments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseDepartment, error) {
		var d CaseDepartment
		return d, r.Scan(&d.Department, &d.ManagerEmail)
	})
	return out, err
}

// ReplaceCaseRouting replaces the routing table and sets the managers of the
// departments listed, journaled "case_routing.replace" with before and
// after. Unknown entities and users are refused (fields rules[i].entity_code,
// rules[i].owner_email, departments[i].manager_email); two rules for the
// same type, reason and entity are a conflict.
func (s *Store) ReplaceCaseRouting(ctx context.Context, r CaseRouting, actor string) (CaseRouting, error) {
	before, err := s.CaseRouting(ctx)
	if err != nil {
		return before, err
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		exists := func(q, v, field string) error {
			if v == "" {
				return nil
			}
			var ok bool
			if err := tx.QueryRow(ctx, q, v).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return domain.FieldError(field, "%q is unknown", v)
			}
			return nil
		}
		if _, err := tx.Exec(ctx, deleteCaseRouting); err != nil {
			return err
		}
		for i, rule := range r.Rules {
			if err := exists(routingEntityExists, rule.EntityCode, fmt.Sprintf("rules[%d].entity_code", i)); err != nil {
				return err
			}
			if err := exists(routingUserExists, rule.OwnerEmail, fmt.Sprintf("rules[%d].owner_email", i)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, insertCaseRouting, pgx.NamedArgs{"type": rule.Type, "reason": rule.Reason,
				"entity": nullable(rule.EntityCode), "department": rule.Department, "owner": nullable(rule.OwnerEmail)})
			if isUniqueViolation(err) {
				return domain.FieldError(fmt.Sprintf("rules[%d]", i), "another rule has the same type, reason and entity")
			}
			if err != nil {
				return err
			}
		}
		for i, d := range r.Departments {
			if err := exists(routingUserExists, d.ManagerEmail, fmt.Sprintf("departments[%d].manager_email", i)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, setDepartmentManager, pgx.NamedArgs{"department": d.Department, "manager": nullable(d.ManagerEmail)}); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(r)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "case_routing.replace", Target: "case_routing", Before: b, After: a})
	})
	if err != nil {
		return CaseRouting{}, err
	}
	return s.CaseRouting(ctx)
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// releaseCreditedHolds lifts the holds a dispute's acceptance put (keys
// case/<id>/accept/<invoice>) on the invoices whose open amount the import
// changed (their erp_import_id is the import's): the credit note arrived.
const releaseCreditedHolds = `
UPDATE invoice_holds h SET released_at = now(), released_by = @actor,
       release_reason = 'the credit note was imported (import ' || @import::bigint || ')'
FROM invoices i
WHERE h.invoice_id = i.id AND h.released_at IS NULL AND h.hold_key LIKE 'case/%/accept/%'
  AND i.erp_import_id = @import::bigint
RETURNING h.id, h.invoice_id, i.customer_id, h.hold_key`

// ReleaseCreditedHolds lifts, after an invoices import, the holds accepted
// disputes put on invoices whose open amount that import changed (the
// ERP's credit note is in), each journaled "invoice.release" on its
// customer; it answers the invoices released.
func (s *Store) ReleaseCreditedHolds(ctx context.Context, importID int64, actor string) ([]int64, error) {
	var released []int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, releaseCreditedHolds, pgx.NamedArgs{"import": importID, "actor": actor})
		if err != nil {
			return err
		}
		type hold struct {
			id, invoice, customer int64
			key                   string
		}
		holds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hold, error) {
			var h hold
			return h, r.Scan(&h.id, &h.invoice, &h.customer, &h.key)
		})
		if err != nil {
			return err
		}
		for _, h := range holds {
			after, _ := json.Marshal(map[string]any{"hold_id": h.id, "invoice_id": h.invoice, "import_id": importID,
				"release_reason": "the credit note was imported", "hold_key": h.key})
			if err := Journal(ctx, tx, Entry{Actor: actor, Action: "invoice.release", Target: customerTarget(h.customer), After: after}); err != nil {
				return err
			}
			released = append(released, h.invoice)
		}
		return nil
	})
	return released, err
}
