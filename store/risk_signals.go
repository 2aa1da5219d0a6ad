package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/risk"
)

// RiskSignal is one observation a provider sent (README "Signals in"),
// matched to a customer or waiting in the unmatched queue.
type RiskSignal struct {
	ID            int64         `json:"id"`
	Provider      string        `json:"provider"`
	EventID       string        `json:"event_id"`
	CompanyID     string        `json:"company_id"`
	CompanyIDKind string        `json:"company_id_kind"`
	CompanyName   string        `json:"company_name"`
	CustomerID    *int64        `json:"customer_id"`
	MatchedBy     string        `json:"matched_by"` // registration, vat, external, or manual (by hand); "" unmatched
	MatchedAt     *time.Time    `json:"matched_at"`
	DismissedAt   *time.Time    `json:"dismissed_at"`
	ObservedAt    time.Time     `json:"observed_at"`
	ReceivedAt    time.Time     `json:"received_at"`
	Score         *int          `json:"score"`
	Rating        string        `json:"rating"`
	Limit         *money.Money  `json:"-"`
	LegalStatus   string        `json:"legal_status"` // "": the signal said nothing of it
	PublishedOn   *dunning.Date `json:"published_on"`
	Source        string        `json:"source"` // import, webhook or api
	ImportID      *int64        `json:"import_id"`
	// Candidates counts the customers the unmatched signal's id names: 0 no
	// customer has it, more than 1 it is ambiguous (the same number in two
	// entities, say); either way a person decides.
	Candidates int `json:"candidates"`
}

// RiskLatest is what a customer's latest matched observation says, kept on
// the customer's row; Provider is the one that sent the newest signal.
type RiskLatest struct {
	CustomerID         int64         `json:"customer_id"`
	RegistrationNumber string        `json:"registration_number"`
	VATNumber          string        `json:"vat_number"`
	Score              *int          `json:"score"`
	Rating             string        `json:"rating"`
	Limit              *money.Money  `json:"-"`
	LegalStatus        string        `json:"legal_status"`
	LegalStatusSince   *dunning.Date `json:"legal_status_since"`
	ObservedAt         *time.Time    `json:"observed_at"`
	Provider           string        `json:"provider"`
}

// Ingested counts what one ingestion did. Duplicates are signals whose
// (provider, event id) was already there: a redelivery, a no-op.
type Ingested struct {
	Received         int64 `json:"received"`
	Inserted         int64 `json:"inserted"`
	Duplicates       int64 `json:"duplicates"`
	Matched          int64 `json:"matched"`
	Unmatched        int64 `json:"unmatched"`
	CustomersUpdated int64 `json:"customers_updated"`
}

// The ways a signal was matched (risk_signals.matched_by).
const (
	MatchedManual = "manual"
)

// createRiskIn is where a batch waits for its one set-based ingestion (the
// webhook copies its signals there, the import its staged rows).
const createRiskIn = `
CREATE TEMP TABLE risk_in (
    ord bigint NOT NULL, provider text NOT NULL, event_id text NOT NULL, company_id text NOT NULL,
    company_id_kind text NOT NULL, company_name text NOT NULL, observed_at timestamptz NOT NULL,
    score smallint, rating text NOT NULL, limit_minor bigint, limit_currency text, legal_status text,
    published_on date, payload jsonb NOT NULL
) ON COMMIT DROP`

// riskInColumns are risk_in's columns, in riskInRow's order (and riskInNames').
var riskInColumns = []string{"ord", "provider", "event_id", "company_id", "company_id_kind", "company_name",
	"observed_at", "score", "rating", "limit_minor", "limit_currency", "legal_status", "published_on", "payload"}

// riskCandidates are the customers a signal (alias r) names by its id and
// kind: one branch per kind, each on its own index, so the planner drops the
// two others for the row (a one-time filter) instead of scanning customers.
const riskCandidates = `
    SELECT c.id FROM customers c
    WHERE r.company_id_kind = 'registration' AND c.registration_number = r.company_id AND c.registration_number <> ''
    UNION ALL
    SELECT c.id FROM customers c
    WHERE r.company_id_kind = 'vat' AND c.vat_number = r.company_id AND c.vat_number <> ''
    UNION ALL
    SELECT c.id FROM customers c WHERE r.company_id_kind = 'external' AND c.external_id = r.company_id`

