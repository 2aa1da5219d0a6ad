package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

// AbsenceRequest is an agent's absence: from (default now) until (nil: the
// agent leaves for good), their accounts and open tasks go to the delegates,
// round robin by account when there are several.
type AbsenceRequest struct {
	AgentEmail string     `json:"agent_email"`
	Delegates  []string   `json:"delegates"`
	From       *time.Time `json:"from"`
	Until      *time.Time `json:"until"`
	Reason     string     `json:"reason"`
}

// maxDelegates bounds the delegates of one absence.
const maxDelegates = 20

// CreateAbsence records an absence and starts its Handover workflow
// (handover/<id>), which moves the accounts at its start and back at its end.
func (a *App) CreateAbsence(ctx context.Context, who domain.Principal, req AbsenceRequest) (store.Absence, error) {
	if err := allow(who, auth.DunningReassign); err != nil {
		return store.Absence{}, err
	}
	now := time.Now().UTC()
	ab := store.Absence{AgentEmail: strings.ToLower(strings.TrimSpace(req.AgentEmail)), StartsAt: now,
		Reason: strings.TrimSpace(req.Reason)}
	if req.From != nil && req.From.After(now) {
		ab.StartsAt = req.From.UTC()
	}
	for _, d := range req.Delegates {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && !slices.Contains(ab.Delegates, d) {
			ab.Delegates = append(ab.Delegates, d)
		}
	}
	var errs []error
	if ab.AgentEmail == "" {
		errs = append(errs, domain.FieldError("agent_email", "required"))
	}
	switch {
	case len(ab.Delegates) == 0:
		errs = append(errs, domain.FieldError("delegates", "required: at least one colleague"))
	case len(ab.Delegates) > maxDelegates:
		errs = append(errs, domain.FieldError("delegates", "%d delegates: at most %d", len(ab.Delegates), maxDelegates))
	case slices.Contains(ab.Delegates, ab.AgentEmail):
		errs = append(errs, domain.FieldError("delegates", "%s cannot cover for themselves", ab.AgentEmail))
	}
	if req.Until != nil {
		until := req.Until.UTC()
		if !until.After(ab.StartsAt) {
			errs = append(errs, domain.FieldError("until", "%s is not after the start", until.Format(time.RFC3339)))
		}
		ab.EndsAt = &until
	}
	if len(ab.Reason) > maxReason {
		errs = append(errs, domain.FieldError("reason", "at most %d characters", maxReason))
	}
	if err := domain.Invalid(errs...); err != nil {
		return store.Absence{}, err
	}
	if err := a.checkUser(ctx, "agent_email", ab.AgentEmail); err != nil {
		return store.Absence{}, err
	}
	for _, d := range ab.Delegates {
		if err := a.checkUser(ctx, "delegates", d); err != nil {
			return store.Absence{}, err
		}
	}
	if a.flow == nil { // an absence without its handover would move nothing
		return store.Absence{}, flow.ErrUnavailable
	}
	ab, err := a.store.CreateAbsence(ctx, ab, who.Actor())
	if err != nil {
		return ab, err
	}
	if err := a.flow.StartHandover(ctx, handoverInput(ab)); err != nil {
		// Not started: the absence ends at once, so nobody thinks it is covered.
		if _, endErr := a.store.EndAbsence(ctx, ab.ID, time.Now().UTC(), "system"); endErr != nil {
			a.log.ErrorContext(ctx, "end an absence whose handover did not start", "absence", ab.ID, "err", endErr)
		}
		return ab, domain.Errorf(domain.CodeUnavailable, "the handover of absence %d could not start: %v", ab.ID, err)
	}
	return ab, nil
}

func handoverInput(ab store.Absence) flow.HandoverInput {
	in := flow.HandoverInput{AbsenceID: ab.ID, Agent: ab.AgentEmail, From: ab.StartsAt, By: ab.CreatedBy}
	if ab.EndsAt != nil {
		in.Until = *ab.EndsAt
	}
	return in
}

// AbsenceQuery lists the absences of one agent ("" for all), the latest first.
type AbsenceQuery struct {
	Agent string
	domain.Page
}

// Absences lists absences with what their handover moved so far.
func (a *App) Absences(ctx context.Context, who domain.Principal, q AbsenceQuery) ([]store.Absence, int64, error) {
	if err := allow(who, auth.DunningReassign); err != nil {
		return nil, 0, err
	}
	return a.store.ListAbsences(ctx, strings.ToLower(strings.TrimSpace(q.Agent)), q.Page)
}

