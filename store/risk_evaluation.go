package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// RiskEvaluation is what one batch of EvaluateRiskSignals committed, for the
// caller to finish outside the transaction: the accounts whose dunning must
// evaluate again and the claim declarations whose Case workflows start.
type RiskEvaluation struct {
	Signals int         // signals evaluated (0: none was waiting)
	Alerts  []RiskAlert // alerts raised (new ones only)
	Wake    []int64     // accounts changed: scenario switched, held, insolvent
	Cases   []int64     // claim declarations opened
}

// historyDepth is how many earlier observations of a customer the rules
// read: more than enough for MaxConsecutive and a few months of scores.
const historyDepth = 64

const (
	// claimRiskSignals takes the oldest matched signals not yet evaluated; a
	// second process skips those the first holds, so none is evaluated twice.
	claimRiskSignals = `
SELECT s.id, s.customer_id, s.provider, s.observed_at, s.score, s.rating, s.limit_minor, coalesce(s.limit_currency, ''),
       coalesce(s.legal_status, ''), s.published_on
FROM risk_signals s
WHERE s.evaluated_at IS NULL AND s.customer_id IS NOT NULL
ORDER BY s.id
LIMIT @limit
FOR UPDATE SKIP LOCKED`
	// riskCustomers reads what the rules need of the batch's customers; the
	// outstanding is the open amount of their invoices, disputed included.
	riskCustomers = `
SELECT c.id, c.entity_id, c.country, c.currency, e.risk_rating_scale,
       coalesce((SELECT sum(i.open_minor) FROM invoices i
                 WHERE i.customer_id = c.id AND i.type = 'invoice' AND i.status IN ('open', 'disputed')), 0)::bigint
FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE c.id = ANY (@ids)`
	activeRiskRules = `
SELECT ` + riskRuleColumns + ` FROM risk_rules r JOIN entities e ON e.id = r.entity_id
WHERE r.active AND r.entity_id = ANY (@entities) ORDER BY r.id`
	// riskHistories reads, per customer, its latest observations up to the
	// batch's last one of it, newest first.
	riskHistories = `
SELECT h.customer_id, h.id, h.observed_at, h.score, h.rating, h.limit_minor, coalesce(h.limit_currency, ''),
       coalesce(h.legal_status, '')
FROM unnest(@customers::bigint[], @cut_at::timestamptz[], @cut_id::bigint[], @depth::int[]) AS b(customer, at, id, depth)
CROSS JOIN LATERAL (
    SELECT s.* FROM risk_signals s
    WHERE s.customer_id = b.customer AND (s.observed_at, s.id) <= (b.at, b.id)
    ORDER BY s.observed_at DESC, s.id DESC
    LIMIT b.depth) h`
	markRiskSignalsEvaluated = `UPDATE risk_signals SET evaluated_at = now() WHERE id = ANY (@ids)`

	oweRiskAlertEmails = `
INSERT INTO risk_alert_emails (alert_id, user_id) SELECT @alert_id, u.id` + riskRecipients + `
ON CONFLICT DO NOTHING`
	// flagProceedings marks the customer's open invoices as declared in the proceedings.
	flagProceedings = `
UPDATE invoices SET in_proceedings = true, updated_at = now()
WHERE customer_id = @customer AND type = 'invoice' AND status IN ('open', 'disputed') AND open_minor > 0 AND NOT in_proceedings
RETURNING id`
	claimDeadline = `
SELECT d.days, d.months, d.reference FROM claim_deadlines d
WHERE d.country IN ((SELECT country FROM customers WHERE id = @customer), '')
ORDER BY d.country = '' LIMIT 1`
	setClaimDue = `UPDATE cases SET due_on = @due, sla_business_days = @sla WHERE id = @id`
)

// riskSignal is a claimed signal: its observation and what evaluating it needs.
type riskSignal struct {
	obs         domain.RiskObservation
	customer    int64
	provider    string
	publishedOn *time.Time
}

type riskCustomer struct {
	entity      int64
	country     string
	currency    string
	scale       []string
	outstanding int64
}

