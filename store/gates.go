package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Sending is what an entity lets reach its customers.
type Sending string

const (
	SendingLive Sending = "live" // customers get their messages
	SendingTest Sending = "test" // every customer message goes to the entity's test address
	SendingOff  Sending = "off"  // no customer message; tasks for people still go out
)

// Valid reports whether s is one of the three modes.
func (s Sending) Valid() bool { return s == SendingLive || s == SendingTest || s == SendingOff }

// EntitySettings are an entity's sending gates (migration 00014).
type EntitySettings struct {
	Code                string        `json:"code"`
	Currency            string        `json:"currency"`
	Sending             Sending       `json:"sending"`
	TestAddress         string        `json:"test_address"`
	MaxDataAge          time.Duration `json:"max_data_age_ns"` // journaled in nanoseconds, as Go writes a Duration
	MinChaseMinor       int64         `json:"min_amount_to_chase_minor"`
	SMSConsentDefault   bool          `json:"sms_consent_default"`
	VoiceConsentDefault bool          `json:"voice_consent_default"`
	// CreditLimitThresholds are the uses of the credit limit, in percent,
	// whose upward crossing raises an alert (README "Credit limits and holds").
	CreditLimitThresholds []int `json:"credit_limit_thresholds"`
}

const entitySettingsColumns = `code, currency, sending, test_address, extract(epoch FROM max_data_age)::bigint,
       min_amount_to_chase_minor, sms_consent_default, voice_consent_default, credit_limit_thresholds`

const (
	getEntitySettings  = `SELECT ` + entitySettingsColumns + ` FROM entities WHERE code = $1`
	lockEntitySettings = getEntitySettings + ` FOR UPDATE`
	setEntitySettings  = `
UPDATE entities SET sending = $2, test_address = $3, max_data_age = make_interval(secs => $4),
       min_amount_to_chase_minor = $5, sms_consent_default = $6, voice_consent_default = $7, credit_limit_thresholds = $8,
       updated_at = now()
WHERE code = $1 RETURNING ` + entitySettingsColumns
)

func scanEntitySettings(r pgx.Row) (EntitySettings, error) {
	var e EntitySettings
	var secs int64
	err := r.Scan(&e.Code, &e.Currency, &e.Sending, &e.TestAddress, &secs, &e.MinChaseMinor, &e.SMSConsentDefault, &e.VoiceConsentDefault,
		&e.CreditLimitThresholds)
	e.MaxDataAge = time.Duration(secs) * time.Second
	return e, err
}

// EntitySettings reads the sending gates of the entity with this code.
func (s *Store) EntitySettings(ctx context.Context, code string) (EntitySettings, error) {
	return readEntity(ctx, s, code, getEntitySettings, scanEntitySettings)
}

// SetEntitySettings replaces the entity's sending gates and journals the change.
func (s *Store) SetEntitySettings(ctx context.Context, e EntitySettings, actor string) (EntitySettings, error) {
	return updateEntity(ctx, s, e.Code, "entity.settings", actor, scanEntitySettings, lockEntitySettings, setEntitySettings,
		e.Sending, e.TestAddress, e.MaxDataAge.Seconds(), e.MinChaseMinor, e.SMSConsentDefault, e.VoiceConsentDefault,
		thresholds(e.CreditLimitThresholds))
}

// Gate is what decides whether and where a customer message may go: the
// entity's sending mode and the customer's consent, opt-outs and invalid marks.
type Gate struct {
	EntityCode  string
	Sending     Sending
	TestAddress string
	// SMSAllowed / VoiceAllowed: consent recorded true (or unknown with the
	// entity's default true) and the number not opted out.
	SMSAllowed, VoiceAllowed bool
	// Why the channel is not allowed, when it is not.
	SMSWhy, VoiceWhy string
	EmailInvalid     string // reason of the invalid mark; "" when usable
	PhoneInvalid     string
}

