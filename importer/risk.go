package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/risk"
	"recoup/store"
)

// The parsers of the risk kind (README "Signals in"). A row goes through the
// same rules as a webhook's signal (risk.Signal.Check) once its cells are
// parsed: the event id's parser, declared last, builds the signal and checks it.

const sqlTimestamp = "timestamp with time zone"

var providerPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

var riskProvider = textual(func(c cell) string {
	v := strings.ToLower(strings.TrimSpace(c.str()))
	if v != "" && !providerPattern.MatchString(v) {
		c.fail("%s %q: use up to 40 lower-case letters, digits, '-' or '_'", c.col.name, v)
	}
	return v
})

var riskIDKind = oneOf(string(risk.IDRegistration), string(risk.IDVAT), string(risk.IDExternal))

// riskCompanyID is normalised by its kind (risk.NormaliseCompanyID).
var riskCompanyID = parser{sqlType: sqlText, siblings: []string{"company_id_kind"}, parse: func(c cell) any {
	v := c.str()
	kind, _ := c.sibling("company_id_kind")
	k, _ := kind.(string)
	id := risk.NormaliseCompanyID(risk.IDKind(k), v)
	if v != "" {
		if err := risk.CheckCompanyID(id); err != nil {
			c.fail("%s %q %v", c.col.name, v, err)
		}
	}
	return id
}}

// companyNumber is a customer's registration or VAT number, normalised.
func companyNumber(kind risk.IDKind) parser {
	return textual(func(c cell) string {
		v := c.str()
		id := risk.NormaliseCompanyID(kind, v)
		if id != "" {
			if err := risk.CheckCompanyID(id); err != nil {
				c.fail("%s %q %v", c.col.name, v, err)
			}
		}
		return id
	})
}

// instant is an RFC 3339 time, or a date (its midnight UTC).
var instant = parser{sqlType: sqlTimestamp, parse: func(c cell) any {
	v := strings.TrimSpace(c.str())
	if v == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t
	}
	c.fail("%s %q: want an RFC 3339 time such as 2026-11-30T08:00:00Z, or a date as YYYY-MM-DD", c.col.name, v)
	return nil
}}

// optionalDate is a date or nothing (NULL).
var optionalDate = parser{sqlType: sqlDate, parse: func(c cell) any {
	if strings.TrimSpace(c.raw()) == "" {
		return nil
	}
	return c.date()
}}

var riskScore = parser{sqlType: sqlBigint, parse: func(c cell) any {
	v := strings.TrimSpace(c.str())
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		err = risk.CheckScore(n)
	}
	if err != nil {
		c.fail("%s %q: want a whole number from 0 to 100", c.col.name, v)
		return nil
	}
	return int64(n)
}}

var riskLegalStatus = parser{sqlType: sqlText, parse: func(c cell) any {
	v := c.str()
	if strings.TrimSpace(v) == "" {
		return ""
	}
	st, err := risk.ParseLegalStatus(v)
	if err != nil {
		c.fail("%s %v", c.col.name, err)
	}
	return string(st)
}}

// riskLimit is the recommended limit in limit_currency: both or neither.
var riskLimit = parser{sqlType: sqlBigint, siblings: []string{"limit_currency"}, parse: func(c cell) any {
	cur := c.currencyOf("limit_currency")
	switch v := strings.TrimSpace(c.raw()); {
	case v == "" && !cur.IsZero():
		c.fail("%s is required with limit_currency", c.col.name)
		return nil
	case v != "" && cur.IsZero():
		c.fail("limit_currency is required with %s", c.col.name)
		return nil
	}
	return c.amount(cur)
}}

// riskEventID is the provider's event id, or when the file has none one
// derived from what the row says, so importing the same file twice adds
// nothing. It then checks the row as a signal.
var riskEventID = parser{sqlType: sqlText,
	siblings: []string{"provider", "company_id_kind", "company_id", "company_name", "observed_at", "score", "rating",
		"limit_currency", "limit", "legal_status", "published_on"},
	parse: func(c cell) any {
		v := strings.TrimSpace(c.text(200))
		s := c.signal()
		if v == "" {
			v = derivedEventID(s)
		}
		s.EventID = v
		if c.failed() {
			return v
		}
		var de *domain.Error
		if err := s.Check(""); errors.As(err, &de) {
			field, _, _ := strings.Cut(de.Field, ".")
			c.r.bad = &Rejection{Line: c.r.rec.line, Field: field, Reason: strings.TrimPrefix(de.Message, de.Field+": ")}
		}
		return v
	}}

// signal is the row's staged values as a risk.Signal.
func (c cell) signal() risk.Signal {
	str := func(name string) string { v, _ := c.sibling(name); s, _ := v.(string); return s }
	s := risk.Signal{CompanyIDKind: risk.IDKind(str("company_id_kind")), CompanyID: str("company_id"),
		CompanyName: str("company_name"), Rating: str("rating"), LegalStatus: domain.LegalStatus(str("legal_status"))}
	if v, _ := c.sibling("observed_at"); v != nil {
		s.ObservedAt, _ = v.(time.Time)
	}
	if v, _ := c.sibling("score"); v != nil {
		if n, ok := v.(int64); ok {
			score := int(n)
			s.Score = &score
		}
	}
	if v, _ := c.sibling("limit"); v != nil {
		if n, ok := v.(int64); ok {
			s.Limit = &money.Money{Minor: n, Currency: c.currencyOf("limit_currency")}
		}
	}
	if v, _ := c.sibling("published_on"); v != nil {
		if d, ok := v.(time.Time); ok {
			s.PublishedOn = dunning.DateOf(d)
		}
	}
	return s
}

// derivedEventID hashes what a signal says (not its line: the same row
// moved in the file is the same event).
func derivedEventID(s risk.Signal) string {
	var score, limit string
	if s.Score != nil {
		score = strconv.Itoa(*s.Score)
	}
	if s.Limit != nil {
		limit = strconv.FormatInt(s.Limit.Minor, 10) + s.Limit.Currency.Code()
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{string(s.CompanyIDKind), s.CompanyID, s.ObservedAt.UTC().Format(time.RFC3339Nano),
		score, s.Rating, limit, string(s.LegalStatus), s.PublishedOn.String()}, "\x1f")))
	return "row-" + hex.EncodeToString(sum[:16])
}

// stageRiskIn hands the staged rows to the store's ingestion (store.IngestStagedRiskSignals).
const stageRiskIn = `
INSERT INTO risk_in (ord, provider, event_id, company_id, company_id_kind, company_name, observed_at, score, rating,
                     limit_minor, limit_currency, legal_status, published_on, payload)
SELECT s.line, s.provider, s.event_id, s.company_id, s.company_id_kind, s.company_name, s.observed_at, s.score, s.rating,
       s.limit_amount, nullif(s.limit_currency, ''), nullif(s.legal_status, ''), s.published_on, to_jsonb(s)
FROM stage s`

// writeRisk ingests the staged signals the way a webhook's are: matched,
// idempotent on (provider, event id), the customers' latest moved forward.
// A signal already there counts as unchanged.
func writeRisk(ctx context.Context, tx pgx.Tx, importID int64) (inserted, updated int64, err error) {
	if err := store.StageRiskSignals(ctx, tx); err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(ctx, stageRiskIn); err != nil {
		return 0, 0, fmt.Errorf("stage risk signals: %w", err)
	}
	got, err := store.IngestStagedRiskSignals(ctx, tx, "import", &importID)
	return got.Inserted, 0, err
}
