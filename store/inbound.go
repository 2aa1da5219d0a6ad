package store

// Customer replies and bounces (app.ReceiveCustomerEmail): the reply token
// of each account, the emails received once per Message-ID, the quarantine
// of replies from unknown senders, and bounces marking addresses
// undeliverable.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Kinds and statuses of inbound emails.
const (
	InboundReply     = "reply"
	InboundAutoReply = "auto_reply"
	InboundBounce    = "bounce"

	InboundProcessed   = "processed"
	InboundQuarantined = "quarantined"
	InboundConfirmed   = "confirmed"
	InboundDiscarded   = "discarded"
)

const (
	getReplyToken    = `SELECT token FROM reply_tokens WHERE customer_id = $1`
	insertReplyToken = `INSERT INTO reply_tokens (customer_id, token) VALUES ($1, $2) ON CONFLICT (customer_id) DO NOTHING`
)

// ReplyToken is the customer's reply token, made from fresh (a new random
// token, inbound.NewReplyToken) the first time: stable afterwards.
func (s *Store) ReplyToken(ctx context.Context, customerID int64, fresh string) (string, error) {
	var t string
	err := s.Pool.QueryRow(ctx, getReplyToken, customerID).Scan(&t)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return t, err
	}
	if _, err := s.Pool.Exec(ctx, insertReplyToken, customerID, fresh); err != nil {
		return "", err
	}
	err = s.Pool.QueryRow(ctx, getReplyToken, customerID).Scan(&t)
	return t, err
}

const replyDomainKnown = `SELECT EXISTS (SELECT 1 FROM entities WHERE reply_domain <> '' AND lower(reply_domain) = lower($1))`

// ReplyDomainKnown says whether an entity receives replies on this domain.
func (s *Store) ReplyDomainKnown(ctx context.Context, domain string) (bool, error) {
	var ok bool
	err := s.Pool.QueryRow(ctx, replyDomainKnown, domain).Scan(&ok)
	return ok, err
}

// InboundAccount is the account a reply token names.
type InboundAccount struct {
	CustomerID   int64
	CustomerName string
	EntityID     int64
	ReplyDomain  string // lower case
	PauseDays    int
	// Contacts are the account's email addresses, lower case: its email
	// field's and its contacts'.
	Contacts []string
}

const accountByReplyToken = `
SELECT c.id, c.name, c.entity_id, lower(e.reply_domain), e.reply_pause_days, c.email,
       coalesce((SELECT array_agg(lower(ct.email)) FROM contacts ct WHERE ct.customer_id = c.id AND ct.email <> ''), '{}')
FROM reply_tokens t
JOIN customers c ON c.id = t.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE t.token = lower($1)`

const inboundAccountOf = `
SELECT c.id, c.name, c.entity_id, lower(e.reply_domain), e.reply_pause_days, c.email,
       coalesce((SELECT array_agg(lower(ct.email)) FROM contacts ct WHERE ct.customer_id = c.id AND ct.email <> ''), '{}')
FROM customers c
JOIN entities e ON e.id = c.entity_id
WHERE c.id = $1`

// AccountByReplyToken reads the account of a reply token; found is false
// for a token no account has.
func (s *Store) AccountByReplyToken(ctx context.Context, token string) (InboundAccount, bool, error) {
	return scanInboundAccount(s.Pool.QueryRow(ctx, accountByReplyToken, token))
}

// InboundAccountOf reads the same for a customer.
func (s *Store) InboundAccountOf(ctx context.Context, customerID int64) (InboundAccount, error) {
	a, found, err := scanInboundAccount(s.Pool.QueryRow(ctx, inboundAccountOf, customerID))
	if err == nil && !found {
		err = customerNotFound(customerID)
	}
	return a, err
}

func scanInboundAccount(r pgx.Row) (InboundAccount, bool, error) {
	var a InboundAccount
	var email string
	err := r.Scan(&a.CustomerID, &a.CustomerName, &a.EntityID, &a.ReplyDomain,
		&a.PauseDays, &email, &a.Contacts)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	a.Contacts = append(a.Contacts, Addresses(email)...)
	return a, err == nil, err
}

