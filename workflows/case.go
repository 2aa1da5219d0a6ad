package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
)

var cases *activities.Cases

// Case runs one case until it is closed: its SLA clock, counted in business
// days of the entity's calendar (a reminder to the owner at half the SLA, an
// escalation to the department's manager at the SLA and again at twice,
// each a task; the clock stops while the case waits for the customer), its
// discussion (comments and re-routing arrive as signals), its decision (a
// validated update, recorded with what it does to the invoices and the
// credit limit), then the window in which it may be reopened, after which it
// closes. What the case holds lives in Postgres; the workflow holds time.
func Case(ctx workflow.Context, in flow.CaseInput) error {
	c := &caseRun{in: in}
	if err := c.setup(ctx); err != nil {
		return err
	}
	return c.run(ctx)
}

type caseRun struct {
	in       flow.CaseInput
	cal      *dunning.Calendar
	loc      *time.Location
	changed  bool // a message changed the state: the wait starts again
	deciding bool // a decision is being recorded: another waits its turn
}

// SLA thresholds as business time: half the SLA, the SLA, twice the SLA
// (flow.CaseReminder, CaseBreach, CaseBreachTwice).
func (c *caseRun) threshold(level int) time.Duration {
	day := time.Duration(c.in.SLABusinessDays) * 24 * time.Hour
	switch level {
	case flow.CaseReminder:
		return day / 2
	case flow.CaseBreach:
		return day
	}
	return 2 * day
}

func (c *caseRun) setup(ctx workflow.Context) error {
	c.cal, _ = dunning.NewCalendarWith(c.in.Calendar.Country, c.in.Calendar.Holidays)
	c.loc = time.UTC
	if loc, err := time.LoadLocation(c.in.Calendar.TimeZone); err == nil && c.in.Calendar.TimeZone != "" && c.in.Calendar.TimeZone != "Local" {
		c.loc = loc
	}
	if c.in.Status == "" {
		c.in.Status = domain.CaseOpen
	}
	if c.in.Status == domain.CaseOpen && c.in.Clock.RunningSince.IsZero() {
		c.in.Clock.RunningSince = c.in.OpenedAt // a new case: its clock runs from its opening
		if c.in.OpenedAt.IsZero() {
			c.in.Clock.RunningSince = workflow.Now(ctx)
		}
	}
	comments := workflow.GetSignalChannel(ctx, flow.SignalCaseComment)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var cm flow.CaseComment
			comments.Receive(ctx, &cm)
			c.in.Comments++
			c.changed = true
		}
	})
	routed := workflow.GetSignalChannel(ctx, flow.SignalCaseRouted)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var r flow.CaseRouted
			routed.Receive(ctx, &r)
			c.in.Department, c.in.Owner = r.Department, r.Owner
			c.changed = true
			if err := c.upsertAttributes(ctx); err != nil {
				workflow.GetLogger(ctx).Warn("case: search attributes not updated", "case", c.in.CaseID, "err", err)
			}
		}
	})
	if err := workflow.SetQueryHandler(ctx, flow.QueryStatus, func() (flow.CaseStatus, error) {
		return c.status(workflow.Now(ctx)), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateCaseDecide, c.onDecide,
		workflow.UpdateHandlerOptions{Validator: c.validateDecide}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateCaseStatus, c.onStatus,
		workflow.UpdateHandlerOptions{Validator: c.validateStatus}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateCaseReopen, c.onReopen,
		workflow.UpdateHandlerOptions{Validator: c.validateReopen})
}

