package app

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
)

// EntitySettings are an entity's sending gates as people read and write
// them: amounts as decimals in the entity's currency, ages as "24h" or "2d".
type EntitySettings struct {
	Entity   string `json:"entity"`
	Currency string `json:"currency"`
	// Sending: live (customers get their messages), test (every customer
	// message goes to TestAddress, marked as a test) or off (none; tasks
	// for people still go out).
	Sending     store.Sending `json:"sending"`
	TestAddress string        `json:"test_address"`
	// MaxDataAge: customer messages wait when the entity's last payments
	// import (invoices when it never imported payments) is older.
	MaxDataAge string `json:"max_data_age"`
	// MinAmountToChase: a net amount due below it is not chased.
	MinAmountToChase      string `json:"min_amount_to_chase"`
	MinAmountToChaseMinor int64  `json:"min_amount_to_chase_minor"`
	// Consent to texts and calls for customers whose consent the import left unknown.
	SMSConsentDefault   bool `json:"sms_consent_default"`
	VoiceConsentDefault bool `json:"voice_consent_default"`
	// CreditLimitThresholds: an alert when an account's use of its credit
	// limit crosses one of these percents upward (README "Credit limits and holds").
	CreditLimitThresholds []int `json:"credit_limit_thresholds"`
}

// EntitySettingsRequest changes some of an entity's settings: a field left
// out keeps its value.
type EntitySettingsRequest struct {
	Sending               *string `json:"sending"`
	TestAddress           *string `json:"test_address"`
	MaxDataAge            *string `json:"max_data_age"`
	MinAmountToChase      *string `json:"min_amount_to_chase"`
	SMSConsentDefault     *bool   `json:"sms_consent_default"`
	VoiceConsentDefault   *bool   `json:"voice_consent_default"`
	CreditLimitThresholds *[]int  `json:"credit_limit_thresholds"`
}

// Bounds of max_data_age: below a few minutes no ERP keeps up; above a year
// the gate means nothing.
const (
	minDataAge = 5 * time.Minute
	maxDataAge = 366 * 24 * time.Hour
)

// EntitySettings reads the entity's sending gates.
func (a *App) EntitySettings(ctx context.Context, who domain.Principal, entity string) (EntitySettings, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return EntitySettings{}, err
	}
	s, err := a.store.EntitySettings(ctx, entity)
	if err != nil {
		return EntitySettings{}, err
	}
	return settingsView(s)
}

// SetEntitySettings validates and saves the entity's sending gates (journaled).
func (a *App) SetEntitySettings(ctx context.Context, who domain.Principal, entity string, req EntitySettingsRequest) (EntitySettings, error) {
	if err := allow(who, auth.EntitiesWrite); err != nil {
		return EntitySettings{}, err
	}
	cur, err := a.store.EntitySettings(ctx, entity)
	if err != nil {
		return EntitySettings{}, err
	}
	next, err := applySettings(cur, req)
	if err != nil {
		return EntitySettings{}, err
	}
	saved, err := a.store.SetEntitySettings(ctx, next, who.Actor())
	if err != nil {
		return EntitySettings{}, err
	}
	a.log.Info("entity settings changed", "entity", entity, "sending", saved.Sending, "by", who.Actor())
	return settingsView(saved)
}

func applySettings(s store.EntitySettings, req EntitySettingsRequest) (store.EntitySettings, error) {
	var errs []error
	if req.Sending != nil {
		v, err := ParseSending("sending", *req.Sending)
		if err != nil {
			errs = append(errs, err)
		}
		s.Sending = v
	}
	if req.TestAddress != nil {
		s.TestAddress = strings.TrimSpace(*req.TestAddress)
		if s.TestAddress != "" {
			addr, err := mail.ParseAddress(s.TestAddress)
			if err != nil || !strings.Contains(addr.Address, "@") {
				errs = append(errs, domain.FieldError("test_address", "%q: want an email address such as ar-test@example.com", s.TestAddress))
			} else {
				s.TestAddress = addr.Address
			}
		}
	}
	if s.Sending == store.SendingTest && s.TestAddress == "" {
		errs = append(errs, domain.FieldError("test_address", "required when sending is test: every customer message goes there"))
	}
	if req.MaxDataAge != nil {
		d, err := ParseDataAge(*req.MaxDataAge)
		if err != nil {
			errs = append(errs, domain.FieldError("max_data_age", "%v", err))
		}
		s.MaxDataAge = d
	}
	if req.MinAmountToChase != nil {
		c, err := money.ParseCurrency(s.Currency)
		if err != nil {
			return s, err
		}
		v := strings.TrimSpace(*req.MinAmountToChase)
		if v == "" {
			v = "0"
		}
		minor, err := money.ParseMinor(v, c)
		switch {
		case err != nil:
			errs = append(errs, domain.FieldError("min_amount_to_chase", "%q: want an amount in %s such as 25.00: %v", v, c.Code(), err))
		case minor < 0:
			errs = append(errs, domain.FieldError("min_amount_to_chase", "%q: must not be negative", v))
		}
		s.MinChaseMinor = minor
	}
	if req.SMSConsentDefault != nil {
		s.SMSConsentDefault = *req.SMSConsentDefault
	}
	if req.VoiceConsentDefault != nil {
		s.VoiceConsentDefault = *req.VoiceConsentDefault
	}
	if req.CreditLimitThresholds != nil {
		t, err := checkThresholds(*req.CreditLimitThresholds)
		if err != nil {
			errs = append(errs, err)
		}
		s.CreditLimitThresholds = t
	}
	return s, domain.Invalid(errs...)
}