// Addresses are the bare addresses, lower case, of an email field that may
// list several ("Jana <jana@example.com>; ap@example.com").
func Addresses(field string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' || r == ';' }) {
		a = strings.TrimSpace(a)
		if p, err := mail.ParseAddress(a); err == nil {
			a = p.Address
		}
		if a != "" {
			out = append(out, strings.ToLower(a))
		}
	}
	return out
}

// InboundEmail is an email received on an account's reply address.
type InboundEmail struct {
	ID          int64               `json:"id"`
	MessageID   string              `json:"message_id"`
	CustomerID  int64               `json:"customer_id"`
	Customer    string              `json:"customer"`
	Kind        string              `json:"kind"`
	Status      string              `json:"status"`
	From        string              `json:"from"`
	FromName    string              `json:"from_name"`
	Subject     string              `json:"subject"`
	Body        string              `json:"body"`
	FromHTML    bool                `json:"from_html"`
	AutoReply   string              `json:"auto_reply,omitempty"`
	ThreadIDs   []string            `json:"-"` // its Message-ID, In-Reply-To and References
	InReplyTo   []string            `json:"-"` // In-Reply-To and References: what it answers
	Attachments []InboundAttachment `json:"attachments"`
	// Files are the attachments that passed app.ValidateAttachment, with
	// their bytes: a reply's go on its case; a quarantined email's wait in
	// inbound_files for the agent's decision.
	Files      []NewAttachment `json:"-"`
	CaseID     *int64          `json:"case_id"`
	ReceivedAt time.Time       `json:"received_at"`
	DecidedBy  string          `json:"decided_by,omitempty"`
	DecidedAt  *time.Time      `json:"decided_at,omitempty"`
}

// InboundAttachment describes a file that came with an email (the file
// itself is not kept in inbound_emails).
type InboundAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Refused     string `json:"refused,omitempty"` // why it was not attached to the case (app.ValidateAttachment)
}

const insertInbound = `
INSERT INTO inbound_emails (message_id, customer_id, kind, status, from_address, from_name, subject, body, from_html,
                            auto_reply, thread_ids, attachments)
VALUES (@message_id, @customer, @kind, @status, @from, @from_name, @subject, @body, @from_html, @auto_reply, @thread, @attachments)
ON CONFLICT (message_id) DO NOTHING
RETURNING id, received_at`

