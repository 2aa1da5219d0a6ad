package app

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// EntitySender is who the entity's reminder emails come from and who signs
// them (same permissions as its contact window).
func (a *App) EntitySender(ctx context.Context, who domain.Principal, entity string) (store.EntitySender, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return store.EntitySender{}, err
	}
	return a.store.EntitySender(ctx, entity)
}

// SenderRequest replaces an entity's sender identity; an absent or empty
// field clears it (the default applies again).
type SenderRequest struct {
	SenderName     string `json:"sender_name"`
	SenderAddress  string `json:"sender_address"`
	ReplyTo        string `json:"reply_to"`
	SignatureName  string `json:"signature_name"`
	SignaturePhone string `json:"signature_phone"`
	// ReplyDomain: replies to reminders go to <reply_local>+<token>@<reply_domain>
	// (see ReceiveCustomerEmail); empty: the Reply-To above or the agent.
	ReplyDomain string `json:"reply_domain"`
	ReplyLocal  string `json:"reply_local"`
	// ReplyPauseDays: business days a reply pauses the account (nil: 3).
	ReplyPauseDays *int `json:"reply_pause_days"`
}

// DefaultReplyPauseDays is how many business days a customer's reply pauses
// the account's reminders when the entity does not say.
const DefaultReplyPauseDays = 3

// maxReplyPauseDays bounds the pause a reply gives (the database checks it too).
const maxReplyPauseDays = 30

// SetEntitySender validates and saves the entity's sender identity.
func (a *App) SetEntitySender(ctx context.Context, who domain.Principal, entity string, req SenderRequest) (store.EntitySender, error) {
	if err := allow(who, auth.EntitiesWrite); err != nil {
		return store.EntitySender{}, err
	}
	s, err := validSender(req)
	if err != nil {
		return s, err
	}
	return a.store.SetEntitySender(ctx, entity, s, who.Actor())
}

// maxSenderText bounds the free-text fields: they go into headers and the
// signature of every email.
const maxSenderText = 200

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ().\-/]{3,30}$`)

func validSender(req SenderRequest) (store.EntitySender, error) {
	s := store.EntitySender{
		SenderName: strings.TrimSpace(req.SenderName), SenderAddress: strings.TrimSpace(req.SenderAddress),
		ReplyTo: strings.TrimSpace(req.ReplyTo), SignatureName: strings.TrimSpace(req.SignatureName),
		SignaturePhone: strings.TrimSpace(req.SignaturePhone), ReplyDomain: strings.ToLower(strings.TrimSpace(req.ReplyDomain)),
		ReplyLocal: strings.ToLower(strings.TrimSpace(req.ReplyLocal)), ReplyPauseDays: DefaultReplyPauseDays,
	}
	if req.ReplyPauseDays != nil {
		s.ReplyPauseDays = *req.ReplyPauseDays
	}
	var errs []error
	for _, f := range []struct{ name, v string }{
		{"sender_name", s.SenderName}, {"signature_name", s.SignatureName},
	} {
		switch {
		case len(f.v) > maxSenderText:
			errs = append(errs, domain.FieldError(f.name, "at most %d characters", maxSenderText))
		case strings.IndexFunc(f.v, unicode.IsControl) >= 0:
			errs = append(errs, domain.FieldError(f.name, "may not contain line breaks or control characters"))
		}
	}
	// A bare address: a display name belongs in sender_name.
	if s.SenderAddress != "" {
		if a, err := mail.ParseAddress(s.SenderAddress); err != nil || a.Address != s.SenderAddress {
			errs = append(errs, domain.FieldError("sender_address", "%q: want an email address such as ar@example.com", s.SenderAddress))
		}
	}
	// Reply-To may carry a name: "Accounts <ar@example.com>".
	if s.ReplyTo != "" {
		if _, err := mail.ParseAddress(s.ReplyTo); err != nil || strings.IndexFunc(s.ReplyTo, unicode.IsControl) >= 0 {
			errs = append(errs, domain.FieldError("reply_to", "%q: want an email address, optionally with a name: Accounts <ar@example.com>", s.ReplyTo))
		}
	}
	if s.SignaturePhone != "" && !phoneRE.MatchString(s.SignaturePhone) {
		errs = append(errs, domain.FieldError("signature_phone", "%q: want a phone number such as +33 1 23 45 67 89", s.SignaturePhone))
	}
	if s.ReplyDomain != "" && !domainRE.MatchString(s.ReplyDomain) {
		errs = append(errs, domain.FieldError("reply_domain", "%q: want a mail domain such as replies.example.com", s.ReplyDomain))
	}
	if s.ReplyLocal != "" && !localRE.MatchString(s.ReplyLocal) {
		errs = append(errs, domain.FieldError("reply_local", "%q: want letters, digits, dots, dashes or underscores (no +), such as ar", s.ReplyLocal))
	}
	if s.ReplyPauseDays < 0 || s.ReplyPauseDays > maxReplyPauseDays {
		errs = append(errs, domain.FieldError("reply_pause_days", "%d: want 0 (no pause) to %d business days", s.ReplyPauseDays, maxReplyPauseDays))
	}
	return s, domain.Invalid(errs...)
}

var (
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	localRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,40}[a-z0-9])?$`)
)