// ingestRisk writes every signal of risk_in, matched to the customer its id
// names when exactly one does; a (provider, event id) already there is
// skipped (a redelivery). It answers the ids of the matched new signals and
// the counts. risk_in is the temporary table (ingestRiskIn: an import) or,
// for a webhook's small batch, the same rows from arrays (ingestRiskArrays):
// creating a temporary table costs more than the rest for 100 signals.
const ingestRisk = `
m AS (
    SELECT r.*, x.customer_id, x.n
    FROM risk_in r
    LEFT JOIN LATERAL (SELECT min(k.id) AS customer_id, count(*) AS n FROM (` + riskCandidates + `) k) x ON true
),
ins AS (
    INSERT INTO risk_signals (provider, event_id, company_id, company_id_kind, company_name, customer_id, matched_by,
                              matched_at, observed_at, score, rating, limit_minor, limit_currency, legal_status,
                              published_on, source, import_id, payload)
    SELECT provider, event_id, company_id, company_id_kind, company_name,
           CASE WHEN n = 1 THEN customer_id END, CASE WHEN n = 1 THEN company_id_kind ELSE '' END,
           CASE WHEN n = 1 THEN now() END, observed_at, score, rating, limit_minor, limit_currency, legal_status,
           published_on, @source, @import, payload
    FROM m ORDER BY ord
    ON CONFLICT (provider, event_id) DO NOTHING
    RETURNING id, customer_id)
SELECT (SELECT count(*) FROM risk_in), count(*), count(customer_id),
       coalesce(array_agg(id) FILTER (WHERE customer_id IS NOT NULL), '{}')
FROM ins`

const ingestRiskIn = `WITH ` + ingestRisk

// ingestRiskArrays names the arrays' columns after riskInColumns, so the two
// cannot disagree.
var ingestRiskArrays = `
WITH risk_in AS (
    SELECT * FROM unnest(@ord::bigint[], @provider::text[], @event_id::text[], @company_id::text[],
        @company_id_kind::text[], @company_name::text[], @observed_at::timestamptz[], @score::smallint[], @rating::text[],
        @limit_minor::bigint[], @limit_currency::text[], @legal_status::text[], @published_on::date[], @payload::jsonb[])
        AS r (` + strings.Join(riskInColumns, ", ") + `)
),` + ingestRisk

// applyRiskSignals moves the latest columns of the customers of the signals
// @ids to what their newest observations say, for the customers whose
// latest is older: an observation never replaces a newer one, whatever the
// order they arrive in. A field the newest signal does not carry (a BODACC
// judgment has no score) keeps what an earlier one said; a limit in another
// currency than the customer's is not the customer's limit and is kept in the
// history only. legal_status_since moves only when the status changes: the
// publication date when there is one, else the observation's date.
const applyRiskSignals = `
WITH s AS (
    SELECT s.*, c.currency AS customer_currency
    FROM unnest(@ids::bigint[]) AS u (id)
    JOIN risk_signals s ON s.id = u.id
    JOIN customers c ON c.id = s.customer_id
    WHERE c.risk_observed_at IS NULL OR s.observed_at > c.risk_observed_at
),
latest AS (
    SELECT customer_id, max(observed_at) AS observed_at,
        (array_agg(score ORDER BY observed_at DESC, id DESC) FILTER (WHERE score IS NOT NULL))[1] AS score,
        (array_agg(rating ORDER BY observed_at DESC, id DESC) FILTER (WHERE rating <> ''))[1] AS rating,
        (array_agg(limit_minor ORDER BY observed_at DESC, id DESC)
            FILTER (WHERE limit_minor IS NOT NULL AND limit_currency = customer_currency))[1] AS limit_minor,
        (array_agg(legal_status ORDER BY observed_at DESC, id DESC) FILTER (WHERE legal_status IS NOT NULL))[1] AS legal_status,
        (array_agg(coalesce(published_on, (observed_at AT TIME ZONE 'UTC')::date) ORDER BY observed_at DESC, id DESC)
            FILTER (WHERE legal_status IS NOT NULL))[1] AS legal_since
    FROM s GROUP BY customer_id
)
UPDATE customers c SET
    risk_observed_at = l.observed_at,
    risk_score = coalesce(l.score, c.risk_score),
    risk_rating = coalesce(l.rating, c.risk_rating),
    risk_limit_minor = coalesce(l.limit_minor, c.risk_limit_minor),
    legal_status = coalesce(l.legal_status, c.legal_status),
    legal_status_since = CASE WHEN l.legal_status IS NOT NULL AND l.legal_status <> c.legal_status
                              THEN l.legal_since ELSE c.legal_status_since END
FROM latest l
WHERE c.id = l.customer_id AND (c.risk_observed_at IS NULL OR l.observed_at > c.risk_observed_at)`