// ParseSending reads a sending mode; field names it in the error (a form
// field, or the environment variable RECOUP_NEW_ENTITY_SENDING).
func ParseSending(field, v string) (store.Sending, error) {
	s := store.Sending(strings.ToLower(strings.TrimSpace(v)))
	if !s.Valid() {
		return s, domain.FieldError(field, "%q: want live, test or off", v)
	}
	return s, nil
}

// ParseDataAge reads an age such as "24h", "90m", "2d" or "1d12h".
func ParseDataAge(v string) (time.Duration, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	var days int64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 24h, 90m or 2d", v)
		}
		days, s = n, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		var err error
		if rest, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 24h, 90m or 2d", v)
		}
	}
	d := time.Duration(days)*24*time.Hour + rest
	if d < minDataAge || d > maxDataAge {
		return 0, fmt.Errorf("%q: want between 5m and 366d", v)
	}
	return d, nil
}

// FormatDataAge writes an age the way ParseDataAge reads it, shortest first.
func FormatDataAge(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

func settingsView(s store.EntitySettings) (EntitySettings, error) {
	c, err := money.ParseCurrency(s.Currency)
	if err != nil {
		return EntitySettings{}, err
	}
	return EntitySettings{Entity: s.Code, Currency: s.Currency, Sending: s.Sending, TestAddress: s.TestAddress,
		MaxDataAge: FormatDataAge(s.MaxDataAge), MinAmountToChase: money.FormatMinor(s.MinChaseMinor, c),
		MinAmountToChaseMinor: s.MinChaseMinor, SMSConsentDefault: s.SMSConsentDefault,
		VoiceConsentDefault: s.VoiceConsentDefault, CreditLimitThresholds: s.CreditLimitThresholds}, nil
}

// MarkContactInvalid records that the customer's email or phone (channel
// "email", or "phone" — "sms" and "voice" name the phone too, as the desk's
// outcome form does) does not reach them (the desk's wrong_contact outcome):
// reminders skip it, falling back to the other channels, until
// ClearContactInvalid or an import that changes that contact. Journaled.
func (a *App) MarkContactInvalid(ctx context.Context, who domain.Principal, customerID int64, channel, reason string) error {
	return a.setContactInvalid(ctx, who, customerID, channel, true, reason)
}

// ClearContactInvalid lifts the mark MarkContactInvalid put. Journaled.
func (a *App) ClearContactInvalid(ctx context.Context, who domain.Principal, customerID int64, channel string) error {
	return a.setContactInvalid(ctx, who, customerID, channel, false, "")
}

func (a *App) setContactInvalid(ctx context.Context, who domain.Principal, customerID int64, channel string, invalid bool, reason string) error {
	if err := allow(who, auth.TasksClose); err != nil {
		return err
	}
	if err := a.store.CheckCustomer(ctx, perimeter(who), customerID); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > maxReason {
		return domain.FieldError("reason", "at most %d characters", maxReason)
	}
	channel = strings.ToLower(strings.TrimSpace(channel))
	if channel == string(domain.ChannelSMS) || channel == string(domain.ChannelVoice) {
		channel = store.ContactPhone // one number carries texts and calls
	}
	return a.store.SetContactInvalid(ctx, customerID, channel, invalid, reason, who.Actor())
}

// InboundText handles a text a customer sent (Twilio's inbound webhook): a
// STOP marks the number opted out of texts, a START lifts that; both are
// journaled. Other texts are only logged: replies are read by people in Twilio.
func (a *App) InboundText(ctx context.Context, m notify.InboundSMS) error {
	var ids []int64
	var err error
	switch m.Keyword {
	case notify.KeywordStop:
		ids, err = a.store.OptOutSMS(ctx, m.From, "inbound "+strings.ToUpper(strings.TrimSpace(m.Body))+" ("+m.SID+")", "twilio")
	case notify.KeywordStart:
		ids, err = a.store.OptInSMS(ctx, m.From, "inbound "+strings.ToUpper(strings.TrimSpace(m.Body))+" ("+m.SID+")", "twilio")
	default:
		a.log.Info("incoming text", "sid", m.SID)
		return nil
	}
	if err == nil {
		a.log.Info("incoming opt keyword", "sid", m.SID, "keyword", m.Keyword, "customers", len(ids))
	}
	return err
}
