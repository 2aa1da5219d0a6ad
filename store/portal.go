package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/money"
)

// PortalSettings are an entity's customer portal settings (migration 00038).
type PortalSettings struct {
	Code string `json:"code"`
	// LinkDays is how long a link lives after the reminder that carried it.
	LinkDays int `json:"link_days"`
	// PromiseMaxDays bounds how far ahead a promise made in the portal may go.
	PromiseMaxDays int `json:"promise_max_days"`
	// PayURL and DocumentURL are URL templates (see app.PortalPayURL); "" for none.
	PayURL      string `json:"pay_url"`
	DocumentURL string `json:"document_url"`
	// LogoURL and Color brand the portal's pages ("" for Recoup's defaults).
	LogoURL string `json:"logo_url"`
	Color   string `json:"color"`
}

const portalSettingsColumns = `code, portal_link_days, portal_promise_max_days, portal_pay_url, portal_document_url, portal_logo_url, portal_color`

const (
	getPortalSettings  = `SELECT ` + portalSettingsColumns + ` FROM entities WHERE code = $1`
	lockPortalSettings = getPortalSettings + ` FOR UPDATE`
	setPortalSettings  = `
UPDATE entities SET portal_link_days = $2, portal_promise_max_days = $3, portal_pay_url = $4, portal_document_url = $5,
       portal_logo_url = $6, portal_color = $7, updated_at = now()
WHERE code = $1 RETURNING ` + portalSettingsColumns
)

func scanPortalSettings(r pgx.Row) (PortalSettings, error) {
	var p PortalSettings
	err := r.Scan(&p.Code, &p.LinkDays, &p.PromiseMaxDays, &p.PayURL, &p.DocumentURL, &p.LogoURL, &p.Color)
	return p, err
}

// PortalSettings reads the portal settings of the entity with this code.
func (s *Store) PortalSettings(ctx context.Context, code string) (PortalSettings, error) {
	return readEntity(ctx, s, code, getPortalSettings, scanPortalSettings)
}

// SetPortalSettings replaces the entity's portal settings and journals the change.
func (s *Store) SetPortalSettings(ctx context.Context, p PortalSettings, actor string) (PortalSettings, error) {
	return updateEntity(ctx, s, p.Code, "entity.portal_settings", actor, scanPortalSettings, lockPortalSettings, setPortalSettings,
		p.LinkDays, p.PromiseMaxDays, p.PayURL, p.DocumentURL, p.LogoURL, p.Color)
}

// PortalLinkWrite is a link to record: the hash of its token, who it goes
// to, and the reminder that carries it ("": a link asked for on the page).
type PortalLinkWrite struct {
	CustomerID  int64
	Hash        []byte
	Contact     string
	ReminderKey string
}

const (
	// A reminder sent again after a failed attempt replaces the hash of the
	// link its first attempt made: that attempt reached no one.
	insertPortalLink = `
INSERT INTO portal_links (customer_id, token_hash, contact, reminder_key, expires_at)
SELECT c.id, $2, $3, nullif($4, ''), now() + make_interval(days => e.portal_link_days)
FROM customers c JOIN entities e ON e.id = c.entity_id WHERE c.id = $1
ON CONFLICT (reminder_key) DO UPDATE SET token_hash = excluded.token_hash, contact = excluded.contact,
    expires_at = excluded.expires_at, revoked_at = NULL, revoked_by = ''
    WHERE portal_links.customer_id = excluded.customer_id
RETURNING id, expires_at`
	// Each new link renews the customer's other live links to its own expiry.
	renewPortalLinks = `
UPDATE portal_links SET expires_at = $2
WHERE customer_id = $1 AND revoked_at IS NULL AND expires_at > now() AND expires_at < $2`
)