// StageRiskSignals creates risk_in in tx (the importer fills it from its own
// staging table, then calls IngestStagedRiskSignals).
func StageRiskSignals(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, createRiskIn)
	return err
}

// IngestStagedRiskSignals ingests what risk_in holds, inside tx: every
// signal kept, each matched when one customer has its id, the matched
// customers' latest columns moved. importID is the import that brought
// them (nil: none).
func IngestStagedRiskSignals(ctx context.Context, tx pgx.Tx, source string, importID *int64) (Ingested, error) {
	return ingest(ctx, tx, ingestRiskIn, pgx.NamedArgs{"source": source, "import": importID})
}

func ingest(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) (Ingested, error) {
	var out Ingested
	var ids []int64
	if err := tx.QueryRow(ctx, sql, args).Scan(&out.Received, &out.Inserted, &out.Matched, &ids); err != nil {
		return out, fmt.Errorf("ingest risk signals: %w", err)
	}
	out.Duplicates = out.Received - out.Inserted
	out.Unmatched = out.Inserted - out.Matched
	n, err := applyRisk(ctx, tx, ids)
	out.CustomersUpdated = n
	return out, err
}

// lockRiskCustomers locks the customers of the signals @ids in id order
// before applyRiskSignals updates them in whatever order its join gives: two
// batches touching the same customers (two providers' webhooks) then wait
// for each other instead of deadlocking.
const lockRiskCustomers = `
SELECT c.id FROM customers c
WHERE c.id IN (SELECT s.customer_id FROM unnest(@ids::bigint[]) AS u (id) JOIN risk_signals s ON s.id = u.id)
ORDER BY c.id FOR UPDATE OF c`

func applyRisk(ctx context.Context, tx pgx.Tx, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, lockRiskCustomers, pgx.NamedArgs{"ids": ids}); err != nil {
		return 0, fmt.Errorf("lock the customers of risk signals: %w", err)
	}
	tag, err := tx.Exec(ctx, applyRiskSignals, pgx.NamedArgs{"ids": ids})
	if err != nil {
		return 0, fmt.Errorf("apply risk signals: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RiskIngest is a batch of signals from one provider.
type RiskIngest struct {
	Provider string
	Source   string // webhook or api
	Actor    string // who sent it, for the journal
	Signals  []risk.Signal
}

// IngestRiskSignals ingests a batch in one transaction (IngestStagedRiskSignals)
// and journals it: all of it lands, or none.
func (s *Store) IngestRiskSignals(ctx context.Context, in RiskIngest) (Ingested, error) {
	var out Ingested
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"source": in.Source, "import": nil}
		cols := make([][]any, len(riskInColumns))
		for i, sg := range in.Signals {
			for c, v := range riskInRow(i, in.Provider, sg) {
				cols[c] = append(cols[c], v)
			}
		}
		for c, name := range riskInColumns {
			args[name] = cols[c]
		}
		var err error
		if out, err = ingest(ctx, tx, ingestRiskArrays, args); err != nil {
			return err
		}
		after, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: in.Actor, Action: "risk_signal.ingest", Target: "risk_provider/" + in.Provider, After: after})
	})
	return out, err
}

