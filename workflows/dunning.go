package workflows

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recoup/activities"
	"recoup/dunning"
	"recoup/flow"
)

// versionLocalLoad names the change to a local activity for loading the account (workflow.GetVersion).
const versionLocalLoad = "local-load-account"

// versionQuietAttributes names the change to upserting search attributes only when they change.
const versionQuietAttributes = "upsert-attributes-on-change"

// versionPromises names the change that checks promises to pay (the
// CheckPromise activity) when their hold ends.
const versionPromises = "check-promises"

// versionStatement names the change to the statement rules
// (dunning.RulesStatement): one message per channel, contact pressure,
// netting, the chase threshold, invoice holds, step ids.
const versionStatement = "statement-per-channel"

// versionLocalReassign names the change to a local activity for recording a
// reassignment: the update answers in one workflow task, with no round trip
// of an activity task through the server (a handover moves thousands).
const versionLocalReassign = "local-reassign"

// versionAll names the change that takes every change above with one marker:
// a run started on it asks no other version. Each GetVersion records a marker
// and upserts the TemporalChangeVersion search attribute, a visibility write
// on the server; five of them were most of a new run's first workflow task
// (README "Scale run"). A new change adds its own GetVersion after this one
// and moves to a new versionAll only when the old ones are gone.
const versionAll = "all-changes-2026-12"

var (
	accounts *activities.Accounts // activity method values, checked by the compiler
	outbound *activities.Dunning
)

// Dunning runs one account's scenarios for as long as it has open items:
// load the account, plan what is due, do it, sleep until the next step or a
// message, again. It ends when nothing is open; a later import starts it again.
func Dunning(ctx workflow.Context, in flow.DunningInput) error {
	d := &dunningRun{in: in, state: in.State, pause: in.Pause, failed: in.Failed}
	if err := d.setup(ctx); err != nil {
		return err
	}
	return d.run(ctx)
}

type dunningRun struct {
	in       flow.DunningInput
	state    dunning.State
	pause    flow.PauseState
	agent    string
	entity   string
	next     time.Time
	last     time.Time
	warnings []string
	waiting  []string // why due reminders wait (Plan.Waiting)
	codes    []string // the same as codes (Plan.WaitCodes)
	dirty    bool     // a message arrived: evaluate again now
	failed   []string // keys of texts and calls reported as not delivered

	all        bool        // started on versionAll: every change above applies
	quietAttrs bool        // upsert search attributes only when they change
	attrs      searchAttrs // the values last upserted
}

// searchAttrs are the values of the workflow's custom search attributes.
type searchAttrs struct {
	entity, agent string
	paused        bool
	set           bool
}

func (d *dunningRun) setup(ctx workflow.Context) error {
	changed := workflow.GetSignalChannel(ctx, flow.SignalInvoicesChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			changed.Receive(ctx, nil)
			d.dirty = true
		}
	})
	failedCh := workflow.GetSignalChannel(ctx, flow.SignalDeliveryFailed)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var f flow.DeliveryFailed
			failedCh.Receive(ctx, &f)
			d.failed = append(d.failed, f.Key)
			d.dirty = true
		}
	})
	if err := workflow.SetQueryHandler(ctx, flow.QueryStatus, d.status); err != nil {
		return err
	}
	if err := d.setupHolds(ctx); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdatePause, d.onPause,
		workflow.UpdateHandlerOptions{Validator: d.validatePause}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateResume, d.onResume,
		workflow.UpdateHandlerOptions{Validator: d.validateResume}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.UpdateReassign, d.onReassign,
		workflow.UpdateHandlerOptions{Validator: d.validateReassign})
}

