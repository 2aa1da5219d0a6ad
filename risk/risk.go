// Package risk reads what credit risk providers send (README "Signals in"):
// an Adapter turns one provider's body into provider-neutral Signals, and the
// rules every input shares (identifier normalisation, score and rating
// bounds) live here once, for the webhook, the import and the adapters.
package risk

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// IDKind says which of a customer's identifiers a provider's company id is.
type IDKind string

const (
	IDRegistration IDKind = "registration" // a company register number: SIREN in France, Companies House number in the UK
	IDVAT          IDKind = "vat"          // an intra-EU VAT number, country prefix included
	IDExternal     IDKind = "external"     // the ERP's own customer id, for providers fed with it
)

// IDKinds lists the kinds, in the order a customer is matched by.
var IDKinds = []IDKind{IDRegistration, IDVAT, IDExternal}

// ParseIDKind accepts one of IDKinds, without case.
func ParseIDKind(s string) (IDKind, error) {
	k := IDKind(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range IDKinds {
		if k == v {
			return k, nil
		}
	}
	return "", fmt.Errorf("%q: want registration, vat or external", s)
}

// MaxCompanyID bounds an identifier once normalised.
const MaxCompanyID = 64

// NormaliseCompanyID is the form identifiers are stored and matched in: a
// registration or VAT number without spaces, dots or hyphens, upper-cased
// ("FR 40 303 265 045" is FR40303265045, "303.265.045" is 303265045); an
// external id only trimmed, since the ERP's ids are case-sensitive and may
// hold dots. Customers' numbers go through it at import, signals' at ingestion.
func NormaliseCompanyID(kind IDKind, id string) string {
	id = strings.TrimSpace(id)
	if kind == IDExternal {
		return id
	}
	return strings.ToUpper(strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\t', '\u00a0':
			return -1
		}
		return r
	}, id))
}

// CheckCompanyID says what is wrong with a normalised identifier, or nil.
func CheckCompanyID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("is required")
	case len(id) > MaxCompanyID:
		return fmt.Errorf("is longer than %d characters", MaxCompanyID)
	case strings.ContainsAny(id, "\x00\r\n"):
		return fmt.Errorf("holds a control character")
	}
	return nil
}

// MaxRating bounds a rating or class ("A", "BB+", "Very high risk").
const MaxRating = 50

// CheckScore wants a score from 0 (worst) to 100 (best).
func CheckScore(n int) error {
	if n < 0 || n > 100 {
		return fmt.Errorf("%d: want 0 to 100", n)
	}
	return nil
}

// ParseLegalStatus accepts one of domain.LegalStatuses, without case.
func ParseLegalStatus(s string) (domain.LegalStatus, error) {
	st := domain.LegalStatus(strings.ToLower(strings.TrimSpace(s)))
	if !st.Valid() {
		return "", fmt.Errorf("%q: want active, safeguard, receivership, liquidation or ceased", s)
	}
	return st, nil
}

// Signal is one observation of a company by a provider, whatever its format.
// A field the provider did not send is zero: nil score, "" rating, nil limit,
// "" legal status, zero publication date.
type Signal struct {
	EventID       string             // the provider's id of this event: a redelivery carries the same one
	CompanyID     string             // normalised (NormaliseCompanyID)
	CompanyIDKind IDKind             //
	CompanyName   string             // as the provider names it, for matching by hand
	ObservedAt    time.Time          // when the provider observed it (UTC)
	Score         *int               // 0 (worst) to 100 (best)
	Rating        string             // the provider's class
	Limit         *money.Money       // the recommended credit limit
	LegalStatus   domain.LegalStatus // "": the signal says nothing of it
	PublishedOn   dunning.Date       // the official publication (a French claim's 2 months run from it)
	Payload       json.RawMessage    // what the provider sent for this signal, kept for the record
}

// Check says what is wrong with s, each problem a field error under prefix
// (e.g. "signals[2]."), or nil.
func (s Signal) Check(prefix string) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, domain.FieldError(prefix+field, format, args...))
	}
	switch {
	case strings.TrimSpace(s.EventID) == "":
		bad("event_id", "is required")
	case len(s.EventID) > 200:
		bad("event_id", "is longer than 200 characters")
	}
	if _, err := ParseIDKind(string(s.CompanyIDKind)); err != nil {
		bad("company_id_kind", "%v", err)
	}
	if err := CheckCompanyID(s.CompanyID); err != nil {
		bad("company_id", "%v", err)
	}
	if len(s.CompanyName) > 300 {
		bad("company_name", "is longer than 300 characters")
	}
	if s.ObservedAt.IsZero() {
		bad("observed_at", "is required")
	} else if s.ObservedAt.After(time.Now().Add(24 * time.Hour)) {
		bad("observed_at", "%s is in the future", s.ObservedAt.Format(time.RFC3339))
	}
	if s.Score != nil {
		if err := CheckScore(*s.Score); err != nil {
			bad("score", "%v", err)
		}
	}
	if len(s.Rating) > MaxRating {
		bad("rating", "is longer than %d characters", MaxRating)
	}
	if s.Limit != nil && s.Limit.Minor < 0 {
		bad("limit", "must not be negative")
	}
	if s.LegalStatus != "" && !s.LegalStatus.Valid() {
		bad("legal_status", "%q: want active, safeguard, receivership, liquidation or ceased", s.LegalStatus)
	}
	if s.Score == nil && s.Rating == "" && s.Limit == nil && s.LegalStatus == "" {
		bad("score", "a signal says something: a score, a rating, a limit or a legal status")
	}
	return domain.Invalid(errs...)
}

// Adapter reads one provider's webhook body. Parse returns the signals the
// body carries, in order, with their company ids normalised; a body that is
// not the provider's format, or a signal that breaks Signal.Check, is an
// error (domain CodeInvalid, with the field), and then nothing is ingested.
// Events the adapter does not turn into signals (a provider's notice about
// something else) are skipped, not errors.
type Adapter interface {
	Parse(body []byte) ([]Signal, error)
}

// Adapters are the formats a provider may be declared with, by name.
var Adapters = map[string]Adapter{
	"generic": Generic{},
	"bodacc":  BODACC{},
}

// AdapterNames lists Adapters' names, sorted.
func AdapterNames() []string { return []string{"bodacc", "generic"} }

// checkAll checks every signal, naming each by its place in the body.
func checkAll(list []Signal) error {
	var errs []error
	for i, s := range list {
		if err := s.Check(fmt.Sprintf("signals[%d].", i)); err != nil {
			errs = append(errs, err)
		}
	}
	return domain.Invalid(errs...)
}
