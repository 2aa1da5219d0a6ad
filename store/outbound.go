package store

// Outbound dunning actions: the message log that makes every reminder go out
// once, credit holds, and what a reminder needs to be written. The tasks
// dunning creates for people are in tasks.go.
//
// Exactly once, and its one narrow window: an action first claims its
// idempotency key (ClaimMessage inserts it with status 'sending'), then sends,
// then records the outcome (FinishMessage). A key with any status other than
// 'sending' is finished and is never sent again. A key still 'sending' means a
// previous attempt died between claiming and finishing (the worker crashed,
// the send failed temporarily, or it timed out): the retry sends again. If the
// first attempt had in fact reached the provider, the customer could receive
// the message twice; that window is as narrow as one send (a failed finish is
// tried again for a while, so a Postgres restart does not widen it: see
// activities.Dunning.finish), and the duplicate is recognisable: the email
// Message-ID (notify.MessageID) and the Twilio idempotency token are both
// derived from the key. integration/crash_worker_test.go measures it.

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
	"recoup/templates"
)

// MessageClaim is the row an action claims in the message log before it acts.
type MessageClaim struct {
	Key             string
	CustomerID      int64
	WorkflowID      string
	ScenarioID      int64
	ScenarioVersion int
	StepIndex       int
	Repeat          int
	Channel         domain.Channel // the planned channel; FinishMessage records the one used
	InvoiceIDs      []int64
	// Covered is what a merged message covers (dunning.Action.Covered).
	Covered []dunning.Covered
}

const insertMessageClaim = `
INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version, step_index, repeat, channel, invoice_ids, covered, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'sending')
ON CONFLICT (key) DO NOTHING
RETURNING status`

const selectMessageStatus = `SELECT status FROM message_log WHERE key = $1`

// ClaimMessage records that the action m.Key is about to be carried out.
// claimed is true when this call inserted the key. Otherwise status is the
// key's status: anything but "sending" means the action is done and must not
// be repeated; "sending" means an earlier attempt died mid-send and the caller
// sends again (see the package comment above on this at-least-once window).
// An unknown customer is a domain CodeNotFound error.
func (s *Store) ClaimMessage(ctx context.Context, m MessageClaim) (claimed bool, status domain.MessageStatus, err error) {
	if m.Key == "" {
		return false, "", domain.FieldError("key", "required")
	}
	ids := m.InvoiceIDs
	if ids == nil {
		ids = []int64{}
	}
	covered := m.Covered
	if covered == nil {
		covered = []dunning.Covered{}
	}
	cov, err := json.Marshal(covered)
	if err != nil {
		return false, "", err
	}
	err = s.Pool.QueryRow(ctx, insertMessageClaim, m.Key, m.CustomerID, m.WorkflowID, m.ScenarioID, m.ScenarioVersion,
		m.StepIndex, m.Repeat, string(m.Channel), ids, cov).Scan(&status)
	if err == nil {
		return true, status, nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign key: no such customer
		return false, "", domain.Errorf(domain.CodeNotFound, "customer %d not found", m.CustomerID)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, "", err
	}
	// The key exists (ON CONFLICT DO NOTHING returned nothing).
	if err := s.Pool.QueryRow(ctx, selectMessageStatus, m.Key).Scan(&status); err != nil {
		return false, "", fmt.Errorf("message %s: %w", m.Key, err)
	}
	return false, status, nil
}

const finishMessage = `
UPDATE message_log
SET status = $2, channel = CASE WHEN $3 = '' THEN channel ELSE $3 END, provider_ref = $4, detail = $5, updated_at = now()
WHERE key = $1 AND status = 'sending'
RETURNING customer_id, scenario_id, scenario_version, step_index, repeat, channel, invoice_ids`