// EvaluateRiskSignals evaluates up to limit matched signals not yet
// evaluated, oldest first, in one transaction: each entity's active rules
// against the customer's observations up to the signal, the insolvency a
// signal reveals, then the signals are marked evaluated. An alert is raised
// once (store.RaiseRiskAlert's dedupe key names the rule, the customer and
// the signal that completed the condition), and only a new alert's actions
// are taken, in the same transaction: a crash before the commit evaluates
// the batch again with nothing done twice.
func (s *Store) EvaluateRiskSignals(ctx context.Context, limit int, now time.Time) (RiskEvaluation, error) {
	var out RiskEvaluation
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out = RiskEvaluation{}
		signals, err := claimSignals(ctx, tx, limit)
		if err != nil || len(signals) == 0 {
			return err
		}
		out.Signals = len(signals)
		customers, rules, err := riskContext(ctx, tx, signals)
		if err != nil {
			return err
		}
		histories, err := riskHistoriesOf(ctx, tx, signals)
		if err != nil {
			return err
		}
		ids := make([]int64, len(signals))
		for i, sig := range signals {
			ids[i] = sig.obs.SignalID
			c := customers[sig.customer]
			hist := historyUpTo(histories[sig.customer], sig.obs)
			for _, r := range rules[c.entity] {
				if !r.Condition(c.scale).Fires(hist, c.outstanding, c.currency) {
					continue
				}
				if err := raiseRuleAlert(ctx, tx, &out, sig, r, now); err != nil {
					return err
				}
			}
			if err := legalStatusEvents(ctx, tx, &out, sig, hist, now); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, markRiskSignalsEvaluated, pgx.NamedArgs{"ids": ids})
		return err
	})
	return out, err
}

func claimSignals(ctx context.Context, tx pgx.Tx, limit int) ([]riskSignal, error) {
	rows, err := tx.Query(ctx, claimRiskSignals, pgx.NamedArgs{"limit": limit})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (riskSignal, error) {
		var sig riskSignal
		var published *time.Time
		o, err := scanObservation(r, &sig.customer, &sig.provider, &published)
		sig.obs, sig.publishedOn = o, published
		return sig, err
	})
}

// scanObservation scans a claimed signal's columns when provider is given
// (id, customer, provider, ..., published_on), a history row's otherwise
// (customer, id, ...).
func scanObservation(r pgx.Row, customer *int64, provider *string, published **time.Time) (domain.RiskObservation, error) {
	var o domain.RiskObservation
	var score *int16
	var legal string
	var err error
	if provider != nil {
		err = r.Scan(&o.SignalID, customer, provider, &o.At, &score, &o.Rating, &o.LimitMinor, &o.LimitCurrency, &legal, published)
	} else {
		err = r.Scan(customer, &o.SignalID, &o.At, &score, &o.Rating, &o.LimitMinor, &o.LimitCurrency, &legal)
	}
	if score != nil {
		v := int(*score)
		o.Score = &v
	}
	o.LegalStatus = domain.LegalStatus(legal)
	return o, err
}