// riskInRow is a signal as a row of risk_in.
func riskInRow(i int, provider string, sg risk.Signal) []any {
	var limit *int64
	var currency, legal *string
	if sg.Limit != nil {
		cur := sg.Limit.Currency.Code()
		limit, currency = &sg.Limit.Minor, &cur
	}
	if sg.LegalStatus != "" {
		st := string(sg.LegalStatus)
		legal = &st
	}
	var published *time.Time
	if !sg.PublishedOn.IsZero() {
		d := sg.PublishedOn.In(time.UTC)
		published = &d
	}
	payload := sg.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	return []any{int64(i), provider, sg.EventID, sg.CompanyID, string(sg.CompanyIDKind), sg.CompanyName,
		sg.ObservedAt, sg.Score, sg.Rating, limit, currency, legal, published, string(payload)}
}

const riskSignalColumns = `s.id, s.provider, s.event_id, s.company_id, s.company_id_kind, s.company_name, s.customer_id,
       s.matched_by, s.matched_at, s.dismissed_at, s.observed_at, s.received_at, s.score, s.rating, s.limit_minor,
       s.limit_currency, s.legal_status, s.published_on, s.source, s.import_id`

func scanRiskSignal(r pgx.Row, more ...any) (RiskSignal, error) {
	var g RiskSignal
	var score *int16
	var limit *int64
	var currency, legal *string
	var published *time.Time
	err := r.Scan(append([]any{&g.ID, &g.Provider, &g.EventID, &g.CompanyID, &g.CompanyIDKind, &g.CompanyName,
		&g.CustomerID, &g.MatchedBy, &g.MatchedAt, &g.DismissedAt, &g.ObservedAt, &g.ReceivedAt, &score, &g.Rating,
		&limit, &currency, &legal, &published, &g.Source, &g.ImportID}, more...)...)
	if err != nil {
		return g, err
	}
	if score != nil {
		n := int(*score)
		g.Score = &n
	}
	if limit != nil && currency != nil {
		cur, err := money.ParseCurrency(*currency)
		if err != nil {
			return g, fmt.Errorf("risk signal %d: %w", g.ID, err)
		}
		g.Limit = &money.Money{Minor: *limit, Currency: cur}
	}
	if legal != nil {
		g.LegalStatus = *legal
	}
	if published != nil {
		d := dunning.DateOf(*published)
		g.PublishedOn = &d
	}
	g.ObservedAt, g.ReceivedAt = g.ObservedAt.UTC(), g.ReceivedAt.UTC()
	return g, nil
}

// RiskSignalPage is one page of signals and how many there are in all.
type RiskSignalPage struct {
	Items []RiskSignal
	Total int64
}

const customerRiskHistory = `
SELECT ` + riskSignalColumns + `, 0, count(*) OVER ()
FROM risk_signals s JOIN customers c ON c.id = s.customer_id
WHERE s.customer_id = @customer AND ` + perimeterClause + `
ORDER BY s.observed_at DESC, s.id DESC LIMIT @limit OFFSET @offset`

// RiskHistory is a page of a customer's signals, newest observation first;
// the caller has checked the customer is inside its perimeter, and per
// keeps it so in the SQL too.
func (s *Store) RiskHistory(ctx context.Context, per Perimeter, customerID int64, limit, offset int) (RiskSignalPage, error) {
	return s.riskPage(ctx, customerRiskHistory, per.args(pgx.NamedArgs{"customer": customerID, "limit": limit, "offset": offset}))
}

const unmatchedRiskSignals = `
SELECT ` + riskSignalColumns + `, (SELECT count(*) FROM (` + riskCandidates + `) k), count(*) OVER ()
FROM risk_signals s, LATERAL (SELECT s.company_id, s.company_id_kind) r
WHERE s.customer_id IS NULL AND s.dismissed_at IS NULL
ORDER BY s.id DESC LIMIT @limit OFFSET @offset`

