package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// EntitySender is who an entity's emails come from and who signs them. Every
// text field may be empty: the sender then falls back to RECOUP_MAIL_FROM, the
// Reply-To to the account's agent, and no signature block is shown.
type EntitySender struct {
	SenderName     string `json:"sender_name"`
	SenderAddress  string `json:"sender_address"`
	ReplyTo        string `json:"reply_to"`
	SignatureName  string `json:"signature_name"`
	SignaturePhone string `json:"signature_phone"`
	// ReplyDomain, when set, gives each account's reminders the Reply-To
	// <ReplyLocal>+<token>@<ReplyDomain> (ReplyLocal "reply" when empty),
	// which the inbound listener receives; ReplyPauseDays is how many
	// business days a customer's reply pauses the account's reminders.
	ReplyDomain    string `json:"reply_domain"`
	ReplyLocal     string `json:"reply_local"`
	ReplyPauseDays int    `json:"reply_pause_days"`
}

const (
	senderColumns = `sender_name, sender_address, reply_to, signature_name, signature_phone, reply_domain, reply_local,
       reply_pause_days`
	getSender  = `SELECT ` + senderColumns + ` FROM entities WHERE code = $1`
	lockSender = getSender + ` FOR UPDATE`
	setSender  = `
UPDATE entities SET sender_name = $2, sender_address = $3, reply_to = $4, signature_name = $5, signature_phone = $6,
       reply_domain = $7, reply_local = $8, reply_pause_days = $9, updated_at = now()
WHERE code = $1 RETURNING ` + senderColumns
)

func scanSender(r pgx.Row) (EntitySender, error) {
	var s EntitySender
	err := r.Scan(&s.SenderName, &s.SenderAddress, &s.ReplyTo, &s.SignatureName, &s.SignaturePhone, &s.ReplyDomain, &s.ReplyLocal, &s.ReplyPauseDays)
	return s, err
}

// EntitySender returns the sender identity of the entity with this code; an
// unknown code is domain CodeNotFound.
func (s *Store) EntitySender(ctx context.Context, code string) (EntitySender, error) {
	return readEntity(ctx, s, code, getSender, scanSender)
}

// SetEntitySender replaces the entity's sender identity and journals the
// change. Validation is the caller's (app.SetEntitySender).
func (s *Store) SetEntitySender(ctx context.Context, code string, in EntitySender, actor string) (EntitySender, error) {
	return updateEntity(ctx, s, code, "entity.sender", actor, scanSender, lockSender, setSender,
		in.SenderName, in.SenderAddress, in.ReplyTo, in.SignatureName, in.SignaturePhone,
		in.ReplyDomain, in.ReplyLocal, in.ReplyPauseDays)
}