func (d *dunningRun) run(ctx workflow.Context) error {
	log := workflow.GetLogger(ctx)
	loadCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	// Provider outages are retried with backoff for as long as they last: a
	// reminder is late, never lost, and the workflow does not fail.
	// The heartbeat timeout retries, within seconds rather than the whole
	// start-to-close timeout, an action whose worker died (Execute beats
	// every activities.HeartbeatEvery). Only activity IDs and types are
	// checked on replay: the option needs no version.
	sendCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		HeartbeatTimeout:    4 * activities.HeartbeatEvery,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 30 * time.Minute},
	})
	d.all = workflow.GetVersion(ctx, versionAll, workflow.DefaultVersion, 1) >= 1
	localLoad, checkPromises, statement := true, true, true
	d.quietAttrs = true
	if !d.all { // a run started before versionAll: its own markers say
		// Version 1 reads the account with a local activity: a short database read
		// needs no round trip through the server, which is most of an evaluation's cost.
		localLoad = workflow.GetVersion(ctx, versionLocalLoad, workflow.DefaultVersion, 1) >= 1
		// Version 1 upserts the search attributes only when they change: fewer events per evaluation.
		d.quietAttrs = workflow.GetVersion(ctx, versionQuietAttributes, workflow.DefaultVersion, 1) >= 1
		// Version 1 checks the account's promises to pay when their hold ends.
		checkPromises = workflow.GetVersion(ctx, versionPromises, workflow.DefaultVersion, 1) >= 1
		// Version 1 plans by the statement rules.
		statement = workflow.GetVersion(ctx, versionStatement, workflow.DefaultVersion, 1) >= 1
	}
	localCtx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	for {
		// Messages that arrive from here on call for another evaluation, even
		// while this one loads or sends.
		d.dirty = false
		var snap activities.AccountSnapshot
		var load workflow.Future
		if localLoad {
			load = workflow.ExecuteLocalActivity(localCtx, accounts.LoadAccount, d.in.CustomerID)
		} else {
			load = workflow.ExecuteActivity(loadCtx, accounts.LoadAccount, d.in.CustomerID)
		}
		if err := load.Get(ctx, &snap); err != nil {
			return err
		}
		now := workflow.Now(ctx)
		d.last, d.agent, d.entity = now, snap.Meta.AgentEmail, snap.Meta.EntityCode
		if d.pause.Paused && !d.pause.Until.IsZero() && !now.Before(d.pause.Until) {
			d.pause = flow.PauseState{} // the pause ran out
		}
		if err := d.upsertSearchAttributes(ctx); err != nil {
			return err
		}
		if checkPromises {
			settled, err := d.checkPromises(ctx, loadCtx, snap, now)
			if err != nil {
				return err
			}
			if settled {
				continue // load again: the settled promises' invoices are held no longer
			}
		}
		if len(snap.Account.Items) == 0 {
			if d.dirty {
				continue // new items may have arrived since the load
			}
			log.Debug("no open items: dunning ends", "customer", d.in.CustomerID)
			return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		}
		// A text or call that did not reach the customer goes again by email.
		for len(d.failed) > 0 {
			key := d.failed[0]
			d.failed = d.failed[1:]
			in := activities.FallbackInput{CustomerID: d.in.CustomerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Key: key}
			if err := workflow.ExecuteActivity(sendCtx, outbound.Fallback, in).Get(ctx, nil); err != nil {
				log.Warn("fallback after failed delivery did not run", "key", key, "err", err)
			}
		}
		acct := snap.Account
		acct.Paused, acct.PausedUntil = d.pause.Paused, d.pause.Until
		if statement {
			acct.Rules = dunning.RulesStatement
		}
		plan := dunning.PlanAt(acct, d.state, now)
		d.waiting, d.codes = plan.Waiting, plan.WaitCodes
		if !slices.Equal(plan.Warnings, d.warnings) { // e.g. a country without holiday data: said once, not each evaluation
			for _, w := range plan.Warnings {
				// The process logs each warning text once (logs.OnceKey): every
				// account of a country without holiday data says the same.
				log.Warn("dunning planner", "customer", d.in.CustomerID, "warning", w)
			}
		}
		d.warnings = plan.Warnings
		interrupted := false
		for _, a := range plan.Due {
			if d.pause.Paused { // paused while this batch was going out: the rest waits
				interrupted = true
				break
			}
			var res activities.ExecuteResult
			in := activities.ExecuteInput{CustomerID: d.in.CustomerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Action: a}
			if err := workflow.ExecuteActivity(sendCtx, outbound.Execute, in).Get(ctx, &res); err != nil {
				return err
			}
		}
		if interrupted {
			// Plan again from the old state: what went out is recorded by key
			// and will not go twice; what did not waits for the pause to end.
			continue
		}
		d.state, d.next = plan.State, plan.Next

		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, Dunning, flow.DunningInput{CustomerID: d.in.CustomerID, State: d.state,
				Pause: d.pause, Failed: d.failed})
		}
		if err := d.sleep(ctx); err != nil {
			return err
		}
	}
}

// checkPromises settles the open promises that are kept or whose hold has
// ended, and says whether any was settled. A payment plan is one such hold
// per instalment: its hold ends after the next instalment's due date plus
// the tolerance, and a met instalment moves it on to the next one.
//
// Promises live in Postgres, not in the workflow's state: the snapshot
// carries them and holds their invoices (Item.PromiseUntil), so recording or
// cancelling one is an ordinary wake-up (app.AccountsChanged), nothing is
// carried across continue-as-new, and the planner's next wake-up already
// includes each hold's end. The workflow only decides when to check, from
// the snapshot and workflow time (deterministic); the activity decides the
// outcome from the ledger and records it.
func (d *dunningRun) checkPromises(ctx, actCtx workflow.Context, snap activities.AccountSnapshot, now time.Time) (bool, error) {
	today := snap.Account.Today(now)
	settled := false
	for _, p := range snap.Promises {
		if !p.Kept && !today.After(p.Until) {
			continue
		}
		in := activities.CheckPromiseInput{CustomerID: d.in.CustomerID, PromiseID: p.ID, Kind: p.Kind, Today: today,
			WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}
		var res activities.CheckPromiseResult
		if err := workflow.ExecuteActivity(actCtx, accounts.CheckPromise, in).Get(ctx, &res); err != nil {
			return false, err
		}
		if res.Settled {
			status := string(res.Outcome.Status)
			if res.Plan != nil {
				status = string(res.Plan.Status)
			}
			workflow.GetLogger(ctx).Debug("promise checked", "customer", d.in.CustomerID, "promise", p.ID, "kind", p.Kind,
				"status", status)
			settled = true
		}
	}
	return settled, nil
}