// messageJournal is the audit journal's record of a finished action.
type messageJournal struct {
	Key             string               `json:"key"`
	ScenarioID      int64                `json:"scenario_id"`
	ScenarioVersion int                  `json:"scenario_version"`
	StepIndex       int                  `json:"step_index"`
	Repeat          int                  `json:"repeat"`
	Channel         domain.Channel       `json:"channel"`
	Status          domain.MessageStatus `json:"status"`
	InvoiceIDs      []int64              `json:"invoice_ids"`
	ProviderRef     string               `json:"provider_ref"`
	Detail          string               `json:"detail"`
}

// FinishMessage records the outcome of the claimed action key and appends
// entry to the audit journal, in one transaction. channelUsed "" keeps the
// claimed channel. Left empty, entry.Action becomes "dunning.<channel>.<status>",
// entry.Target "customer/<id>", entry.Actor "system", and entry.After the
// JSON {key, scenario_id, scenario_version, step_index, repeat, channel,
// status, invoice_ids, provider_ref, detail}.
//
// Only a key still "sending" is updated: if another attempt finished it
// meanwhile, FinishMessage changes nothing and journals nothing. A key never
// claimed is a domain CodeNotFound error.
func (s *Store) FinishMessage(ctx context.Context, key string, status domain.MessageStatus, channelUsed domain.Channel, providerRef, detail string, entry Entry) error {
	if !status.Final() {
		return domain.FieldError("status", "%q is not a final status", status)
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customerID int64
		j := messageJournal{Key: key, Status: status, ProviderRef: providerRef, Detail: detail}
		err := tx.QueryRow(ctx, finishMessage, key, string(status), string(channelUsed), providerRef, detail).
			Scan(&customerID, &j.ScenarioID, &j.ScenarioVersion, &j.StepIndex, &j.Repeat, &j.Channel, &j.InvoiceIDs)
		if errors.Is(err, pgx.ErrNoRows) {
			var cur string
			err := tx.QueryRow(ctx, selectMessageStatus, key).Scan(&cur)
			if errors.Is(err, pgx.ErrNoRows) {
				return domain.Errorf(domain.CodeNotFound, "message %s was never claimed", key)
			}
			return err // nil: finished by another attempt
		}
		if err != nil {
			return err
		}
		if entry.Actor == "" {
			entry.Actor = "system"
		}
		if entry.Action == "" {
			entry.Action = "dunning." + string(j.Channel) + "." + string(status)
		}
		if entry.Target == "" {
			entry.Target = customerTarget(customerID)
		}
		if len(entry.After) == 0 {
			if entry.After, err = json.Marshal(j); err != nil {
				return err
			}
		}
		return Journal(ctx, tx, entry)
	})
}