const gateOfCustomer = `
SELECT e.code, e.sending, e.test_address,
       coalesce(c.sms_consent, e.sms_consent_default), c.sms_consent IS NULL, c.sms_opted_out_at IS NOT NULL,
       coalesce(c.voice_consent, e.voice_consent_default), c.voice_consent IS NULL, c.voice_opted_out_at IS NOT NULL,
       CASE WHEN c.email_invalid_at IS NULL THEN '' ELSE coalesce(nullif(c.email_invalid_reason, ''), 'marked invalid') END,
       CASE WHEN c.phone_invalid_at IS NULL THEN '' ELSE coalesce(nullif(c.phone_invalid_reason, ''), 'marked invalid') END
FROM customers c JOIN entities e ON e.id = c.entity_id WHERE c.id = $1`

// SendGate reads the gate of one customer.
func (s *Store) SendGate(ctx context.Context, customerID int64) (Gate, error) {
	var g Gate
	var smsOK, smsUnknown, smsOut, voiceOK, voiceUnknown, voiceOut bool
	err := s.Pool.QueryRow(ctx, gateOfCustomer, customerID).Scan(&g.EntityCode, &g.Sending, &g.TestAddress,
		&smsOK, &smsUnknown, &smsOut, &voiceOK, &voiceUnknown, &voiceOut, &g.EmailInvalid, &g.PhoneInvalid)
	if errors.Is(err, pgx.ErrNoRows) {
		return g, domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
	}
	g.SMSAllowed, g.SMSWhy = consent("texts", smsOK, smsUnknown, smsOut)
	g.VoiceAllowed, g.VoiceWhy = consent("calls", voiceOK, voiceUnknown, voiceOut)
	return g, err
}

func consent(what string, ok, unknown, optedOut bool) (bool, string) {
	switch {
	case optedOut:
		return false, "the number opted out of " + what
	case !ok && unknown:
		return false, "no consent to " + what + " recorded (the entity's default is no)"
	case !ok:
		return false, "the customer did not consent to " + what
	}
	return true, ""
}

// Channels a contact can be marked invalid on.
const (
	ContactEmail = "email"
	ContactPhone = "phone"
)

// markContact sets ($2 true, reason $3) or clears the invalid mark of a
// customer's email or phone, answering the contact.
var markContact = map[string]string{
	ContactEmail: `UPDATE customers SET email_invalid_at = CASE WHEN $2 THEN now() END,
       email_invalid_reason = CASE WHEN $2 THEN $3 ELSE '' END WHERE id = $1 RETURNING email`,
	ContactPhone: `UPDATE customers SET phone_invalid_at = CASE WHEN $2 THEN now() END,
       phone_invalid_reason = CASE WHEN $2 THEN $3 ELSE '' END WHERE id = $1 RETURNING phone`,
}

// SetContactInvalid marks (invalid true) or clears the customer's email or
// phone as not reaching them, and journals it. An import that changes that
// contact clears the mark too.
func (s *Store) SetContactInvalid(ctx context.Context, customerID int64, channel string, invalid bool, reason, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return setContactInvalid(ctx, tx, customerID, channel, invalid, reason, actor)
	})
}

// setContactInvalid is SetContactInvalid inside the caller's transaction (a
// task completed with wrong_contact marks the contact in its own).
func setContactInvalid(ctx context.Context, tx pgx.Tx, customerID int64, channel string, invalid bool, reason, actor string) error {
	q, ok := markContact[channel]
	if !ok {
		return domain.FieldError("channel", "%q: want email or phone", channel)
	}
	var contact string
	err := tx.QueryRow(ctx, q, customerID, invalid, reason).Scan(&contact)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.CodeNotFound, "customer %d not found", customerID)
	} else if err != nil {
		return err
	}
	action := "customer.contact_invalid"
	if !invalid {
		action = "customer.contact_valid"
	}
	after, _ := json.Marshal(map[string]string{"channel": channel, "contact": contact, "reason": reason})
	return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: customerTarget(customerID), After: after})
}

const optInSMS = `
UPDATE customers SET sms_opted_out_at = NULL
WHERE phone = $1 AND phone <> '' AND sms_opted_out_at IS NOT NULL RETURNING id`

const optOutSMS = `
UPDATE customers SET sms_opted_out_at = now()
WHERE phone = $1 AND phone <> '' AND sms_opted_out_at IS NULL RETURNING id`