// insertInboundTx records e once: fresh is false when its Message-ID was
// received before (nothing is written then).
func insertInboundTx(ctx context.Context, tx pgx.Tx, e *InboundEmail) (fresh bool, err error) {
	att := e.Attachments
	if att == nil {
		att = []InboundAttachment{}
	}
	attJSON, err := json.Marshal(att)
	if err != nil {
		return false, err
	}
	thread := e.ThreadIDs
	if thread == nil {
		thread = []string{}
	}
	err = tx.QueryRow(ctx, insertInbound, pgx.NamedArgs{"message_id": e.MessageID, "customer": e.CustomerID, "kind": e.Kind,
		"status": e.Status, "from": e.From, "from_name": e.FromName, "subject": e.Subject, "body": e.Body,
		"from_html": e.FromHTML, "auto_reply": e.AutoReply, "thread": thread, "attachments": attJSON}).Scan(&e.ID, &e.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if e.Status == InboundQuarantined {
		// kept until an agent decides (DecideQuarantined)
		for _, f := range e.Files {
			if _, err := tx.Exec(ctx, keepInboundFile, e.ID, f.FileName, f.ContentType, f.Content); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

const (
	keepInboundFile  = `INSERT INTO inbound_files (inbound_id, file_name, content_type, content) VALUES ($1, $2, $3, $4)`
	keptInboundFiles = `SELECT file_name, content_type, content FROM inbound_files WHERE inbound_id = $1 ORDER BY id`
	dropInboundFiles = `DELETE FROM inbound_files WHERE inbound_id = $1`
)

// inboundJournal is what the journal says of an email received.
func inboundJournal(e InboundEmail, more map[string]any) []byte {
	m := map[string]any{"inbound_id": e.ID, "message_id": e.MessageID, "from": e.From, "subject": e.Subject, "kind": e.Kind,
		"status": e.Status}
	if e.AutoReply != "" {
		m["auto_reply"] = e.AutoReply
	}
	if len(e.Attachments) > 0 {
		m["attachments"] = e.Attachments
	}
	for k, v := range more {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// RecordInbound records an email that opens nothing (an auto-reply, a reply
// quarantined) and journals "inbound.<kind>" (or "inbound.quarantined") on
// the customer. fresh is false, and nothing is written, when its Message-ID
// was received before.
func (s *Store) RecordInbound(ctx context.Context, e InboundEmail) (InboundEmail, bool, error) {
	var fresh bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) (err error) {
		if fresh, err = insertInboundTx(ctx, tx, &e); err != nil || !fresh {
			return err
		}
		action := "inbound." + e.Kind
		if e.Status == InboundQuarantined {
			action = "inbound.quarantined"
		}
		return Journal(ctx, tx, Entry{Actor: "customer:" + e.From, Action: action, Target: customerTarget(e.CustomerID),
			After: inboundJournal(e, nil)})
	})
	return e, fresh, err
}

// PortalThreadKey begins the Message-ID of the portal's emails about case
// id (notify.MessageID keeps it as is: "<portal/case/<id>/...@recoup>").
func PortalThreadKey(id int64) string { return "portal/case/" + strconv.FormatInt(id, 10) + "/" }

// ReplyCase is what a customer's reply did: the case it opened or the open
// case it was added to as a comment.
type ReplyCase struct {
	Duplicate bool // its Message-ID was received before: nothing done
	CaseID    int64
	Opened    bool  // a new customer_message case; else a comment on CaseID
	CommentID int64 // when not Opened
	Author    string
	InboundID int64     // the email: its account's pause is owed Temporal (OutboxReplyPause)
	At        time.Time // when it was received: the pause counts from then
}

// threadCase finds the open case of the account a reply answers: one an
// earlier email of the same thread went to, one whose own email (a
// dispute's answer: message log key case/<id>/...) it answers, or one the
// portal's email it answers names in its Message-ID (PortalThreadKey; only
// the account's own cases match, whatever an answer claims).
const threadCase = `
SELECT k.id FROM cases k
WHERE k.customer_id = @customer AND k.status IN ('open', 'waiting_customer') AND (
      k.id IN (SELECT m.case_id FROM inbound_emails m
               WHERE m.customer_id = @customer AND m.case_id IS NOT NULL AND m.thread_ids && @ids::text[])
   OR k.id IN (SELECT substring(l.key FROM '^case/([0-9]+)/')::bigint FROM message_log l
               WHERE l.customer_id = @customer AND l.key LIKE 'case/%' AND l.provider_ref = ANY (@refs::text[]))
   OR k.id IN (SELECT substring(r FROM '^portal/case/([0-9]+)/')::bigint FROM unnest(@ids::text[]) r
               WHERE r ~ '^portal/case/[0-9]+/'))
ORDER BY k.id DESC LIMIT 1`

const (
	setInboundCase = `UPDATE inbound_emails SET case_id = $2 WHERE id = $1`
	customerAgent  = `SELECT agent_id FROM customers WHERE id = $1`
)

// maxCaseBody bounds the text a reply puts in a case (the email keeps it all).
const maxCaseBody = 4000

// ReceiveReply records a customer's reply from one of the account's
// contacts, in one transaction: the email (once per Message-ID), a comment
// on the open case of its thread or else a new customer_message case, a
// customer_reply notification to the account's agent, and the journal
// ("inbound.reply" on the customer).
func (s *Store) ReceiveReply(ctx context.Context, e InboundEmail) (ReplyCase, error) {
	var out ReplyCase
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		fresh, err := insertInboundTx(ctx, tx, &e)
		if err != nil || !fresh {
			out.Duplicate = !fresh
			return err
		}
		out, err = replyToCase(ctx, tx, e)
		return err
	})
	return out, err
}

// replyToCase puts a recorded reply on its case, notifies and journals.
func replyToCase(ctx context.Context, tx pgx.Tx, e InboundEmail) (ReplyCase, error) {
	out := ReplyCase{Author: "customer:" + e.From, InboundID: e.ID, At: e.ReceivedAt}
	if err := owe(ctx, tx, OutboxReplyPause, e.ID, 0); err != nil {
		return out, err
	}
	refs := make([]string, len(e.InReplyTo))
	for i, id := range e.InReplyTo {
		refs[i] = "<" + id + ">"
	}
	text := caseText(e)
	err := tx.QueryRow(ctx, threadCase, pgx.NamedArgs{"customer": e.CustomerID, "ids": nonNil(e.InReplyTo), "refs": refs}).Scan(&out.CaseID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		out.Opened = true
		out.CaseID, err = openCase(ctx, tx, Everything, NewCase{Type: domain.CaseCustomerMessage, CustomerID: e.CustomerID,
			Description: text, Source: "customer_reply", Actor: out.Author})
		if err != nil {
			return out, err
		}
	case err != nil:
		return out, err
	default:
		cm, err := addCaseComment(ctx, tx, out.CaseID, out.Author, text, nil)
		if err != nil {
			return out, err
		}
		out.CommentID = cm.ID
	}
	if len(e.Files) > 0 {
		var comment *int64
		if out.CommentID != 0 {
			comment = &out.CommentID
		}
		files, err := insertAttachments(ctx, tx, out.CaseID, comment, out.Author, e.Files)
		if err != nil {
			return out, err
		}
		if err := journalAttachments(ctx, tx, out.CaseID, comment, out.Author, files); err != nil {
			return out, err
		}
	}
	if _, err := tx.Exec(ctx, setInboundCase, e.ID, out.CaseID); err != nil {
		return out, err
	}
	var agent *int64
	if err := tx.QueryRow(ctx, customerAgent, e.CustomerID).Scan(&agent); err != nil {
		return out, err
	}
	if err := notify(ctx, tx, agent, NotifyCustomerReply, out.CaseID, NotificationParams{Actor: e.From, Subject: domain.Clip(e.Subject, 80)}); err != nil {
		return out, err
	}
	return out, Journal(ctx, tx, Entry{Actor: out.Author, Action: "inbound.reply", Target: customerTarget(e.CustomerID),
		After: inboundJournal(e, map[string]any{"case_id": out.CaseID, "case_opened": out.Opened})})
}

// caseText is what a reply puts in its case: the subject, then the text,
// clipped to what a case holds.
func caseText(e InboundEmail) string {
	body := strings.TrimSpace(e.Body)
	if body == "" {
		body = "(no text)"
	}
	if len(e.Attachments) > 0 {
		names := make([]string, len(e.Attachments))
		for i, a := range e.Attachments {
			names[i] = fmt.Sprintf("%s (%s, %d bytes)", a.Name, a.ContentType, a.Size)
			if a.Refused != "" {
				names[i] += ", not attached: " + a.Refused
			}
		}
		body += "\n\n[attachments: " + strings.Join(names, "; ") + "]"
	}
	return domain.Clip("Email from "+e.From+": "+e.Subject+"\n\n"+body, maxCaseBody)
}

const inboundColumns = `m.id, m.message_id, m.customer_id, c.name, m.kind, m.status, m.from_address, m.from_name, m.subject,
       m.body, m.from_html, m.auto_reply, m.thread_ids, m.attachments, m.case_id, m.received_at, m.decided_by, m.decided_at`

func scanInbound(r pgx.Row, more ...any) (InboundEmail, error) {
	var e InboundEmail
	var att []byte
	err := r.Scan(append([]any{&e.ID, &e.MessageID, &e.CustomerID, &e.Customer, &e.Kind, &e.Status, &e.From, &e.FromName,
		&e.Subject, &e.Body, &e.FromHTML, &e.AutoReply, &e.ThreadIDs, &att, &e.CaseID, &e.ReceivedAt, &e.DecidedBy,
		&e.DecidedAt}, more...)...)
	if err == nil {
		err = json.Unmarshal(att, &e.Attachments)
	}
	return e, err
}

const listQuarantine = `
SELECT ` + inboundColumns + `, count(*) OVER ()
FROM inbound_emails m JOIN customers c ON c.id = m.customer_id
WHERE m.status = 'quarantined' AND ` + perimeterClause + `
ORDER BY m.id DESC LIMIT @limit OFFSET @offset`

// Quarantine lists the replies waiting for an agent (their sender is not a
// contact of the account), inside per, newest first, and how many in all.
func (s *Store) Quarantine(ctx context.Context, per Perimeter, page domain.Page) ([]InboundEmail, int64, error) {
	rows, err := s.Pool.Query(ctx, listQuarantine, per.args(pgx.NamedArgs{"limit": page.Limit, "offset": page.Offset}))
	if err != nil {
		return nil, 0, err
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InboundEmail, error) { return scanInbound(r, &total) })
	return list, total, err
}

const lockQuarantined = `
SELECT ` + inboundColumns + `
FROM inbound_emails m JOIN customers c ON c.id = m.customer_id
WHERE m.id = @id AND ` + perimeterClause + ` FOR UPDATE OF m`

const decideQuarantined = `UPDATE inbound_emails SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1`

// DecideQuarantined confirms (the reply is processed as one from a contact:
// ReceiveReply's case, notification and journal) or discards a quarantined
// email, inside per, journaled. Not quarantined any more: CodeConflict.
func (s *Store) DecideQuarantined(ctx context.Context, per Perimeter, id int64, confirm bool, actor string) (InboundEmail, ReplyCase, error) {
	var e InboundEmail
	var out ReplyCase
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) (err error) {
		e, err = scanInbound(tx.QueryRow(ctx, lockQuarantined, per.args(pgx.NamedArgs{"id": id})))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "quarantined email %d not found", id)
		} else if err != nil {
			return err
		}
		if e.Status != InboundQuarantined {
			return domain.Errorf(domain.CodeConflict, "email %d is %s, not quarantined", id, e.Status)
		}
		e.Status, e.DecidedBy = InboundDiscarded, actor
		if confirm {
			e.Status = InboundConfirmed
		}
		if _, err := tx.Exec(ctx, decideQuarantined, id, e.Status, actor); err != nil {
			return err
		}
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "inbound." + e.Status, Target: customerTarget(e.CustomerID),
			After: inboundJournal(e, nil)}); err != nil {
			return err
		}
		if confirm {
			rows, err := tx.Query(ctx, keptInboundFiles, id)
			if err != nil {
				return err
			}
			if e.Files, err = pgx.CollectRows(rows, pgx.RowToStructByPos[NewAttachment]); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, dropInboundFiles, id); err != nil {
			return err
		}
		if !confirm {
			return nil
		}
		e.InReplyTo = e.ThreadIDs
		if len(e.InReplyTo) > 0 && e.InReplyTo[0] == e.MessageID {
			e.InReplyTo = e.InReplyTo[1:]
		}
		out, err = replyToCase(ctx, tx, e)
		return err
	})
	return e, out, err
}

