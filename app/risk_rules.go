package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/notify"
	"recoup/store"
)

// RiskRuleRequest creates or replaces a risk rule (README "Rules and
// alerts"). Points and Days are score_drop's; Scale rating_worse's (empty:
// the entity's, else AAA to D). Consecutive 0 is 1. Active nil is true.
type RiskRuleRequest struct {
	Entity      string   `json:"entity"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Points      *int     `json:"points"`
	Days        *int     `json:"days"`
	Scale       []string `json:"scale"`
	Consecutive int      `json:"consecutive"`
	Notify      bool     `json:"notify"`
	Email       bool     `json:"email"`
	ScenarioID  *int64   `json:"scenario_id"`
	CreditHold  bool     `json:"credit_hold"`
	TaskKind    string   `json:"task_kind"`
	Active      *bool    `json:"active"`
}

// maxRiskRuleName bounds a rule's name, in characters; maxScale a scale's classes.
const (
	maxRiskRuleName = 100
	maxScale        = 30
)

// riskEntities are the entities whose rules who may see and change (nil: all).
func riskEntities(who domain.Principal) []int64 {
	if who.Role == domain.RoleAdmin || who.AllEntities {
		return nil
	}
	return append([]int64{}, who.EntityIDs...)
}

// RiskRules lists the risk rules of who's entities (entity "": all of them).
func (a *App) RiskRules(ctx context.Context, who domain.Principal, entity string) ([]store.RiskRule, error) {
	if err := allow(who, auth.RiskRulesRead); err != nil {
		return nil, err
	}
	return a.store.RiskRules(ctx, entity, riskEntities(who))
}

// RiskRule is one rule of who's entities.
func (a *App) RiskRule(ctx context.Context, who domain.Principal, id int64) (store.RiskRule, error) {
	if err := allow(who, auth.RiskRulesRead); err != nil {
		return store.RiskRule{}, err
	}
	r, err := a.store.RiskRule(ctx, id)
	if err != nil {
		return r, err
	}
	if es := riskEntities(who); es != nil && !slices.Contains(es, r.EntityID) {
		return store.RiskRule{}, domain.Errorf(domain.CodeNotFound, "risk rule %d not found", id)
	}
	return r, nil
}

// CreateRiskRule adds a rule to one of who's entities.
func (a *App) CreateRiskRule(ctx context.Context, who domain.Principal, req RiskRuleRequest) (store.RiskRule, error) {
	return a.saveRiskRule(ctx, who, 0, req)
}

// UpdateRiskRule replaces rule id; it applies from the next signal evaluated.
func (a *App) UpdateRiskRule(ctx context.Context, who domain.Principal, id int64, req RiskRuleRequest) (store.RiskRule, error) {
	return a.saveRiskRule(ctx, who, id, req)
}

func (a *App) saveRiskRule(ctx context.Context, who domain.Principal, id int64, req RiskRuleRequest) (store.RiskRule, error) {
	if err := allow(who, auth.RiskRulesWrite); err != nil {
		return store.RiskRule{}, err
	}
	r, err := ValidRiskRule(req)
	if err != nil {
		return r, err
	}
	r.ID = id
	return a.store.SaveRiskRule(ctx, r, riskEntities(who), who.Actor())
}

// DeleteRiskRule deletes a rule; the alerts it raised stay.
func (a *App) DeleteRiskRule(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.RiskRulesWrite); err != nil {
		return err
	}
	return a.store.DeleteRiskRule(ctx, id, riskEntities(who), who.Actor())
}

// ValidRiskRule checks a rule request, each error on its field (the form
// shows them beside the fields), and answers the rule to store.
func ValidRiskRule(req RiskRuleRequest) (store.RiskRule, error) {
	r := store.RiskRule{Entity: strings.TrimSpace(req.Entity), Name: strings.TrimSpace(req.Name), Kind: domain.RiskRuleKind(req.Kind),
		Consecutive: req.Consecutive, Notify: req.Notify, Email: req.Email, ScenarioID: req.ScenarioID, CreditHold: req.CreditHold,
		Active: req.Active == nil || *req.Active, Scale: []string{}}
	var errs []error
	switch {
	case r.Entity == "":
		errs = append(errs, domain.FieldError("entity", "required: the entity's code"))
	case !storable(r.Entity):
		errs = append(errs, domain.FieldError("entity", "not valid text"))
	}
	switch n := utf8.RuneCountInString(r.Name); {
	case !storable(r.Name):
		errs = append(errs, domain.FieldError("name", "not valid text (no NUL, valid UTF-8)"))
	case n == 0:
		errs = append(errs, domain.FieldError("name", "required"))
	case n > maxRiskRuleName:
		errs = append(errs, domain.FieldError("name", "at most %d characters", maxRiskRuleName))
	}
	if !slices.Contains(domain.RiskRuleKinds, r.Kind) {
		errs = append(errs, domain.FieldError("kind", "%q: want %s", req.Kind, domain.Choices(domain.RiskRuleKinds)))
	}
	if r.Consecutive == 0 {
		r.Consecutive = 1
	}
	if r.Consecutive < 1 || r.Consecutive > domain.MaxConsecutive {
		errs = append(errs, domain.FieldError("consecutive", "%d: want 1 to %d observations in a row", req.Consecutive, domain.MaxConsecutive))
	}
	if r.Kind == domain.RiskScoreDrop {
		switch {
		case req.Points == nil:
			errs = append(errs, domain.FieldError("points", "required for a score drop: the points lost"))
		case *req.Points < 1 || *req.Points > 100:
			errs = append(errs, domain.FieldError("points", "%d: want 1 to 100", *req.Points))
		}
		switch {
		case req.Days == nil:
			errs = append(errs, domain.FieldError("days", "required for a score drop: over how many days"))
		case *req.Days < 1 || *req.Days > 3650:
			errs = append(errs, domain.FieldError("days", "%d: want 1 to 3650", *req.Days))
		}
		r.Points, r.Days = req.Points, req.Days
	} else if req.Points != nil || req.Days != nil {
		errs = append(errs, domain.FieldError("points", "only a score drop has points and days"))
	}
	if len(req.Scale) > 0 {
		if r.Kind != domain.RiskRatingWorse {
			errs = append(errs, domain.FieldError("scale", "only a worse rating has a scale"))
		}
		for _, c := range req.Scale {
			c = strings.TrimSpace(c)
			switch {
			case c == "" || utf8.RuneCountInString(c) > 10 || !storable(c):
				errs = append(errs, domain.FieldError("scale", "%q: each class 1 to 10 characters", c))
			case slices.Contains(r.Scale, c):
				errs = append(errs, domain.FieldError("scale", "%q is listed twice", c))
			}
			r.Scale = append(r.Scale, c)
		}
		if len(r.Scale) == 1 || len(r.Scale) > maxScale {
			errs = append(errs, domain.FieldError("scale", "want 2 to %d classes, best to worst", maxScale))
		}
	}
	if req.TaskKind != "" {
		k := domain.TaskKind(req.TaskKind)
		if !slices.Contains(store.RiskTaskKinds, k) {
			errs = append(errs, domain.FieldError("task_kind", "%q: want %s", req.TaskKind, domain.Choices(store.RiskTaskKinds)))
		}
		r.TaskKind = &k
	}
	if req.ScenarioID != nil && *req.ScenarioID <= 0 {
		errs = append(errs, domain.FieldError("scenario_id", "%d: want a scenario's id", *req.ScenarioID))
	}
	if !r.Notify && !r.Email && r.ScenarioID == nil && !r.CreditHold && r.TaskKind == nil {
		errs = append(errs, domain.FieldError("actions", "choose at least one action: notify, email, scenario, credit hold or task"))
	}
	return r, domain.Invalid(errs...)
}

// RiskAlertQuery filters the alert list: Customer 0 is every customer,
// State "open", "acknowledged" or "" (both).
type RiskAlertQuery struct {
	CustomerID int64
	State      string
	domain.Page
}

// RiskAlerts lists the alerts on customers inside who's perimeter, newest first.
func (a *App) RiskAlerts(ctx context.Context, who domain.Principal, q RiskAlertQuery) ([]store.RiskAlertView, int64, error) {
	if err := allow(who, auth.RiskAlertsRead); err != nil {
		return nil, 0, err
	}
	f := store.RiskAlertFilter{CustomerID: q.CustomerID, Page: q.Page}
	switch q.State {
	case "":
	case "open", "acknowledged":
		open := q.State == "open"
		f.Open = &open
	default:
		return nil, 0, domain.FieldError("state", "%q: want open or acknowledged", q.State)
	}
	if f.Page.Limit == 0 {
		f.Page.Limit = domain.DefaultPageSize
	}
	return a.store.RiskAlerts(ctx, perimeter(who), f)
}

// AcknowledgeRiskAlert marks an alert dealt with: it leaves the open list.
func (a *App) AcknowledgeRiskAlert(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.RiskAlertsAck); err != nil {
		return err
	}
	return a.store.AcknowledgeRiskAlert(ctx, perimeter(who), id, who.Actor())
}

// ReleaseProceedings puts back into dunning the invoices declared in the
// customer's insolvency proceedings, once it is active again: the person's
// decision the legal_status alert asks for, journaled with the reason. The
// account is woken.
func (a *App) ReleaseProceedings(ctx context.Context, who domain.Principal, customerID int64, req ReleaseRequest) ([]int64, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return nil, err
	}
	reason, err := validReason(req.Reason)
	if err != nil {
		return nil, err
	}
	ids, err := a.store.ReleaseProceedings(ctx, customerID, reason, who.Actor())
	if err != nil {
		return nil, err
	}
	a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})
	return ids, nil
}

// riskBatch is how many signals one transaction evaluates.
const riskBatch = 200

// EvaluateRiskSignals evaluates every matched signal not yet evaluated,
// oldest first, a batch per transaction (store.EvaluateRiskSignals: alerts,
// their actions and the insolvency a signal reveals commit with the signals'
// evaluated_at, so a crash evaluates again with nothing done twice). After
// each commit it wakes the accounts whose dunning changed and starts the
// claim declarations' Case workflows (both owed durably: the daily sweep
// wakes accounts, the catch-up starts cases), then sends the alerts' emails.
// It answers the number of signals evaluated. Ingestion calls it after
// recording signals; the daily digest run calls it as a catch-up.
func (a *App) EvaluateRiskSignals(ctx context.Context) (int, error) {
	total := 0
	for {
		ev, err := a.store.EvaluateRiskSignals(ctx, riskBatch, time.Now())
		if err != nil {
			return total, err
		}
		if ev.Signals == 0 {
			break
		}
		total += ev.Signals
		if len(ev.Wake) > 0 {
			slices.Sort(ev.Wake)
			a.AccountsChanged(ctx, Change{CustomerIDs: slices.Compact(ev.Wake)})
		}
		for _, id := range ev.Cases {
			k, err := a.store.Case(ctx, store.Everything, id)
			if err != nil {
				return total, err
			}
			a.startCase(ctx, k)
		}
	}
	if err := a.sendRiskAlertEmails(ctx); err != nil {
		a.log.WarnContext(ctx, "risk alert emails", "err", err)
	}
	return total, nil
}

// evaluateRisk runs the rules over the signals just committed. The signals
// are stored whatever happens here: a failure is logged and the daily run
// evaluates what is left (evaluated_at is still NULL), so the caller's answer
// does not depend on it; nor does a caller that goes away stop it halfway.
func (a *App) evaluateRisk(ctx context.Context) {
	if _, err := a.EvaluateRiskSignals(context.WithoutCancel(ctx)); err != nil {
		a.log.WarnContext(ctx, "risk rules: evaluation left to the daily run", "err", err)
	}
}

// maxRiskEmails bounds the emails one run sends.
const maxRiskEmails = 1000

// sendRiskAlertEmails sends the emails alerts owe, in each person's
// language, with the account's link; no mailer: they stay owed.
func (a *App) sendRiskAlertEmails(ctx context.Context) error {
	if a.portal.Mailer == nil {
		return nil
	}
	_, err := a.store.SendRiskAlertEmails(ctx, maxRiskEmails, func(m store.RiskAlertEmail) error {
		return a.portal.Mailer.Send(ctx, riskAlertEmail(m, a.portal.PublicURL))
	})
	return err
}

// riskAlertEmail is an alert's email: the notification's text and the account's link.
func riskAlertEmail(m store.RiskAlertEmail, publicURL string) notify.Email {
	text := NotificationText(m.Language, store.Notification{Kind: store.NotifyRiskAlert,
		Params: store.NotificationParams{Customer: m.CustomerName, Alert: m.Kind, AlertID: m.AlertID, CustomerID: m.CustomerID}})
	link := fmt.Sprintf("%s/accounts/%d", strings.TrimSuffix(publicURL, "/"), m.CustomerID)
	return notify.Email{To: []string{m.Email}, Subject: text, Text: text + "\n\n" + link + "\n", Language: m.Language,
		MessageID: notify.MessageID(fmt.Sprintf("risk-alert/%d/%d", m.AlertID, m.UserID))}
}