// IssuePortalLink records a link and renews the customer's live links to
// its expiry (the entity's portal_link_days from now). An unknown customer
// is CodeNotFound.
func (s *Store) IssuePortalLink(ctx context.Context, w PortalLinkWrite) (time.Time, error) {
	var expires time.Time
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, insertPortalLink, w.CustomerID, w.Hash, w.Contact, w.ReminderKey).Scan(&id, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "customer %d not found", w.CustomerID)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, renewPortalLinks, w.CustomerID, expires)
		return err
	})
	return expires, err
}

// PortalAccess is what a portal link or session opens: one customer account.
type PortalAccess struct {
	LinkID     int64
	CustomerID int64
	Contact    string
	ExpiresAt  time.Time
}

const (
	livePortalLink = `
SELECT id, customer_id, contact, expires_at FROM portal_links
WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`
	insertPortalSession = `
INSERT INTO portal_sessions (secret_hash, link_id, expires_at) VALUES ($1, $2, least($3, now() + make_interval(secs => $4)))
RETURNING expires_at`
	livePortalSession = `
SELECT l.id, l.customer_id, l.contact, s.expires_at FROM portal_sessions s JOIN portal_links l ON l.id = s.link_id
WHERE s.secret_hash = $1 AND s.expires_at > now() AND l.revoked_at IS NULL AND l.expires_at > now()`
	deletePortalSession = `DELETE FROM portal_sessions WHERE secret_hash = $1`
)

// ErrPortalLinkDead is a link that is unknown, expired or revoked: the page
// offers to ask for a new one, and says nothing about which it was.
var ErrPortalLinkDead = domain.Errorf(domain.CodeNotFound, "this link is no longer valid")

// OpenPortalLink starts a session (the hash of its secret) on a live link,
// for at most ttl and never past the link's expiry, and journals
// "portal.open" on the customer with the contact as actor.
func (s *Store) OpenPortalLink(ctx context.Context, tokenHash, sessionHash []byte, ttl time.Duration) (PortalAccess, error) {
	var a PortalAccess
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, livePortalLink, tokenHash).Scan(&a.LinkID, &a.CustomerID, &a.Contact, &a.ExpiresAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrPortalLinkDead
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, insertPortalSession, sessionHash, a.LinkID, a.ExpiresAt, ttl.Seconds()).Scan(&a.ExpiresAt); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"link": a.LinkID, "session_until": a.ExpiresAt})
		return Journal(ctx, tx, Entry{Actor: PortalActor(a.Contact), Action: "portal.open", Target: customerTarget(a.CustomerID), After: after})
	})
	return a, err
}

// PortalSession answers the account a live session opens; a session that is
// unknown, expired, or whose link expired or was revoked is ErrPortalLinkDead.
func (s *Store) PortalSession(ctx context.Context, sessionHash []byte) (PortalAccess, error) {
	var a PortalAccess
	err := s.Pool.QueryRow(ctx, livePortalSession, sessionHash).Scan(&a.LinkID, &a.CustomerID, &a.Contact, &a.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrPortalLinkDead
	}
	return a, err
}

// EndPortalSession forgets a session (the customer signed out).
func (s *Store) EndPortalSession(ctx context.Context, sessionHash []byte) error {
	_, err := s.Pool.Exec(ctx, deletePortalSession, sessionHash)
	return err
}

// PortalActor names a customer contact in the journal.
func PortalActor(contact string) string { return contact + " (portal)" }

const (
	revokePortalLinks = `
UPDATE portal_links SET revoked_at = now(), revoked_by = $2
WHERE customer_id = $1 AND revoked_at IS NULL AND expires_at > now()`
	deletePortalSessions = `
DELETE FROM portal_sessions s USING portal_links l WHERE l.id = s.link_id AND l.customer_id = $1`
)

// RevokePortalLinks ends every live link and session of the customer and
// journals "portal.revoke"; it answers how many links it revoked.
func (s *Store) RevokePortalLinks(ctx context.Context, customerID int64, reason, actor string) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, revokePortalLinks, customerID, actor)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, deletePortalSessions, customerID); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"links": n, "reason": reason})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "portal.revoke", Target: customerTarget(customerID), After: after})
	})
	return n, err
}