func (c *caseRun) run(ctx workflow.Context) error {
	// An alert is a database write: retried for as long as Postgres is away.
	alertCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Minute}})
	for {
		c.changed = false
		now := workflow.Now(ctx)
		var err error
		switch {
		case c.in.Status == domain.CaseDecided:
			until := c.in.DecidedAt.Add(flow.CaseReopenWindow)
			if !now.Before(until) {
				if err := workflow.ExecuteActivity(alertCtx, cases.CloseCase,
					flow.CloseCaseInput{CaseID: c.in.CaseID, By: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, nil); err != nil {
					return err
				}
				c.in.Status = domain.CaseClosed
				if err := c.upsertAttributes(ctx); err != nil {
					return err
				}
				return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
			}
			_, err = workflow.AwaitWithTimeout(ctx, until.Sub(now), func() bool { return c.changed })
		case c.in.Status == domain.CaseOpen && c.in.Clock.Level < flow.CaseBreachTwice:
			level := c.in.Clock.Level + 1
			due := c.dueAt(level)
			if now.Before(due) {
				_, err = workflow.AwaitWithTimeout(ctx, due.Sub(now), func() bool { return c.changed })
				break
			}
			alert := flow.CaseAlertInput{CaseID: c.in.CaseID, Level: level, Round: c.in.Clock.Round, DueAt: due,
				By: workflow.GetInfo(ctx).WorkflowExecution.ID}
			if err := workflow.ExecuteActivity(alertCtx, cases.CaseAlert, alert).Get(ctx, nil); err != nil {
				return err
			}
			c.in.Clock.Level = level
		default: // waiting for the customer, or every threshold passed: a message moves it on
			err = workflow.Await(ctx, func() bool { return c.changed })
		}
		if err != nil {
			return err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, Case, c.in)
		}
	}
}

// dueAt is when the clock reaches the threshold of level, running from now on.
func (c *caseRun) dueAt(level int) time.Time {
	return addBusinessTime(c.cal, c.loc, c.in.Clock.RunningSince, c.threshold(level)-c.in.Clock.Used)
}

// stopClock adds the running stretch to the time used and stops the clock.
func (c *caseRun) stopClock(now time.Time) {
	if !c.in.Clock.RunningSince.IsZero() {
		c.in.Clock.Used += businessTimeBetween(c.cal, c.loc, c.in.Clock.RunningSince, now)
		c.in.Clock.RunningSince = time.Time{}
	}
}

func (c *caseRun) status(now time.Time) flow.CaseStatus {
	st := flow.CaseStatus{CaseID: c.in.CaseID, Status: c.in.Status, Department: c.in.Department, Owner: c.in.Owner,
		Comments: c.in.Comments, Decision: c.in.Decision,
		SLA: flow.CaseSLA{BusinessDays: c.in.SLABusinessDays, State: domain.SLAStates[c.in.Clock.Level], Used: c.in.Clock.Used,
			Paused: c.in.Status == domain.CaseWaitingCustomer}}
	running := !c.in.Clock.RunningSince.IsZero()
	if running {
		st.SLA.Used += businessTimeBetween(c.cal, c.loc, c.in.Clock.RunningSince, now)
	}
	if running && c.in.Status == domain.CaseOpen {
		for i, due := range []**time.Time{&st.SLA.ReminderDue, &st.SLA.BreachDue, &st.SLA.TwiceDue} {
			if level := flow.CaseReminder + i; level > c.in.Clock.Level {
				t := c.dueAt(level).UTC()
				*due = &t
			}
		}
	}
	if c.in.Status == domain.CaseDecided {
		t := c.in.DecidedAt.Add(flow.CaseReopenWindow).UTC()
		st.ReopenUntil = &t
	}
	return st
}

func (c *caseRun) upsertAttributes(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx, flow.CaseAttributes(c.in)...)
}

func (c *caseRun) validateDecide(_ workflow.Context, d flow.CaseDecision) error {
	switch {
	case d.CaseID != c.in.CaseID:
		return errors.New("the decision is for another case")
	case c.deciding:
		return errors.New("another decision is being recorded")
	case c.in.Status != domain.CaseOpen && c.in.Status != domain.CaseWaitingCustomer:
		return errors.New("the case is " + string(c.in.Status) + " already")
	case !slices.Contains(domain.Decisions[c.in.Type], d.Decision):
		return errors.New("a " + string(c.in.Type) + " cannot be " + string(d.Decision))
	case d.Reason == "":
		return errors.New("reason is required")
	case d.By == "":
		return errors.New("by is required")
	}
	return nil
}

// onDecide records the decision (and what it does) through an activity; then
// the SLA clock stops and the reopening window begins.
func (c *caseRun) onDecide(ctx workflow.Context, d flow.CaseDecision) (flow.DecidedCase, error) {
	c.deciding = true
	defer func() { c.deciding = false }()
	var out flow.DecidedCase
	if err := workflow.ExecuteActivity(holdCtx(ctx), cases.DecideCase, d).Get(ctx, &out); err != nil {
		return out, activityRefusal(err)
	}
	now := workflow.Now(ctx)
	c.stopClock(now)
	c.in.Status, c.in.Decision, c.in.DecidedAt = domain.CaseDecided, d.Decision, now
	c.changed = true
	return out, c.upsertAttributes(ctx)
}