// BounceRecord is a delivery status notification about an address of an account.
type BounceRecord struct {
	Email      InboundEmail // the notification itself, once per Message-ID
	Address    string       // the address that failed, lower case
	Hard       bool
	Status     string // e.g. 5.1.1
	Diagnostic string
	MessageKey string // the message log key of the email that bounced ("" unknown)
	// SoftLimit soft bounces of the address within SoftWindow make it undeliverable.
	SoftLimit  int
	SoftWindow time.Duration
}

// BounceOutcome says what a bounce did.
type BounceOutcome struct {
	Duplicate     bool
	Undeliverable bool  // the address was marked undeliverable now
	SoftCount     int   // soft bounces of the address within the window, this one included
	AllBounced    bool  // no address of the account is deliverable any more: its email channel is marked invalid
	TaskID        int64 // the fix_contact task made
}

const (
	insertBounce = `
INSERT INTO email_bounces (customer_id, address, hard, status, diagnostic, message_key) VALUES ($1, $2, $3, $4, $5, $6)`
	recentSoftBounces = `
SELECT count(*) FROM email_bounces WHERE customer_id = $1 AND address = $2 AND NOT hard AND bounced_at > now() - make_interval(secs => $3)`
	markUndeliverable = `
INSERT INTO email_undeliverable (customer_id, address, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	customerEmail       = `SELECT email FROM customers WHERE id = $1 FOR UPDATE`
	undeliverableOfUser = `SELECT address FROM email_undeliverable WHERE customer_id = $1`
)

// RecordBounce records a bounce of an account's address, in one
// transaction: a hard one, or the SoftLimit-th soft one within SoftWindow,
// marks the address undeliverable (reminders skip it: MessageContext), makes
// a fix_contact task for the agent and, when no address of the account is
// left, marks its email channel invalid so reminders fall back to texts and
// calls (as the desk's wrong_contact outcome does). Journaled
// "inbound.bounce" and "customer.email_undeliverable".
func (s *Store) RecordBounce(ctx context.Context, b BounceRecord) (BounceOutcome, error) {
	var out BounceOutcome
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		e := b.Email
		fresh, err := insertInboundTx(ctx, tx, &e)
		if err != nil || !fresh {
			out.Duplicate = !fresh
			return err
		}
		cid := e.CustomerID
		if _, err := tx.Exec(ctx, insertBounce, cid, b.Address, b.Hard, b.Status, b.Diagnostic, b.MessageKey); err != nil {
			return err
		}
		reason := fmt.Sprintf("hard bounce %s: %s", b.Status, domain.Clip(b.Diagnostic, 200))
		if !b.Hard {
			if err := tx.QueryRow(ctx, recentSoftBounces, cid, b.Address, b.SoftWindow.Seconds()).Scan(&out.SoftCount); err != nil {
				return err
			}
			reason = fmt.Sprintf("%d soft bounces within %s, the last %s: %s", out.SoftCount, b.SoftWindow, b.Status, domain.Clip(b.Diagnostic, 200))
		}
		if err := Journal(ctx, tx, Entry{Actor: "mail-system", Action: "inbound.bounce", Target: customerTarget(cid),
			After: inboundJournal(e, map[string]any{"address": b.Address, "hard": b.Hard, "status": b.Status,
				"diagnostic": b.Diagnostic, "message_key": b.MessageKey, "soft_count": out.SoftCount})}); err != nil {
			return err
		}
		if !b.Hard && out.SoftCount < b.SoftLimit {
			return nil
		}
		tag, err := tx.Exec(ctx, markUndeliverable, cid, b.Address, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err // already undeliverable
		}
		out.Undeliverable = true
		after, _ := json.Marshal(map[string]any{"address": b.Address, "reason": reason})
		if err := Journal(ctx, tx, Entry{Actor: "mail-system", Action: "customer.email_undeliverable", Target: customerTarget(cid),
			After: after}); err != nil {
			return err
		}
		if out.AllBounced, err = allBounced(ctx, tx, cid); err != nil {
			return err
		}
		if out.AllBounced {
			if err := setContactInvalid(ctx, tx, cid, ContactEmail, true, "every address bounced: "+reason, "mail-system"); err != nil {
				return err
			}
		}
		out.TaskID, _, err = createTask(ctx, tx, Task{Key: "bounce/" + e.MessageID, CustomerID: cid, Kind: domain.TaskFixContact,
			AssigneeRole: domain.AssigneeAgent, DueAt: time.Now(), Actor: "mail-system",
			Note: fmt.Sprintf("email to %s does not arrive (%s): correct the contact", b.Address, reason)})
		return err
	})
	return out, err
}

// allBounced says whether every address of the customer's email field is undeliverable.
func allBounced(ctx context.Context, tx pgx.Tx, customerID int64) (bool, error) {
	var email string
	if err := tx.QueryRow(ctx, customerEmail, customerID).Scan(&email); err != nil {
		return false, err
	}
	rows, err := tx.Query(ctx, undeliverableOfUser, customerID)
	if err != nil {
		return false, err
	}
	bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, err
	}
	for _, a := range Addresses(email) {
		if !contains(bad, a) {
			return false, nil
		}
	}
	return true, nil
}

const inboundByID = `SELECT ` + inboundColumns + ` FROM inbound_emails m JOIN customers c ON c.id = m.customer_id WHERE m.id = $1`

// InboundEmail reads one recorded email.
func (s *Store) InboundEmail(ctx context.Context, id int64) (InboundEmail, error) {
	e, err := scanInbound(s.Pool.QueryRow(ctx, inboundByID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, domain.Errorf(domain.CodeNotFound, "inbound email %d not found", id)
	}
	return e, err
}
