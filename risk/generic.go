package risk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
)

// MaxSignals bounds the signals one webhook body may carry.
const MaxSignals = 1000

// Generic is Recoup's own format (README "Signals in", api/openapi.yaml
// RiskGenericBody), for a provider or an in-house scoring job that sends
// what it knows as it is:
//
//	{"signals": [{"event_id": "e-1", "company_id": "FR 40 303 265 045", "company_id_kind": "vat",
//	  "company_name": "Dupont SA", "observed_at": "2026-11-30T08:00:00Z", "score": 42, "rating": "C",
//	  "limit": {"amount": "50000.00", "currency": "EUR"}, "legal_status": "active", "published_on": "2026-11-29"}]}
//
// Unknown fields are refused, amounts are decimal strings (never floats).
type Generic struct{}

type genericSignal struct {
	EventID       string         `json:"event_id"`
	CompanyID     string         `json:"company_id"`
	CompanyIDKind string         `json:"company_id_kind"`
	CompanyName   string         `json:"company_name"`
	ObservedAt    string         `json:"observed_at"`
	Score         *int           `json:"score"`
	Rating        string         `json:"rating"`
	Limit         *genericAmount `json:"limit"`
	LegalStatus   string         `json:"legal_status"`
	PublishedOn   string         `json:"published_on"`
}

type genericAmount struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Parse reads a generic body.
func (Generic) Parse(body []byte) ([]Signal, error) {
	var raw struct {
		Signals []json.RawMessage `json:"signals"`
	}
	if err := strictJSON(body, &raw); err != nil {
		return nil, domain.FieldError("body", "%v", err)
	}
	if len(raw.Signals) == 0 {
		return nil, domain.FieldError("signals", "is required: at least one signal")
	}
	if len(raw.Signals) > MaxSignals {
		return nil, domain.FieldError("signals", "%d signals: at most %d in one body", len(raw.Signals), MaxSignals)
	}
	out := make([]Signal, 0, len(raw.Signals))
	var errs []error
	for i, r := range raw.Signals {
		var g genericSignal
		prefix := fmt.Sprintf("signals[%d].", i)
		if err := strictJSON(r, &g); err != nil {
			errs = append(errs, domain.FieldError(prefix[:len(prefix)-1], "%v", err))
			continue
		}
		s, err := g.signal(prefix)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Payload = r
		out = append(out, s)
	}
	if err := domain.Invalid(errs...); err != nil {
		return nil, err
	}
	return out, checkAll(out)
}

func (g genericSignal) signal(prefix string) (Signal, error) {
	var errs []error
	kind, err := ParseIDKind(g.CompanyIDKind)
	if err != nil {
		errs = append(errs, domain.FieldError(prefix+"company_id_kind", "%v", err))
	}
	s := Signal{EventID: g.EventID, CompanyID: NormaliseCompanyID(kind, g.CompanyID), CompanyIDKind: kind,
		CompanyName: g.CompanyName, Score: g.Score, Rating: g.Rating}
	if g.ObservedAt != "" {
		at, err := time.Parse(time.RFC3339, g.ObservedAt)
		if err != nil {
			errs = append(errs, domain.FieldError(prefix+"observed_at", "%q: want an RFC 3339 time such as 2026-11-30T08:00:00Z", g.ObservedAt))
		}
		s.ObservedAt = at.UTC()
	}
	if g.Limit != nil {
		m, err := parseAmount(g.Limit.Amount, g.Limit.Currency)
		if err != nil {
			errs = append(errs, domain.FieldError(prefix+"limit", "%v", err))
		}
		s.Limit = &m
	}
	if g.LegalStatus != "" {
		st, err := ParseLegalStatus(g.LegalStatus)
		if err != nil {
			errs = append(errs, domain.FieldError(prefix+"legal_status", "%v", err))
		}
		s.LegalStatus = st
	}
	if g.PublishedOn != "" {
		d, err := dunning.ParseDate(g.PublishedOn)
		if err != nil {
			errs = append(errs, domain.FieldError(prefix+"published_on", "%v", err))
		}
		s.PublishedOn = d
	}
	return s, domain.Invalid(errs...)
}

// parseAmount reads a decimal string in a currency into minor units.
func parseAmount(amount, currency string) (money.Money, error) {
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		return money.Money{}, err
	}
	minor, err := money.ParseMinor(amount, cur)
	if err != nil {
		return money.Money{}, err
	}
	if minor < 0 {
		return money.Money{}, fmt.Errorf("%q must not be negative", amount)
	}
	return money.Money{Minor: minor, Currency: cur}, nil
}

// strictJSON decodes one JSON value into v, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not the expected JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("not the expected JSON: trailing data after the object")
	}
	return nil
}