// Absence is one absence.
func (a *App) Absence(ctx context.Context, who domain.Principal, id int64) (store.Absence, error) {
	if err := allow(who, auth.DunningReassign); err != nil {
		return store.Absence{}, err
	}
	return a.store.GetAbsence(ctx, id)
}

// EndAbsence ends an absence now: its handover gives back the accounts and
// tasks nobody reassigned meanwhile (or moves nothing, if it had not begun).
func (a *App) EndAbsence(ctx context.Context, who domain.Principal, id int64) (store.Absence, error) {
	ab, err := a.Absence(ctx, who, id)
	if err != nil {
		return ab, err
	}
	now := time.Now().UTC()
	switch {
	case ab.EndedEarlyAt != nil:
		return ab, domain.Errorf(domain.CodeConflict, "absence %d already ended on %s", id, ab.EndedEarlyAt.UTC().Format(time.RFC3339))
	case ab.EndsAt != nil && !ab.EndsAt.After(now):
		return ab, domain.Errorf(domain.CodeConflict, "absence %d already ended on %s", id, ab.EndsAt.UTC().Format(time.RFC3339))
	case ab.EndsAt == nil && !ab.StartsAt.After(now):
		return ab, leftForGood(ab)
	}
	if a.flow == nil {
		return ab, flow.ErrUnavailable
	}
	if ab, err = a.store.EndAbsence(ctx, id, now, who.Actor()); err != nil {
		return ab, err
	}
	return ab, a.flow.EndHandover(ctx, id, who.Actor())
}

// leftForGood refuses to end or change an absence without an end that has
// begun: the agent's accounts are the delegates' now.
func leftForGood(ab store.Absence) error {
	return domain.Errorf(domain.CodeConflict, "absence %d: %s left for good and the accounts have moved; give them back by bulk assignment", ab.ID, ab.AgentEmail)
}

// AbsenceDates are an absence's new dates: from (ignored once it has begun;
// nil keeps it) and until (nil: for good, only while it has not begun).
type AbsenceDates struct {
	From  *time.Time `json:"from"`
	Until *time.Time `json:"until"`
}

// ChangeAbsence changes an absence's dates: its handover waits for the new
// ones (an end moved into the past ends it at once).
func (a *App) ChangeAbsence(ctx context.Context, who domain.Principal, id int64, req AbsenceDates) (store.Absence, error) {
	ab, err := a.Absence(ctx, who, id)
	if err != nil {
		return ab, err
	}
	now := time.Now().UTC()
	begun := !ab.StartsAt.After(now)
	if ab.EndedEarlyAt != nil || (ab.EndsAt != nil && !ab.EndsAt.After(now)) {
		return ab, domain.Errorf(domain.CodeConflict, "absence %d has ended", id)
	}
	if begun && ab.EndsAt == nil {
		return ab, leftForGood(ab)
	}
	from := ab.StartsAt
	if req.From != nil && !begun {
		from = req.From.UTC()
		if from.Before(now) {
			from = now
		}
	}
	var until *time.Time
	switch {
	case req.Until != nil:
		u := req.Until.UTC()
		if !u.After(from) || !u.After(now) {
			return ab, domain.FieldError("until", "%s is not after the start and now", u.Format(time.RFC3339))
		}
		until = &u
	case begun:
		return ab, domain.FieldError("until", "required once the absence has begun (to hand the accounts over for good, use a bulk assignment)")
	}
	if a.flow == nil {
		return ab, flow.ErrUnavailable
	}
	if ab, err = a.store.ChangeAbsenceDates(ctx, id, from, until, who.Actor()); err != nil {
		return ab, err
	}
	d := flow.HandoverDates{From: ab.StartsAt}
	if ab.EndsAt != nil {
		d.Until = *ab.EndsAt
	}
	return ab, a.flow.ChangeHandoverDates(ctx, id, d)
}

// CoveringFor is the absent agent whose account this is for the time of
// their absence ("" when none): the account page's "covering for" mark.
func (a *App) CoveringFor(ctx context.Context, who domain.Principal, customerID int64) (string, error) {
	if err := a.visibleCustomer(ctx, who, auth.AccountsRead, customerID); err != nil {
		return "", err
	}
	return a.store.CoveringFor(ctx, customerID)
}