// UnmatchedRiskSignals is a page of the queue of signals no customer was
// matched to and nobody dismissed, newest first.
func (s *Store) UnmatchedRiskSignals(ctx context.Context, limit, offset int) (RiskSignalPage, error) {
	return s.riskPage(ctx, unmatchedRiskSignals, pgx.NamedArgs{"limit": limit, "offset": offset})
}

func (s *Store) riskPage(ctx context.Context, sql string, args pgx.NamedArgs) (RiskSignalPage, error) {
	rows, err := s.Pool.Query(ctx, sql, args)
	if err != nil {
		return RiskSignalPage{}, err
	}
	p := RiskSignalPage{Items: []RiskSignal{}}
	for rows.Next() {
		var candidates int
		g, err := scanRiskSignal(rows, &candidates, &p.Total)
		if err != nil {
			rows.Close()
			return p, err
		}
		g.Candidates = candidates
		p.Items = append(p.Items, g)
	}
	return p, rows.Err()
}

const riskSignalByID = `SELECT ` + riskSignalColumns + ` FROM risk_signals s WHERE s.id = @id`

// RiskSignal is one signal, whatever its state; CodeNotFound if there is none.
func (s *Store) RiskSignal(ctx context.Context, id int64) (RiskSignal, error) {
	g, err := scanRiskSignal(s.Pool.QueryRow(ctx, riskSignalByID, pgx.NamedArgs{"id": id}))
	if errors.Is(err, pgx.ErrNoRows) {
		return g, domain.Errorf(domain.CodeNotFound, "risk signal %d not found", id)
	}
	return g, err
}

const customerRiskLatest = `
SELECT c.id, c.currency, c.registration_number, c.vat_number, c.risk_score, c.risk_rating, c.risk_limit_minor,
       c.legal_status, c.legal_status_since, c.risk_observed_at,
       coalesce((SELECT s.provider FROM risk_signals s WHERE s.customer_id = c.id
                 ORDER BY s.observed_at DESC, s.id DESC LIMIT 1), '')
FROM customers c WHERE c.id = @id AND ` + perimeterClause

// RiskLatest is a customer's latest risk, inside per; CodeNotFound outside it.
func (s *Store) RiskLatest(ctx context.Context, per Perimeter, customerID int64) (RiskLatest, error) {
	var l RiskLatest
	var cur string
	var score *int16
	var limit *int64
	var since *time.Time
	err := s.Pool.QueryRow(ctx, customerRiskLatest, per.args(pgx.NamedArgs{"id": customerID})).Scan(
		&l.CustomerID, &cur, &l.RegistrationNumber, &l.VATNumber, &score, &l.Rating, &limit, &l.LegalStatus, &since,
		&l.ObservedAt, &l.Provider)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, customerNotFound(customerID)
	}
	if err != nil {
		return l, err
	}
	if score != nil {
		n := int(*score)
		l.Score = &n
	}
	if limit != nil {
		c, err := money.ParseCurrency(cur)
		if err != nil {
			return l, fmt.Errorf("customer %d: %w", customerID, err)
		}
		l.Limit = &money.Money{Minor: *limit, Currency: c}
	}
	if since != nil {
		d := dunning.DateOf(*since)
		l.LegalStatusSince = &d
	}
	if l.ObservedAt != nil {
		t := l.ObservedAt.UTC()
		l.ObservedAt = &t
	}
	return l, nil
}