// sleep waits until the next planned step, the end of a pause, or a message
// (one that arrived during the evaluation ends it at once).
func (d *dunningRun) sleep(ctx workflow.Context) error {
	now := workflow.Now(ctx) // sending may have taken long (a provider outage)
	wake := d.next
	if d.pause.Paused && !d.pause.Until.IsZero() && (wake.IsZero() || d.pause.Until.Before(wake)) {
		wake = d.pause.Until
	}
	if wake.IsZero() {
		return workflow.Await(ctx, func() bool { return d.dirty })
	}
	_, err := workflow.AwaitWithTimeout(ctx, max(wake.Sub(now), time.Second), func() bool { return d.dirty })
	return err
}

func (d *dunningRun) upsertSearchAttributes(ctx workflow.Context) error {
	now := searchAttrs{entity: d.entity, agent: d.agent, paused: d.pause.Paused, set: true}
	if d.quietAttrs && now == d.attrs {
		return nil
	}
	d.attrs = now
	return workflow.UpsertTypedSearchAttributes(ctx,
		flow.KeyCustomer.ValueSet(strconv.FormatInt(d.in.CustomerID, 10)),
		flow.KeyEntity.ValueSet(d.entity),
		flow.KeyAgent.ValueSet(d.agent),
		flow.KeyPaused.ValueSet(d.pause.Paused),
	)
}

func (d *dunningRun) status() (flow.DunningStatus, error) {
	return flow.DunningStatus{CustomerID: d.in.CustomerID, Pause: d.pause, Agent: d.agent, NextWake: d.next.UTC(),
		LastEvaluated: d.last, Stages: d.state.Stages, State: d.state, Warnings: d.warnings,
		Waiting: d.waiting, WaitCodes: d.codes}, nil
}

func (d *dunningRun) validatePause(ctx workflow.Context, req flow.PauseRequest) error {
	switch {
	case d.pause.Paused:
		return errors.New("the account is already paused")
	case !req.Until.IsZero() && !req.Until.After(workflow.Now(ctx)):
		return errors.New("until is in the past")
	}
	return nil
}

func (d *dunningRun) onPause(ctx workflow.Context, req flow.PauseRequest) (flow.PauseState, error) {
	d.pause = flow.PauseState{Paused: true, Until: req.Until, Reason: req.Reason, By: req.By}
	d.dirty = true
	return d.pause, d.upsertSearchAttributes(ctx)
}

func (d *dunningRun) validateResume(ctx workflow.Context, _ flow.ResumeRequest) error {
	if !d.pause.Paused {
		return errors.New("the account is not paused")
	}
	return nil
}

func (d *dunningRun) onResume(ctx workflow.Context, _ flow.ResumeRequest) (flow.PauseState, error) {
	d.pause = flow.PauseState{}
	d.dirty = true
	return d.pause, d.upsertSearchAttributes(ctx)
}

func (d *dunningRun) validateReassign(ctx workflow.Context, req flow.ReassignRequest) error {
	if req.AgentEmail == "" {
		return errors.New("agent_email is required")
	}
	if req.AgentEmail == d.agent {
		return errors.New("the account is already assigned to " + req.AgentEmail)
	}
	return nil
}

// onReassign records the new agent in Postgres (where lists and tasks read
// it) and in the search attribute (where handovers find the account).
func (d *dunningRun) onReassign(ctx workflow.Context, req flow.ReassignRequest) (string, error) {
	// Bounded: an update must answer; a bad agent is refused at once by the activity.
	retry := &temporal.RetryPolicy{MaximumAttempts: 5}
	in := activities.ReassignInput{CustomerID: d.in.CustomerID, AgentEmail: req.AgentEmail, By: req.By,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	// Taken at once, so a second reassign validated meanwhile sees it.
	prev := d.agent
	d.agent = req.AgentEmail
	var record workflow.Future
	// d.all is set: run asks the versions before it first blocks, and no handler runs before that.
	if d.all || workflow.GetVersion(ctx, versionLocalReassign, workflow.DefaultVersion, 1) >= 1 {
		record = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry}), accounts.Reassign, in)
	} else {
		record = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry}), accounts.Reassign, in)
	}
	if err := record.Get(ctx, nil); err != nil {
		d.agent = prev
		return "", err
	}
	d.dirty = true
	return d.agent, d.upsertSearchAttributes(ctx)
}