func (c *caseRun) validateStatus(_ workflow.Context, s flow.CaseStatusChange) error {
	switch {
	case s.CaseID != c.in.CaseID:
		return errors.New("the change is for another case")
	case c.in.Status != domain.CaseOpen && c.in.Status != domain.CaseWaitingCustomer:
		return errors.New("the case is " + string(c.in.Status) + ": its status no longer changes")
	case s.Status != domain.CaseOpen && s.Status != domain.CaseWaitingCustomer:
		return errors.New("status: want open or waiting_customer")
	case s.Status == c.in.Status:
		return errors.New("the case is " + string(s.Status) + " already")
	case s.By == "":
		return errors.New("by is required")
	}
	return nil
}

// onStatus records the new status; waiting for the customer stops the SLA
// clock, open starts it again where it stopped.
func (c *caseRun) onStatus(ctx workflow.Context, s flow.CaseStatusChange) error {
	if err := workflow.ExecuteActivity(holdCtx(ctx), cases.SetCaseStatus, s).Get(ctx, nil); err != nil {
		return activityRefusal(err)
	}
	now := workflow.Now(ctx)
	if s.Status == domain.CaseWaitingCustomer {
		c.stopClock(now)
	} else if c.in.Clock.RunningSince.IsZero() {
		c.in.Clock.RunningSince = now
	}
	c.in.Status = s.Status
	c.changed = true
	return c.upsertAttributes(ctx)
}

func (c *caseRun) validateReopen(ctx workflow.Context, r flow.CaseReopenRequest) error {
	switch {
	case c.in.Status != domain.CaseDecided:
		return errors.New("only a decided case can be reopened; this one is " + string(c.in.Status))
	case !workflow.Now(ctx).Before(c.in.DecidedAt.Add(flow.CaseReopenWindow)):
		return errors.New("the reopening window has passed")
	case r.Reason == "":
		return errors.New("reason is required")
	case r.By == "":
		return errors.New("by is required")
	}
	return nil
}

// onReopen records the reopening; the SLA clock starts afresh (a new round
// of reminders).
func (c *caseRun) onReopen(ctx workflow.Context, r flow.CaseReopenRequest) error {
	round := c.in.Clock.Round + 1
	in := flow.CaseReopen{CaseID: c.in.CaseID, Reason: r.Reason, By: r.By, Round: round}
	if err := workflow.ExecuteActivity(holdCtx(ctx), cases.ReopenCase, in).Get(ctx, nil); err != nil {
		return activityRefusal(err)
	}
	c.in.Clock = flow.CaseClock{Round: round, RunningSince: workflow.Now(ctx)}
	c.in.Status, c.in.Decision, c.in.DecidedAt = domain.CaseOpen, "", time.Time{}
	c.changed = true
	return c.upsertAttributes(ctx)
}

// activityRefusal answers the ledger's refusal as the update's own error
// (its message, not the activity's wrapping).
func activityRefusal(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return temporal.NewApplicationError(app.Message(), app.Type())
	}
	return err
}

// businessTimeBetween is the part of [a, b) that falls on business days of
// cal, days running midnight to midnight in loc.
func businessTimeBetween(cal *dunning.Calendar, loc *time.Location, a, b time.Time) time.Duration {
	var total time.Duration
	for t := a; t.Before(b); {
		day := dunning.DateOf(t.In(loc))
		end := day.AddDays(1).In(loc)
		if end.After(b) {
			end = b
		}
		if cal.IsBusinessDay(day) {
			total += end.Sub(t)
		}
		t = end
	}
	return total
}

// maxSLADays bounds the walk of addBusinessTime (ten years of days).
const maxSLADays = 3660

// addBusinessTime is the instant d of business time after t: time on
// weekends and holidays of cal (in loc) does not count.
func addBusinessTime(cal *dunning.Calendar, loc *time.Location, t time.Time, d time.Duration) time.Time {
	for range maxSLADays {
		day := dunning.DateOf(t.In(loc))
		next := day.AddDays(1).In(loc)
		if cal.IsBusinessDay(day) {
			left := next.Sub(t)
			if d <= left {
				return t.Add(d)
			}
			d -= left
		}
		t = next
	}
	return t
}