// MessageStatus returns the status, channel and provider reference of the
// action key; domain CodeNotFound if it was never claimed.
func (s *Store) MessageStatus(ctx context.Context, key string) (status domain.MessageStatus, channel domain.Channel, providerRef string, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT status, channel, provider_ref FROM message_log WHERE key = $1`, key).
		Scan(&status, &channel, &providerRef)
	if errors.Is(err, pgx.ErrNoRows) {
		err = domain.Errorf(domain.CodeNotFound, "message %s not found", key)
	}
	return status, channel, providerRef, err
}

const putOnHold = `
UPDATE customers c
SET on_hold = true, on_hold_since = coalesce(c.on_hold_since, now()),
    on_hold_scenario_id = coalesce(c.on_hold_scenario_id, (SELECT id FROM scenarios WHERE id = $2)), updated_at = now()
FROM (SELECT id, on_hold FROM customers WHERE id = $1 FOR UPDATE) old
WHERE c.id = old.id
RETURNING old.on_hold, c.on_hold_since`

// PutOnHold puts the customer's account on credit hold (on_hold_since keeps
// the first time) and journals "customer.credit_hold" when the account was not
// on hold yet; key is the dunning action that asked for it, scenarioID its
// scenario (its release_credit_hold setting may lift the hold later). An
// unknown customer is a domain CodeNotFound error.
func (s *Store) PutOnHold(ctx context.Context, customerID, scenarioID int64, key string, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var was bool
		var since time.Time
		err := tx.QueryRow(ctx, putOnHold, customerID, scenarioID).Scan(&was, &since)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
		}
		if err != nil || was {
			return err
		}
		after, err := json.Marshal(map[string]any{"on_hold": true, "on_hold_since": since.UTC(), "key": key})
		if err != nil {
			return err
		}
		if actor == "" {
			actor = "system"
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.credit_hold", Target: customerTarget(customerID),
			Before: json.RawMessage(`{"on_hold":false}`), After: after})
	})
}

// MessageContext is what a reminder about some invoices of one customer needs.
type MessageContext struct {
	Customer   MessageCustomer
	Entity     MessageEntity
	AgentName  string // "" when the customer has no agent
	AgentEmail string
	// Invoices are those of the requested invoices still open (status open,
	// open amount above zero), oldest due first; empty when all were paid,
	// credited, disputed or written off since the action was planned.
	Invoices []MessageInvoice
	// Statement is every open item of the customer's account: open invoices
	// (oldest due first), open credit notes, unallocated payments. Marked is
	// left for TemplateData to set from Invoices.
	Statement []MessageItem
	// Schedule and Payment are set by a notice about a plan or a promise
	// (templates.Data says what they hold).
	Schedule []templates.Instalment
	Payment  templates.Instalment
	// Dispute is set by the answer to a rejected dispute.
	Dispute templates.DisputeAnswer
	// PortalURL is the customer's personal portal link this message carries ("": none).
	PortalURL string
}

// MessageItem is one open item of the account, with its row id (an invoice's
// or a credit note's id in invoices, a payment's id in payments).
type MessageItem struct {
	ID int64
	templates.StatementItem
}

// MessageCustomer is the debtor a reminder goes to.
type MessageCustomer struct {
	ID         int64
	ExternalID string
	Name       string
	Email      string // "" when unknown; may list several addresses
	Phone      string // E.164; "" when unknown
	// Undeliverable are addresses of Email that bounced for good: reminders
	// skip them (email_undeliverable).
	Undeliverable []string
	Language      string
	TimeZone      string
}

// MessageEntity is the selling company.
type MessageEntity struct {
	Name     string
	Country  string
	Language string
	// The entity's sender identity (EntitySender); empty fields fall back.
	EntitySender
}

// MessageInvoice is one open invoice a reminder is about: what its template
// shows (dates at midnight UTC; DaysOverdue in the customer's time zone,
// negative before the due date), and its id for the tasks it may lead to.
type MessageInvoice struct {
	ID int64
	templates.Invoice
}

const selectMessageCustomer = `
SELECT c.id, c.external_id, c.name, c.email, c.phone, c.language, c.timezone,
       e.name, e.country, e.language, coalesce(a.name, ''), coalesce(a.email, ''),
       e.sender_name, e.sender_address, e.reply_to, e.signature_name, e.signature_phone, e.reply_domain, e.reply_local,
       e.reply_pause_days,
       coalesce((SELECT array_agg(u.address) FROM email_undeliverable u WHERE u.customer_id = c.id), '{}')
FROM customers c
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
WHERE c.id = $1`

const selectMessageInvoices = `
SELECT i.id, i.number, i.issue_date, i.due_date, i.currency, i.amount_minor, i.open_minor,
       (now() AT TIME ZONE c.timezone)::date - i.due_date
FROM invoices i
JOIN customers c ON c.id = i.customer_id
WHERE i.customer_id = $1 AND i.id = ANY($2) AND i.status = 'open' AND i.open_minor > 0
ORDER BY i.due_date, i.id`

// selectMessageStatement is every open item of a customer: open invoices and
// credit notes (status open, open amount above zero) and payments with an
// unallocated part; credits negative. Invoices first by due date, then credit
// notes, then payments, by date.
const selectMessageStatement = `
SELECT id, kind, number, day, due, currency, open_minor, days_overdue FROM (
    SELECT i.id, i.type AS kind, i.number, i.issue_date AS day,
           CASE WHEN i.type = 'invoice' THEN i.due_date END AS due, i.currency,
           CASE WHEN i.type = 'invoice' THEN i.open_minor ELSE -i.open_minor END AS open_minor,
           CASE WHEN i.type = 'invoice' THEN (now() AT TIME ZONE c.timezone)::date - i.due_date ELSE 0 END AS days_overdue
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id
    WHERE i.customer_id = $1 AND i.status = 'open' AND i.open_minor > 0
    UNION ALL
    SELECT p.id, 'payment', p.external_id, p.received_on, NULL, p.currency, -p.unallocated_minor, 0
    FROM payments p
    WHERE p.customer_id = $1 AND p.unallocated_minor > 0
) items
ORDER BY CASE kind WHEN 'invoice' THEN 0 WHEN 'credit_note' THEN 1 ELSE 2 END, coalesce(due, day), day, id`

// MessageContext loads the customer, its entity (with its sender identity)
// and agent, every open item of the account, and those of invoiceIDs that
// belong to the customer and are still open. An unknown customer is a domain
// CodeNotFound error.
func (s *Store) MessageContext(ctx context.Context, customerID int64, invoiceIDs []int64) (MessageContext, error) {
	var mc MessageContext
	c := &mc.Customer
	err := s.Pool.QueryRow(ctx, selectMessageCustomer, customerID).Scan(&c.ID, &c.ExternalID, &c.Name, &c.Email, &c.Phone,
		&c.Language, &c.TimeZone, &mc.Entity.Name, &mc.Entity.Country, &mc.Entity.Language, &mc.AgentName, &mc.AgentEmail,
		&mc.Entity.SenderName, &mc.Entity.SenderAddress, &mc.Entity.ReplyTo, &mc.Entity.SignatureName, &mc.Entity.SignaturePhone,
		&mc.Entity.ReplyDomain, &mc.Entity.ReplyLocal, &mc.Entity.ReplyPauseDays, &c.Undeliverable)
	if errors.Is(err, pgx.ErrNoRows) {
		return mc, domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
	}
	if err != nil {
		return mc, err
	}
	if mc.Statement, err = s.messageStatement(ctx, customerID); err != nil {
		return mc, err
	}
	if len(invoiceIDs) == 0 {
		return mc, nil
	}
	rows, err := s.Pool.Query(ctx, selectMessageInvoices, customerID, invoiceIDs)
	if err != nil {
		return mc, err
	}
	mc.Invoices, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (MessageInvoice, error) {
		var inv MessageInvoice
		var cur string
		var amount, open int64
		if err := r.Scan(&inv.ID, &inv.Number, &inv.IssueDate, &inv.DueDate, &cur, &amount, &open, &inv.DaysOverdue); err != nil {
			return inv, err
		}
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return inv, fmt.Errorf("invoice %d: %w", inv.ID, err)
		}
		inv.Amount = money.Money{Minor: amount, Currency: c}
		inv.Open = money.Money{Minor: open, Currency: c}
		return inv, nil
	})
	return mc, err
}

func (s *Store) messageStatement(ctx context.Context, customerID int64) ([]MessageItem, error) {
	rows, err := s.Pool.Query(ctx, selectMessageStatement, customerID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MessageItem, error) {
		var it MessageItem
		var cur string
		var due *time.Time
		var open int64
		if err := r.Scan(&it.ID, &it.Kind, &it.Number, &it.Date, &due, &cur, &open, &it.DaysOverdue); err != nil {
			return it, err
		}
		if due != nil {
			it.DueDate = *due
		}
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return it, fmt.Errorf("%s %d: %w", it.Kind, it.ID, err)
		}
		it.Open = money.Money{Minor: open, Currency: c}
		return it, nil
	})
}

func customerTarget(id int64) string { return "customer/" + strconv.FormatInt(id, 10) }