// riskContext reads the batch's customers and their entities' active rules.
func riskContext(ctx context.Context, tx pgx.Tx, signals []riskSignal) (map[int64]riskCustomer, map[int64][]RiskRule, error) {
	ids := make([]int64, 0, len(signals))
	for _, sig := range signals {
		if !slices.Contains(ids, sig.customer) {
			ids = append(ids, sig.customer)
		}
	}
	rows, err := tx.Query(ctx, riskCustomers, pgx.NamedArgs{"ids": ids})
	if err != nil {
		return nil, nil, err
	}
	customers := map[int64]riskCustomer{}
	var entities []int64
	for rows.Next() {
		var id int64
		var c riskCustomer
		if err := rows.Scan(&id, &c.entity, &c.country, &c.currency, &c.scale, &c.outstanding); err != nil {
			rows.Close()
			return nil, nil, err
		}
		customers[id] = c
		if !slices.Contains(entities, c.entity) {
			entities = append(entities, c.entity)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = tx.Query(ctx, activeRiskRules, pgx.NamedArgs{"entities": entities})
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	rules := map[int64][]RiskRule{}
	for rows.Next() {
		r, err := scanRiskRule(rows)
		if err != nil {
			return nil, nil, err
		}
		rules[r.EntityID] = append(rules[r.EntityID], r)
	}
	return customers, rules, rows.Err()
}

// riskHistoriesOf reads each customer's observations up to its last signal
// of the batch, oldest first.
func riskHistoriesOf(ctx context.Context, tx pgx.Tx, signals []riskSignal) (map[int64][]domain.RiskObservation, error) {
	type cut struct {
		at    time.Time
		id    int64
		depth int
	}
	cuts := map[int64]*cut{}
	var order []int64
	for _, sig := range signals {
		c, ok := cuts[sig.customer]
		if !ok {
			c = &cut{at: sig.obs.At, id: sig.obs.SignalID, depth: historyDepth}
			cuts[sig.customer] = c
			order = append(order, sig.customer)
		}
		c.depth++
		if sig.obs.At.After(c.at) || (sig.obs.At.Equal(c.at) && sig.obs.SignalID > c.id) {
			c.at, c.id = sig.obs.At, sig.obs.SignalID
		}
	}
	customers, ats, ids, depths := make([]int64, len(order)), make([]time.Time, len(order)), make([]int64, len(order)), make([]int32, len(order))
	for i, id := range order {
		customers[i], ats[i], ids[i], depths[i] = id, cuts[id].at, cuts[id].id, int32(cuts[id].depth)
	}
	rows, err := tx.Query(ctx, riskHistories, pgx.NamedArgs{"customers": customers, "cut_at": ats, "cut_id": ids, "depth": depths})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]domain.RiskObservation{}
	for rows.Next() {
		var customer int64
		o, err := scanObservation(rows, &customer, nil, nil)
		if err != nil {
			return nil, err
		}
		out[customer] = append(out[customer], o)
	}
	for _, h := range out {
		slices.Reverse(h)
	}
	return out, rows.Err()
}

// historyUpTo is the part of a customer's history up to and including sig
// (just sig when it is older than the history read).
func historyUpTo(hist []domain.RiskObservation, sig domain.RiskObservation) []domain.RiskObservation {
	for i, o := range hist {
		if o.SignalID == sig.SignalID {
			return hist[:i+1]
		}
	}
	return []domain.RiskObservation{sig}
}

// riskActor is who the journal says acted on a signal of provider.
func riskActor(provider string) string { return "risk:" + provider }

func alertKey(parts ...any) string {
	key := ""
	for i, p := range parts {
		if i > 0 {
			key += "/"
		}
		key += fmt.Sprint(p)
	}
	return key
}

// observationDetail is what an alert records of the observation that raised it.
func observationDetail(sig riskSignal) map[string]any {
	d := map[string]any{"provider": sig.provider, "observed_at": sig.obs.At.UTC()}
	if sig.obs.Score != nil {
		d["score"] = *sig.obs.Score
	}
	if sig.obs.Rating != "" {
		d["rating"] = sig.obs.Rating
	}
	if sig.obs.LimitMinor != nil {
		d["limit_minor"], d["limit_currency"] = *sig.obs.LimitMinor, sig.obs.LimitCurrency
	}
	if sig.obs.LegalStatus != "" {
		d["legal_status"] = sig.obs.LegalStatus
	}
	return d
}

// RiskAlertKind is the kind of the alerts a rule of kind k raises: its own,
// but a legal status change is the alert kind "legal_status" (the texts'
// word, shared with a customer active again after proceedings).
func RiskAlertKind(k domain.RiskRuleKind) string {
	if k == domain.RiskLegalStatusChange {
		return "legal_status"
	}
	return string(k)
}

// raiseRuleAlert raises rule r's alert on sig and, when it is new, takes its actions.
func raiseRuleAlert(ctx context.Context, tx pgx.Tx, out *RiskEvaluation, sig riskSignal, r RiskRule, now time.Time) error {
	detail := observationDetail(sig)
	detail["rule"] = r.Name
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	ruleID, signalID := r.ID, sig.obs.SignalID
	alert, raised, err := RaiseRiskAlert(ctx, tx, RiskAlert{CustomerID: sig.customer, Kind: RiskAlertKind(r.Kind), RuleID: &ruleID,
		SignalID: &signalID, DedupeKey: alertKey("rule", r.ID, "customer", sig.customer, "signal", signalID), Detail: b})
	if err != nil || !raised {
		return err
	}
	out.Alerts = append(out.Alerts, alert)
	actor := riskActor(sig.provider)
	var done []string
	if r.Notify {
		if _, err := tellRiskAlert(ctx, tx, alert, actor); err != nil {
			return err
		}
		done = append(done, "notify")
	}
	if r.Email {
		if _, err := tx.Exec(ctx, oweRiskAlertEmails, pgx.NamedArgs{"alert_id": alert.ID, "customer": alert.CustomerID}); err != nil {
			return err
		}
		done = append(done, "email")
	}
	if r.ScenarioID != nil {
		switched, err := riskSwitchScenario(ctx, tx, alert.CustomerID, *r.ScenarioID, actor)
		if err != nil {
			return err
		}
		if switched {
			done = append(done, "scenario")
			out.Wake = append(out.Wake, alert.CustomerID)
		} else {
			done = append(done, "scenario_skipped")
		}
	}
	if r.CreditHold {
		if err := riskCreditHold(ctx, tx, alert, actor); err != nil {
			return err
		}
		done = append(done, "credit_hold")
		out.Wake = append(out.Wake, alert.CustomerID)
	}
	if r.TaskKind != nil {
		_, _, err := createTask(ctx, tx, Task{Key: alertKey("risk", "alert", alert.ID), CustomerID: alert.CustomerID, Kind: *r.TaskKind,
			AssigneeRole: domain.AssigneeAgent, DueAt: now, Note: "risk alert: " + r.Name, Actor: actor})
		if err != nil {
			return err
		}
		done = append(done, "task")
	}
	return journalRiskAlert(ctx, tx, alert, actor, done)
}

func journalRiskAlert(ctx context.Context, tx pgx.Tx, alert RiskAlert, actor string, actions []string) error {
	after, err := json.Marshal(map[string]any{"alert_id": alert.ID, "kind": alert.Kind, "rule_id": alert.RuleID,
		"signal_id": alert.SignalID, "detail": alert.Detail, "actions": actions})
	if err != nil {
		return err
	}
	return Journal(ctx, tx, Entry{Actor: actor, Action: "risk.alert", Target: customerTarget(alert.CustomerID), After: after})
}

// riskSwitchScenario pins the customer to scenarioID as app.PinScenario does;
// an archived or deleted scenario is skipped (the alert says so), not an
// error that would stop every later signal.
func riskSwitchScenario(ctx context.Context, tx pgx.Tx, customerID, scenarioID int64, actor string) (bool, error) {
	var archived bool
	if err := tx.QueryRow(ctx, scenarioUsable, scenarioID).Scan(&archived); errors.Is(err, pgx.ErrNoRows) || archived {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var before *int64
	if err := tx.QueryRow(ctx, customerScenario, customerID).Scan(&before); err != nil {
		return false, err
	}
	if before != nil && *before == scenarioID {
		return true, nil
	}
	if _, err := tx.Exec(ctx, setCustomerScenario, customerID, scenarioID); err != nil {
		return false, err
	}
	b, _ := json.Marshal(map[string]*int64{"scenario_id": before})
	a, _ := json.Marshal(map[string]*int64{"scenario_id": &scenarioID})
	return true, Journal(ctx, tx, Entry{Actor: actor, Action: "customer.scenario", Target: customerTarget(customerID), Before: b, After: a})
}

// riskCreditHold puts the account on credit hold as a scenario's credit-hold
// step does (no scenario: nothing releases it but a person).
func riskCreditHold(ctx context.Context, tx pgx.Tx, alert RiskAlert, actor string) error {
	var was bool
	var since time.Time
	if err := tx.QueryRow(ctx, putOnHold, alert.CustomerID, 0).Scan(&was, &since); err != nil || was {
		return err
	}
	after, err := json.Marshal(map[string]any{"on_hold": true, "on_hold_since": since.UTC(), "alert_id": alert.ID})
	if err != nil {
		return err
	}
	return Journal(ctx, tx, Entry{Actor: actor, Action: "customer.credit_hold", Target: customerTarget(alert.CustomerID),
		Before: json.RawMessage(`{"on_hold":false}`), After: after})
}

// legalStatusEvents acts on what sig says of the customer's legal status
// against the observation before: insolvency proceedings opened (dunning
// stops, the claim is declared), or an insolvent customer active again (an
// alert only: a person decides).
func legalStatusEvents(ctx context.Context, tx pgx.Tx, out *RiskEvaluation, sig riskSignal, hist []domain.RiskObservation, now time.Time) error {
	status := sig.obs.LegalStatus
	if status == "" {
		return nil
	}
	before := domain.LegalActive
	for i := len(hist) - 2; i >= 0; i-- {
		if hist[i].LegalStatus != "" {
			before = hist[i].LegalStatus
			break
		}
	}
	switch {
	case status.Insolvent() && !before.Insolvent():
		return insolvency(ctx, tx, out, sig, now)
	case status == domain.LegalActive && before.Insolvent():
		detail, err := json.Marshal(map[string]any{"provider": sig.provider, "legal_status": status, "before": before})
		if err != nil {
			return err
		}
		alert, raised, err := raiseSignalAlert(ctx, tx, out, sig, "legal_status", detail)
		if err != nil || !raised {
			return err
		}
		actor := riskActor(sig.provider)
		if _, err := tellRiskAlert(ctx, tx, alert, actor); err != nil {
			return err
		}
		return journalRiskAlert(ctx, tx, alert, actor, []string{"notify"})
	}
	return nil
}

// raiseSignalAlert raises the alert of kind that the signal itself calls
// for (not a rule's): once per customer and signal, added to out when raised.
func raiseSignalAlert(ctx context.Context, tx pgx.Tx, out *RiskEvaluation, sig riskSignal, kind string, detail []byte) (RiskAlert, bool, error) {
	signalID := sig.obs.SignalID
	alert, raised, err := RaiseRiskAlert(ctx, tx, RiskAlert{CustomerID: sig.customer, Kind: kind, SignalID: &signalID,
		DedupeKey: alertKey(kind, "customer", sig.customer, "signal", signalID), Detail: detail})
	if err == nil && raised {
		out.Alerts = append(out.Alerts, alert)
	}
	return alert, raised, err
}

// insolvency: the customer's open invoices are flagged as in the proceedings
// (the dunning snapshot leaves them out, and an insolvent customer's whole
// account: activities.LoadAccount), a claim declaration is opened for the
// legal department with the country's deadline from the publication (else
// the observation), and an alert tells the agent and the credit managers.
func insolvency(ctx context.Context, tx pgx.Tx, out *RiskEvaluation, sig riskSignal, now time.Time) error {
	from := sig.obs.At.UTC()
	if sig.publishedOn != nil {
		from = *sig.publishedOn
	}
	var days, months *int
	var reference string
	if err := tx.QueryRow(ctx, claimDeadline, pgx.NamedArgs{"customer": sig.customer}).Scan(&days, &months, &reference); err != nil {
		return fmt.Errorf("claim deadline of customer %d: %w", sig.customer, err)
	}
	due := ClaimDue(from, days, months)
	rows, err := tx.Query(ctx, flagProceedings, pgx.NamedArgs{"customer": sig.customer})
	if err != nil {
		return err
	}
	flagged, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	detail := observationDetail(sig)
	detail["claim_due_on"], detail["deadline"], detail["invoices"] = due.Format(time.DateOnly), reference, flagged
	if sig.publishedOn != nil {
		detail["published_on"] = sig.publishedOn.Format(time.DateOnly)
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	alert, raised, err := raiseSignalAlert(ctx, tx, out, sig, "insolvency", b)
	if err != nil || !raised {
		return err
	}
	actor := riskActor(sig.provider)
	caseID, err := openCase(ctx, tx, Everything, NewCase{Type: domain.CaseClaimDeclaration, CustomerID: sig.customer,
		Description: fmt.Sprintf("Insolvency proceedings (%s): declare the claim before %s (%s).", sig.obs.LegalStatus,
			due.Format(time.DateOnly), reference),
		Details: b, Source: "risk", Actor: actor})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, setClaimDue, pgx.NamedArgs{"id": caseID, "due": due, "sla": businessDaysUntil(now, due)}); err != nil {
		return err
	}
	out.Cases = append(out.Cases, caseID)
	out.Wake = append(out.Wake, sig.customer)
	if _, err := tellRiskAlert(ctx, tx, alert, actor); err != nil {
		return err
	}
	return journalRiskAlert(ctx, tx, alert, actor, []string{"notify", "claim_declaration", "invoices_in_proceedings", "dunning_stopped"})
}

// ClaimDue is the last day to declare a claim: days or months after from
// (a month after 31 January is the last day of February).
func ClaimDue(from time.Time, days, months *int) time.Time {
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	if days != nil {
		return from.AddDate(0, 0, *days)
	}
	m := 0
	if months != nil {
		m = *months
	}
	due := time.Date(from.Year(), from.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	last := due.AddDate(0, 1, -1).Day()
	return due.AddDate(0, 0, min(from.Day(), last)-1)
}

// businessDaysUntil counts the weekdays after now up to due, within a case's
// SLA bounds (1 to 250): the Case workflow's clock for a claim declaration.
func businessDaysUntil(now, due time.Time) int {
	n := 0
	today := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	for d := today.AddDate(0, 0, 1); !d.After(due) && n < 250; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return max(n, 1)
}