// PortalContact is a customer an address is a known contact of.
type PortalContact struct {
	CustomerID int64
	Email      string
}

// portalContacts finds the customers an address reaches: the customer's
// email field (which may list several addresses) or one of its contacts.
const portalContacts = `
SELECT c.id FROM customers c
WHERE EXISTS (SELECT 1 FROM regexp_split_to_table(lower(c.email), '\s*[,;]\s*') a WHERE trim(a) = $1)
   OR EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id AND lower(trim(k.email)) = $1)
ORDER BY c.id LIMIT 20`

// PortalContacts answers the customers email (lowercase) is a known contact of.
func (s *Store) PortalContacts(ctx context.Context, email string) ([]PortalContact, error) {
	rows, err := s.Pool.Query(ctx, portalContacts, email)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PortalContact, error) {
		c := PortalContact{Email: email}
		return c, r.Scan(&c.CustomerID)
	})
}

// PortalInvoice is one open or disputed invoice as the portal shows it,
// with what holds it.
type PortalInvoice struct {
	ID          int64
	Number      string
	ExternalID  string
	IssueDate   time.Time
	DueDate     time.Time
	DaysOverdue int
	Amount      money.Money
	Open        money.Money
	Disputed    bool
	Promised    bool
	InPlan      bool
	Held        bool // another hold (a claimed payment being checked, an agent's hold)
	HasDocument bool // the ERP gave its PDF (invoice_documents)
}

// portalInvoices are the customer's invoices something is still owed on,
// oldest due first; with ids set, only those of them.
const portalInvoices = `
SELECT i.id, i.number, i.external_id, i.issue_date, i.due_date, (now() AT TIME ZONE c.timezone)::date - i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status = 'disputed',
       coalesce(pr.promised, false), coalesce(pl.planned, false),
       EXISTS (SELECT 1 FROM invoice_holds h WHERE h.invoice_id = i.id AND h.released_at IS NULL
               AND (h.until IS NULL OR h.until >= (now() AT TIME ZONE c.timezone)::date)),
       EXISTS (SELECT 1 FROM invoice_documents d WHERE d.invoice_id = i.id)
FROM invoices i
JOIN customers c ON c.id = i.customer_id
LEFT JOIN LATERAL (SELECT true AS promised FROM promises p
                   WHERE p.customer_id = i.customer_id AND p.status = 'open' AND i.id = ANY (p.invoice_ids) LIMIT 1) pr ON true
LEFT JOIN LATERAL (SELECT true AS planned FROM payment_plans p
                   WHERE p.customer_id = i.customer_id AND p.status = 'open' AND i.id = ANY (p.invoice_ids) LIMIT 1) pl ON true
WHERE i.customer_id = $1 AND i.type = 'invoice' AND i.status IN ('open', 'disputed') AND i.open_minor > 0
  AND ($2::bigint[] IS NULL OR i.id = ANY ($2::bigint[]))
ORDER BY i.due_date, i.id`

// PortalInvoices answers the customer's open and disputed invoices (only
// those of ids when ids is not nil): another customer's ids find nothing.
func (s *Store) PortalInvoices(ctx context.Context, customerID int64, ids []int64) ([]PortalInvoice, error) {
	rows, err := s.Pool.Query(ctx, portalInvoices, customerID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PortalInvoice, error) {
		var p PortalInvoice
		var cur string
		var amount, open int64
		if err := r.Scan(&p.ID, &p.Number, &p.ExternalID, &p.IssueDate, &p.DueDate, &p.DaysOverdue, &cur, &amount, &open,
			&p.Disputed, &p.Promised, &p.InPlan, &p.Held, &p.HasDocument); err != nil {
			return p, err
		}
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return p, fmt.Errorf("invoice %d: %w", p.ID, err)
		}
		p.Amount, p.Open = money.Money{Minor: amount, Currency: c}, money.Money{Minor: open, Currency: c}
		return p, nil
	})
}