const (
	matchRiskSignal = `
UPDATE risk_signals SET customer_id = @customer, matched_by = 'manual', matched_at = now()
WHERE id = @id AND customer_id IS NULL AND dismissed_at IS NULL`
	dismissRiskSignal = `
UPDATE risk_signals SET dismissed_at = now() WHERE id = @id AND customer_id IS NULL AND dismissed_at IS NULL`
	// learnCompanyID gives the customer the registration or VAT number a
	// signal matched by hand carried, when it had none of that kind, so the
	// company's next signals match by themselves. A number it already has is
	// kept: the ERP's word, and a person can correct it there.
	learnCompanyID = `
UPDATE customers c
SET registration_number = CASE WHEN s.company_id_kind = 'registration' THEN s.company_id ELSE c.registration_number END,
    vat_number          = CASE WHEN s.company_id_kind = 'vat' THEN s.company_id ELSE c.vat_number END,
    updated_at          = now()
FROM risk_signals s
WHERE s.id = @id AND c.id = s.customer_id
  AND ((s.company_id_kind = 'registration' AND c.registration_number = '')
    OR (s.company_id_kind = 'vat' AND c.vat_number = ''))
RETURNING s.company_id_kind, s.company_id`
)

// MatchRiskSignal gives an unmatched signal to a customer by hand and applies
// it to the customer's latest columns as ingestion would have, in one
// transaction with its journal entry; the customer learns the signal's
// registration or VAT number when it had none (learnCompanyID). A signal already matched or dismissed
// is CodeConflict.
func (s *Store) MatchRiskSignal(ctx context.Context, id, customerID int64, actor string) (RiskSignal, error) {
	var out RiskSignal
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := s.changeQueued(ctx, tx, matchRiskSignal, pgx.NamedArgs{"id": id, "customer": customerID}); err != nil {
			return err
		}
		if _, err := applyRisk(ctx, tx, []int64{id}); err != nil {
			return err
		}
		record := map[string]any{"risk_signal": id, "customer_id": customerID}
		var kind, number string
		switch err := tx.QueryRow(ctx, learnCompanyID, pgx.NamedArgs{"id": id}).Scan(&kind, &number); {
		case err == nil:
			record[kind+"_number"] = number // journaled: the customer's number changed
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		after, err := json.Marshal(record)
		if err != nil {
			return err
		}
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "risk_signal.match", Target: customerTarget(customerID), After: after}); err != nil {
			return err
		}
		out, err = scanRiskSignal(tx.QueryRow(ctx, riskSignalByID, pgx.NamedArgs{"id": id}))
		return err
	})
	return out, err
}

// DismissRiskSignal takes an unmatched signal out of the queue (a company
// that is not a customer); it stays in the table. CodeConflict when it is
// not in the queue.
func (s *Store) DismissRiskSignal(ctx context.Context, id int64, actor string) (RiskSignal, error) {
	var out RiskSignal
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := s.changeQueued(ctx, tx, dismissRiskSignal, pgx.NamedArgs{"id": id}); err != nil {
			return err
		}
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "risk_signal.dismiss", Target: fmt.Sprintf("risk_signal/%d", id)}); err != nil {
			return err
		}
		var err error
		out, err = scanRiskSignal(tx.QueryRow(ctx, riskSignalByID, pgx.NamedArgs{"id": id}))
		return err
	})
	return out, err
}

// changeQueued runs sql, which changes signal @id only while it is queued,
// and says why nothing changed.
func (s *Store) changeQueued(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) error {
	tag, err := tx.Exec(ctx, sql, args)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	g, err := scanRiskSignal(tx.QueryRow(ctx, riskSignalByID, args))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.Errorf(domain.CodeNotFound, "risk signal %d not found", args["id"])
	case err != nil:
		return err
	case g.CustomerID != nil:
		return domain.Errorf(domain.CodeConflict, "risk signal %d is already matched to customer %d", g.ID, *g.CustomerID)
	default:
		return domain.Errorf(domain.CodeConflict, "risk signal %d was dismissed", g.ID)
	}
}

const customerByExternalID = `SELECT c.id FROM customers c WHERE c.external_id = @external AND ` + perimeterClause

// CustomerIDByExternalID finds a customer inside per by the ERP's id; CodeNotFound outside it.
func (s *Store) CustomerIDByExternalID(ctx context.Context, per Perimeter, externalID string) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, customerByExternalID, per.args(pgx.NamedArgs{"external": externalID})).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, domain.Errorf(domain.CodeNotFound, "customer %q not found", externalID)
	}
	return id, err
}