// OptOutSMS records that the number answered STOP (Twilio error 21610 on a
// send, or an inbound STOP): every customer with that number, journaled per
// customer. It answers the customers newly marked.
func (s *Store) OptOutSMS(ctx context.Context, phone, why, actor string) ([]int64, error) {
	return s.smsOpt(ctx, optOutSMS, "customer.sms_opt_out", phone, why, actor)
}

// OptInSMS lifts the number's opt-out (an inbound START), journaled per customer.
func (s *Store) OptInSMS(ctx context.Context, phone, why, actor string) ([]int64, error) {
	return s.smsOpt(ctx, optInSMS, "customer.sms_opt_in", phone, why, actor)
}

func (s *Store) smsOpt(ctx context.Context, q, action, phone, why, actor string) ([]int64, error) {
	var ids []int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, phone)
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]string{"phone": phone, "why": why})
		for _, id := range ids {
			if err := Journal(ctx, tx, Entry{Actor: actor, Action: action,
				Target: customerTarget(id), After: after}); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// dataAge is when the entity's last finished import of payments ended, or
// of invoices when it never imported payments; an import speaks for an
// entity when its rows named the entity's customers (import_entities, which
// migration 00020 completed for older imports). NULL: never imported.
const dataAge = `
WITH last AS (
    SELECT i.kind, max(i.finished_at) AS at
    FROM import_entities ie
    JOIN imports i ON i.id = ie.import_id
    WHERE ie.entity_id = $1 AND i.finished_at IS NOT NULL AND i.kind IN ('payments', 'invoices')
    GROUP BY i.kind)
SELECT e.code, extract(epoch FROM e.max_data_age)::bigint,
       coalesce((SELECT at FROM last WHERE kind = 'payments'), (SELECT at FROM last WHERE kind = 'invoices')),
       (SELECT kind FROM last ORDER BY kind = 'payments' DESC LIMIT 1)
FROM entities e WHERE e.id = $1`

// StaleData says why the entity's customer messages must wait, "" when its
// data is fresh enough (or it never imported any: nothing to judge by).
func (s *Store) StaleData(ctx context.Context, entityID int64, now time.Time) (string, error) {
	var code string
	var maxAge int64
	var at *time.Time
	var kind *string
	if err := s.Pool.QueryRow(ctx, dataAge, entityID).Scan(&code, &maxAge, &at, &kind); err != nil {
		return "", err
	}
	return staleReason(code, time.Duration(maxAge)*time.Second, at, kind, now), nil
}

func staleReason(code string, maxAge time.Duration, at *time.Time, kind *string, now time.Time) string {
	if at == nil || kind == nil || now.Sub(*at) <= maxAge {
		return ""
	}
	return fmt.Sprintf("stale data: entity %s's last %s import finished %s (%s ago), more than max_data_age %s",
		code, *kind, at.UTC().Format(time.RFC3339), now.Sub(*at).Truncate(time.Minute), maxAge)
}

// StaleDataTaskKey is the key of the one alert per entity and day.
func StaleDataTaskKey(entity string, day time.Time) string {
	return "stale-data/" + entity + "/" + day.UTC().Format(time.DateOnly)
}

// AlertStaleData gives the credit managers one task per entity and day
// saying its customer messages wait for fresh data; it hangs on the account
// that noticed first. Running it again that day does nothing.
func (s *Store) AlertStaleData(ctx context.Context, entity string, customerID int64, why string, now time.Time) (bool, error) {
	_, created, err := s.CreateTask(ctx, Task{
		Key: StaleDataTaskKey(entity, now), CustomerID: customerID, Kind: domain.TaskEscalation,
		AssigneeRole: domain.AssigneeCreditManager, InvoiceIDs: []int64{}, DueAt: now.Add(4 * time.Hour),
		Note:  "import fresh data for entity " + entity + ": customer messages of all its accounts wait. " + why,
		Actor: "system",
	})
	return created, err
}

// thresholds is never nil: the column is NOT NULL, an empty list means no alert.
func thresholds(t []int) []int {
	if t == nil {
		return []int{}
	}
	return t
}