// PortalCustomer is the account a portal session shows: who, in which
// language, and the entity's name and portal settings.
type PortalCustomer struct {
	ID         int64
	ExternalID string
	Name       string
	Email      string
	Language   string
	TimeZone   string
	Currency   string
	EntityCode string
	EntityName string
	Settings   PortalSettings
	// The account's agent, whom answers to the portal's emails reach when
	// the entity has no reply address of its own (notify.Email.Sign).
	AgentName, AgentEmail string
}

const portalCustomer = `
SELECT c.id, c.external_id, c.name, c.email, c.language, c.timezone, c.currency, e.name, coalesce(u.name, ''),
       coalesce(u.email, ''), ` + portalSettingsColumns + `
FROM customers c JOIN entities e ON e.id = c.entity_id LEFT JOIN users u ON u.id = c.agent_id WHERE c.id = $1`

// PortalCustomer reads the account a session opens.
func (s *Store) PortalCustomer(ctx context.Context, customerID int64) (PortalCustomer, error) {
	var c PortalCustomer
	p := &c.Settings
	err := s.Pool.QueryRow(ctx, portalCustomer, customerID).Scan(&c.ID, &c.ExternalID, &c.Name, &c.Email, &c.Language, &c.TimeZone,
		&c.Currency, &c.EntityName, &c.AgentName, &c.AgentEmail, &p.Code, &p.LinkDays, &p.PromiseMaxDays, &p.PayURL, &p.DocumentURL, &p.LogoURL, &p.Color)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, customerNotFound(customerID)
	}
	c.EntityCode = p.Code
	return c, err
}

// PortalCase is one of the customer's cases as the portal lists it.
type PortalCase struct {
	ID          int64
	Type        domain.CaseType
	Status      domain.CaseStatus
	Reason      string
	Description string
	OpenedAt    time.Time
	Invoices    []string // a dispute's invoice numbers
	Details     json.RawMessage
	// Decision and its reason: what a payment plan request's answer says to the customer.
	Decision       domain.Decision
	DecisionReason string
}

// portalCases are the customer's disputes and messages, newest first: what
// the customer raised or may answer. Internal requests (credit limit, data
// changes) are not the customer's to see.
const portalCases = `
SELECT k.id, k.type, k.status, k.reason, k.description, k.opened_at,
       coalesce((SELECT array_agg(i.number ORDER BY i.number) FROM case_invoices ci JOIN invoices i ON i.id = ci.invoice_id
                 WHERE ci.case_id = k.id), '{}'),
       k.details, k.decision, k.decision_reason
FROM cases k
WHERE k.customer_id = $1 AND k.type IN ('dispute', 'customer_message') AND ($2::bigint = 0 OR k.id = $2)
ORDER BY k.id DESC LIMIT 100`

// PortalCases answers the customer's disputes and messages (only case id
// when id is not 0: another customer's case finds nothing).
func (s *Store) PortalCases(ctx context.Context, customerID, id int64) ([]PortalCase, error) {
	rows, err := s.Pool.Query(ctx, portalCases, customerID, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PortalCase, error) {
		var k PortalCase
		err := r.Scan(&k.ID, &k.Type, &k.Status, &k.Reason, &k.Description, &k.OpenedAt, &k.Invoices, &k.Details, &k.Decision,
			&k.DecisionReason)
		return k, err
	})
}

// PortalJournal records a portal action on the customer's timeline (actor:
// the contact's PortalActor, or the staff member who acted); the actions
// that write through other use cases are journaled there already.
func (s *Store) PortalJournal(ctx context.Context, customerID int64, actor, action string, after any) error {
	b, err := json.Marshal(after)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: customerTarget(customerID), After: b})
	})
}
