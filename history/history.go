// Package history turns the Temporal event histories of an account's Dunning
// workflow into a timeline a compliance officer can read: what the workflow
// did, when, and on whose request. Workflow-task bookkeeping is left out.
package history

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"recoup/activities"
	"recoup/flow"
)

// Entry is one line of a customer's compliance timeline.
type Entry struct {
	At      time.Time       `json:"at"`     // UTC
	Source  string          `json:"source"` // SourceWorkflow here; the caller adds SourceJournal entries
	Kind    string          `json:"kind"`   // one of the Kind constants
	RunID   string          `json:"run_id,omitempty"`
	EventID int64           `json:"event_id,omitempty"`
	Actor   string          `json:"actor,omitempty"`  // who sent a signal or update: the payload's By, else the client identity
	Action  string          `json:"action"`           // machine-readable, e.g. "timer.started", "update.pause"
	Summary string          `json:"summary"`          // one human sentence
	Detail  json.RawMessage `json:"detail,omitempty"` // decoded payloads and attributes
}

// Sources of entries.
const (
	SourceWorkflow = "workflow"
	SourceJournal  = "journal"
)

// Kinds of entries.
const (
	KindWorkflow = "workflow" // started, continued as new, ended; anything without a kind of its own
	KindStep     = "step"     // a dunning action carried out (reminder sent, task created)
	KindSignal   = "signal"
	KindUpdate   = "update"
	KindTimer    = "timer"
	KindActivity = "activity" // other activities, and every activity failure, timeout or retry
	KindMarker   = "marker"   // version markers and local activities
	KindJournal  = "journal"  // a row of Recoup's audit journal
)

var dataConverter = converter.GetDefaultDataConverter()

// FromEvents turns the events of one run into entries sorted by time.
func FromEvents(runID string, events []*historypb.HistoryEvent) []Entry {
	d := &decoder{
		runID:      runID,
		activities: map[int64]*activity{},
		timers:     map[int64]time.Time{},
		updates:    map[int64]update{},
		attrs:      map[string]string{},
	}
	for _, ev := range events {
		d.event(ev)
	}
	d.unfinishedSteps()
	slices.SortStableFunc(d.out, byTime)
	return d.out
}

func byTime(a, b Entry) int { return a.At.Compare(b.At) }

// decoder carries what later events of a run refer back to.
type decoder struct {
	runID        string
	workflowType string
	out          []Entry
	activities   map[int64]*activity // by scheduled event ID
	scheduled    []int64             // activities in the order scheduled
	timers       map[int64]time.Time // start time by started event ID
	updates      map[int64]update    // by accepted event ID
	attrs        map[string]string   // search attributes as last set
}

type activity struct {
	at      time.Time // scheduled
	typ     string
	input   *commonpb.Payloads
	attempt int32
	closed  bool
}

type update struct{ name, actor string }

func (d *decoder) add(ev *historypb.HistoryEvent, kind, action, actor, summary string, detail map[string]any) {
	e := Entry{At: ev.GetEventTime().AsTime().UTC(), Source: SourceWorkflow, Kind: kind, RunID: d.runID,
		EventID: ev.GetEventId(), Actor: actor, Action: action, Summary: summary}
	for k, v := range detail {
		if v == nil {
			delete(detail, k) // absent, not null
		}
	}
	if len(detail) > 0 {
		e.Detail = toJSON(detail)
	}
	d.out = append(d.out, e)
}

func (d *decoder) event(ev *historypb.HistoryEvent) {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		// Bookkeeping of the workflow's own progress: nothing a reader needs.
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
		d.workflowTaskTimedOut(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
		d.workflowTaskFailed(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		d.started(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes()
		d.add(ev, KindWorkflow, "workflow.continued-as-new", "",
			fmt.Sprintf("Workflow continued as new in run %s, carrying its state over", a.GetNewExecutionRunId()),
			map[string]any{"new_run_id": a.GetNewExecutionRunId(), "input": decode(a.GetInput())})
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		summary := "Workflow completed"
		if d.workflowType == flow.WorkflowDunning {
			summary = "Dunning ended: the account has no open items"
		}
		d.add(ev, KindWorkflow, "workflow.completed", "", summary,
			map[string]any{"result": decode(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult())})
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		f := ev.GetWorkflowExecutionFailedEventAttributes().GetFailure()
		d.add(ev, KindWorkflow, "workflow.failed", "", "Workflow failed: "+failureMessage(f),
			map[string]any{"failure": failureDetail(f)})
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		d.add(ev, KindWorkflow, "workflow.timed-out", "", "Workflow timed out", nil)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
		a := ev.GetWorkflowExecutionCancelRequestedEventAttributes()
		d.add(ev, KindWorkflow, "workflow.cancel-requested", a.GetIdentity(),
			"Cancellation of the workflow requested"+by(a.GetIdentity())+suffix(": ", a.GetCause()), nil)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		d.add(ev, KindWorkflow, "workflow.canceled", "", "Workflow canceled",
			map[string]any{"details": decode(ev.GetWorkflowExecutionCanceledEventAttributes().GetDetails())})
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		a := ev.GetWorkflowExecutionTerminatedEventAttributes()
		d.add(ev, KindWorkflow, "workflow.terminated", a.GetIdentity(),
			"Workflow terminated"+by(a.GetIdentity())+suffix(": ", a.GetReason()),
			map[string]any{"reason": a.GetReason(), "details": decode(a.GetDetails())})
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		d.signaled(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		d.updateAccepted(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
		d.updateCompleted(ev)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
		d.updateRejected(ev)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		d.activityScheduled(ev)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		d.activityStarted(ev)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		d.activityCompleted(ev)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		a := ev.GetActivityTaskFailedEventAttributes()
		d.activityFailed(ev, a.GetScheduledEventId(), "activity.failed", "failed", a.GetFailure(), a.GetRetryState())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		a := ev.GetActivityTaskTimedOutEventAttributes()
		d.activityFailed(ev, a.GetScheduledEventId(), "activity.timed-out", "timed out", a.GetFailure(), a.GetRetryState())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
		act := d.activity(ev.GetActivityTaskCancelRequestedEventAttributes().GetScheduledEventId())
		d.add(ev, KindActivity, "activity.cancel-requested", "", "Cancellation of "+act.what()+" requested", nil)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		act := d.activity(ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId())
		act.closed = true
		d.add(ev, KindActivity, "activity.canceled", "", act.what()+" canceled", nil)
	case enumspb.EVENT_TYPE_TIMER_STARTED:
		d.timerStarted(ev)
	case enumspb.EVENT_TYPE_TIMER_FIRED:
		a := ev.GetTimerFiredEventAttributes()
		d.add(ev, KindTimer, "timer.fired", "", "Timer set at "+stamp(d.timers[a.GetStartedEventId()])+" fired",
			map[string]any{"timer_id": a.GetTimerId(), "started_event_id": a.GetStartedEventId()})
	case enumspb.EVENT_TYPE_TIMER_CANCELED:
		a := ev.GetTimerCanceledEventAttributes()
		d.add(ev, KindTimer, "timer.canceled", "", "Timer set at "+stamp(d.timers[a.GetStartedEventId()])+" canceled before it fired",
			map[string]any{"timer_id": a.GetTimerId(), "started_event_id": a.GetStartedEventId()})
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		d.marker(ev)
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		d.searchAttributes(ev)
	default:
		d.generic(ev)
	}
}

func (d *decoder) started(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowExecutionStartedEventAttributes()
	d.workflowType = a.GetWorkflowType().GetName()
	d.setAttrs(a.GetSearchAttributes())
	summary := "Workflow " + d.workflowType + " started"
	if in, ok := decodeAs[flow.DunningInput](a.GetInput()); ok && d.workflowType == flow.WorkflowDunning {
		summary = fmt.Sprintf("Dunning started for customer %d", in.CustomerID)
		if in.Pause.Paused {
			summary += ", paused" + by(in.Pause.By) + suffix(": ", in.Pause.Reason)
		}
	}
	detail := map[string]any{"workflow_type": d.workflowType, "input": decode(a.GetInput())}
	if prev := a.GetContinuedExecutionRunId(); prev != "" {
		summary += ", continuing run " + prev
		detail["continued_from"] = prev
	}
	d.add(ev, KindWorkflow, "workflow.started", a.GetIdentity(), summary, detail)
}

func (d *decoder) workflowTaskTimedOut(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowTaskTimedOutEventAttributes()
	if a.GetTimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		return // the worker that cached the run went away; another one takes over at once
	}
	d.add(ev, KindWorkflow, "workflow.task-timed-out", "",
		"A worker took the workflow's next step but did not finish it in time ("+enumWords(a.GetTimeoutType().String())+"); Temporal retries it", nil)
}

func (d *decoder) workflowTaskFailed(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowTaskFailedEventAttributes()
	if a.GetCause() == enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
		return // a message arrived while the step completed: retried at once
	}
	// A failing workflow task stalls the account until fixed (e.g. a code change that breaks replay).
	d.add(ev, KindWorkflow, "workflow.task-failed", a.GetIdentity(),
		"The workflow's next step failed ("+enumWords(a.GetCause().String())+"): "+failureMessage(a.GetFailure()),
		map[string]any{"failure": failureDetail(a.GetFailure())})
}

func (d *decoder) signaled(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowExecutionSignaledEventAttributes()
	name, input := a.GetSignalName(), decode(a.GetInput())
	actor := byField(input)
	if actor == "" {
		actor = a.GetIdentity()
	}
	if actor == "" && a.GetExternalWorkflowExecution() != nil {
		actor = "workflow " + a.GetExternalWorkflowExecution().GetWorkflowId()
	}
	what := "Signal " + name + " received" + from(actor)
	switch name {
	case flow.SignalInvoicesChanged:
		what += ": the account's invoices changed"
	case flow.SignalDeliveryFailed:
		if f, ok := decodeAs[flow.DeliveryFailed](a.GetInput()); ok {
			what += ": the provider reported " + f.Key + " as not delivered"
		}
	}
	d.add(ev, KindSignal, "signal."+name, actor, what, map[string]any{"input": input, "identity": a.GetIdentity()})
}

func (d *decoder) updateAccepted(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes()
	req := a.GetAcceptedRequest()
	name, args := req.GetInput().GetName(), req.GetInput().GetArgs()
	input := decode(args)
	actor := byField(input)
	if actor == "" {
		actor = req.GetMeta().GetIdentity()
	}
	d.updates[ev.GetEventId()] = update{name: name, actor: actor}
	summary := "Update " + name + " requested" + by(actor) + " and accepted"
	switch name {
	case flow.UpdatePause:
		if p, ok := decodeAs[flow.PauseRequest](args); ok {
			summary = "Pause requested" + by(actor) + " and accepted (" + reason(p.Reason) + until(p.Until) + ")"
		}
	case flow.UpdateResume:
		summary = "Resume requested" + by(actor) + " and accepted"
	case flow.UpdateReassign:
		if r, ok := decodeAs[flow.ReassignRequest](args); ok {
			summary = "Reassignment to " + r.AgentEmail + " requested" + by(actor) + " and accepted"
		}
	}
	d.add(ev, KindUpdate, "update."+name, actor, summary, map[string]any{
		"update_id": req.GetMeta().GetUpdateId(), "input": input, "identity": req.GetMeta().GetIdentity(),
	})
}

func (d *decoder) updateCompleted(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes()
	u := d.updates[a.GetAcceptedEventId()]
	if u.name == "" {
		u.name = "update" // accepted in an earlier page we were not given
	}
	detail := map[string]any{"update_id": a.GetMeta().GetUpdateId()}
	if f := a.GetOutcome().GetFailure(); f != nil {
		detail["failure"] = failureDetail(f)
		d.add(ev, KindUpdate, "update."+u.name+".failed", u.actor, "Update "+u.name+by(u.actor)+" failed: "+failureMessage(f), detail)
		return
	}
	res := a.GetOutcome().GetSuccess()
	detail["result"] = decode(res)
	summary := "Update " + u.name + by(u.actor) + " done"
	switch u.name {
	case flow.UpdatePause, flow.UpdateResume:
		if p, ok := decodeAs[flow.PauseState](res); ok && p.Paused {
			summary = "Dunning is paused (" + reason(p.Reason) + until(p.Until) + ")"
		} else if ok {
			summary = "Dunning runs again"
		}
	case flow.UpdateReassign:
		if agent, ok := decodeAs[string](res); ok {
			summary = "The account's agent is now " + agent
		}
	}
	d.add(ev, KindUpdate, "update."+u.name+".completed", u.actor, summary, detail)
}

func (d *decoder) updateRejected(ev *historypb.HistoryEvent) {
	a := ev.GetWorkflowExecutionUpdateRejectedEventAttributes()
	req := a.GetRejectedRequest()
	name, input := req.GetInput().GetName(), decode(req.GetInput().GetArgs())
	actor := byField(input)
	if actor == "" {
		actor = req.GetMeta().GetIdentity()
	}
	d.add(ev, KindUpdate, "update."+name+".rejected", actor,
		"Update "+name+by(actor)+" rejected: "+failureMessage(a.GetFailure()),
		map[string]any{"update_id": req.GetMeta().GetUpdateId(), "input": input, "failure": failureDetail(a.GetFailure())})
}

func (d *decoder) activity(scheduledID int64) *activity {
	if act, ok := d.activities[scheduledID]; ok {
		return act
	}
	return &activity{typ: "activity"} // scheduled in a page we were not given
}

func (d *decoder) activityScheduled(ev *historypb.HistoryEvent) {
	a := ev.GetActivityTaskScheduledEventAttributes()
	act := &activity{at: ev.GetEventTime().AsTime().UTC(), typ: a.GetActivityType().GetName(), input: a.GetInput()}
	d.activities[ev.GetEventId()] = act
	d.scheduled = append(d.scheduled, ev.GetEventId())
	if act.step() {
		return // told once, with its outcome (see activityCompleted and unfinishedSteps)
	}
	d.add(ev, KindActivity, "activity.scheduled", "", act.what()+" scheduled",
		map[string]any{"activity_type": act.typ, "input": decode(act.input)})
}

// activityStarted tells of retries only: Temporal records the start of the
// last attempt, with the failure of the one before.
func (d *decoder) activityStarted(ev *historypb.HistoryEvent) {
	a := ev.GetActivityTaskStartedEventAttributes()
	act := d.activity(a.GetScheduledEventId())
	act.attempt = a.GetAttempt()
	if a.GetAttempt() <= 1 && a.GetLastFailure() == nil {
		return
	}
	d.add(ev, KindActivity, "activity.retried", "",
		fmt.Sprintf("%s: attempt %d after failure: %s", act.what(), a.GetAttempt(), failureMessage(a.GetLastFailure())),
		map[string]any{"activity_type": act.typ, "attempt": a.GetAttempt(), "last_failure": failureDetail(a.GetLastFailure())})
}

func (d *decoder) activityCompleted(ev *historypb.HistoryEvent) {
	a := ev.GetActivityTaskCompletedEventAttributes()
	act := d.activity(a.GetScheduledEventId())
	act.closed = true
	detail := map[string]any{"activity_type": act.typ, "result": decode(a.GetResult())}
	if act.attempt > 1 {
		detail["attempt"] = act.attempt
	}
	if !act.step() {
		d.add(ev, KindActivity, "activity.completed", "", act.what()+" completed"+onAttempt(act.attempt), detail)
		return
	}
	detail["input"] = decode(act.input)
	summary := act.what() + " executed"
	if res, ok := decodeAs[activities.ExecuteResult](a.GetResult()); ok {
		summary += ": " + outcome(res)
	}
	d.add(ev, KindStep, "step.executed", "", summary, detail)
}

func (d *decoder) activityFailed(ev *historypb.HistoryEvent, scheduledID int64, action, verb string, f *failurepb.Failure, rs enumspb.RetryState) {
	act := d.activity(scheduledID)
	act.closed = true
	summary := fmt.Sprintf("%s %s%s: %s", act.what(), verb, onAttempt(act.attempt), failureMessage(f))
	if rs != enumspb.RETRY_STATE_UNSPECIFIED && rs != enumspb.RETRY_STATE_IN_PROGRESS {
		summary += " (no more retries: " + enumWords(rs.String()) + ")"
	}
	d.add(ev, KindActivity, action, "", summary, map[string]any{
		"activity_type": act.typ, "attempt": act.attempt, "input": decode(act.input), "failure": failureDetail(f),
	})
}

// unfinishedSteps tells of steps scheduled but without an outcome yet (still
// retrying, or the history ends): a reader must not miss them.
func (d *decoder) unfinishedSteps() {
	for _, id := range d.scheduled {
		act := d.activities[id]
		if !act.step() || act.closed {
			continue
		}
		d.out = append(d.out, Entry{At: act.at, Source: SourceWorkflow, Kind: KindStep, RunID: d.runID, EventID: id,
			Action: "step.scheduled", Summary: act.what() + " scheduled; no outcome recorded yet",
			Detail: toJSON(map[string]any{"activity_type": act.typ, "input": decode(act.input)})})
	}
}

// step says whether the activity carries out a dunning action.
func (a *activity) step() bool {
	return a.typ == flow.ActivityExecute || a.typ == flow.ActivityFallback
}

// what names the activity for a reader, a step by its scenario step.
func (a *activity) what() string {
	switch a.typ {
	case flow.ActivityExecute:
		if in, ok := decodeAs[activities.ExecuteInput](a.input); ok {
			return describeAction(in)
		}
	case flow.ActivityFallback:
		if in, ok := decodeAs[activities.FallbackInput](a.input); ok {
			return "Email in place of the undelivered text or call " + in.Key
		}
	case flow.ActivityReassign:
		if in, ok := decodeAs[activities.ReassignInput](a.input); ok {
			return "Activity Reassign (to " + in.AgentEmail + by(in.By) + ")"
		}
	case flow.ActivityCheckPromise:
		if in, ok := decodeAs[activities.CheckPromiseInput](a.input); ok {
			return fmt.Sprintf("Activity CheckPromise (promise %d, on %s)", in.PromiseID, in.Today)
		}
	}
	return "Activity " + a.typ
}

// describeAction names a planned action: "Step 4 (email, template reminder_2)
// of scenario 1 version 3 for invoices 1057, 1058". Steps count from 1; the
// detail keeps the planner's 0-based step_index.
func describeAction(in activities.ExecuteInput) string {
	a := in.Action
	ch := a.Channel
	if ch == "" {
		ch = a.Step.Channel
	}
	how := string(ch)
	if a.Step.Template != "" {
		how += ", template " + a.Step.Template
	}
	s := fmt.Sprintf("Step %d (%s) of scenario %d version %d", a.StepIndex+1, how, a.ScenarioID, a.ScenarioVersion)
	if a.Repeat > 0 {
		s += fmt.Sprintf(", repeat %d", a.Repeat)
	}
	if len(a.InvoiceIDs) > 0 {
		ids := make([]string, len(a.InvoiceIDs))
		for i, id := range a.InvoiceIDs {
			ids[i] = fmt.Sprint(id)
		}
		s += " for invoice" + plural(len(ids)) + " " + strings.Join(ids, ", ")
	}
	return s
}

// outcome words an action's result: "sent", "fallback by sms (email: no email address; sent by sms)".
func outcome(r activities.ExecuteResult) string {
	s := string(r.Status)
	if r.Channel != "" {
		s += " by " + string(r.Channel)
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	if r.AlreadyDone {
		s += ", already done by an earlier run"
	}
	return s
}

func (d *decoder) timerStarted(ev *historypb.HistoryEvent) {
	a := ev.GetTimerStartedEventAttributes()
	at := ev.GetEventTime().AsTime()
	timeout := a.GetStartToFireTimeout().AsDuration()
	fire := at.Add(timeout)
	d.timers[ev.GetEventId()] = at
	detail := map[string]any{"timer_id": a.GetTimerId(), "fire_at": fire.UTC(), "timeout": timeout.String()}
	if s := ev.GetUserMetadata().GetSummary(); s != nil {
		detail["summary"] = decodeOne(s)
	}
	d.add(ev, KindTimer, "timer.started", "",
		fmt.Sprintf("Timer set to fire at %s (in %s)", stamp(fire), timeout.Round(time.Second)), detail)
}

// Marker names and detail keys the Go SDK writes.
const (
	markerVersion       = "Version"
	markerLocalActivity = "LocalActivity"
)

// localActivityMarker is the SDK's "data" detail of a local activity marker.
type localActivityMarker struct {
	ActivityID   string
	ActivityType string
	Attempt      int32
	Backoff      time.Duration
}

func (d *decoder) marker(ev *historypb.HistoryEvent) {
	a := ev.GetMarkerRecordedEventAttributes()
	details := a.GetDetails()
	switch a.GetMarkerName() {
	case markerVersion:
		change, _ := decodeAs[string](details["change-id"])
		version, _ := decodeAs[int](details["version"])
		d.add(ev, KindMarker, "marker.version", "",
			fmt.Sprintf("Code change %s recorded at version %d", change, version),
			map[string]any{"change_id": change, "version": version})
	case markerLocalActivity:
		m, _ := decodeAs[localActivityMarker](details["data"])
		detail := map[string]any{"activity_type": m.ActivityType, "activity_id": m.ActivityID, "attempt": m.Attempt}
		if f := a.GetFailure(); f != nil {
			detail["failure"] = failureDetail(f)
			summary := fmt.Sprintf("Local activity %s failed%s: %s", m.ActivityType, onAttempt(m.Attempt), failureMessage(f))
			if m.Backoff > 0 {
				summary += fmt.Sprintf("; retry in %s", m.Backoff)
			}
			d.add(ev, KindMarker, "local-activity.failed", "", summary, detail)
			return
		}
		detail["result"] = decode(details["result"])
		d.add(ev, KindMarker, "local-activity.completed", "",
			"Local activity "+m.ActivityType+" completed"+onAttempt(m.Attempt), detail)
	default:
		detail := map[string]any{}
		for k, p := range details {
			detail[k] = decode(p)
		}
		d.add(ev, KindMarker, "marker."+strings.ToLower(a.GetMarkerName()), "", "Marker "+a.GetMarkerName()+" recorded", detail)
	}
}

// versionAttribute is set by the SDK with every version marker: the marker says it.
const versionAttribute = "TemporalChangeVersion"

// searchAttributes tells what changed only: older code upserts the same
// values at every evaluation.
func (d *decoder) searchAttributes(ev *historypb.HistoryEvent) {
	changed := d.setAttrs(ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes())
	if len(changed) == 0 {
		return
	}
	keys := slices.Sorted(maps.Keys(changed))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + plain(changed[k])
	}
	d.add(ev, KindWorkflow, "workflow.search-attributes", "", "Search attributes set: "+strings.Join(parts, ", "), changed)
}

// setAttrs records the attributes and returns those that changed, decoded.
func (d *decoder) setAttrs(sa *commonpb.SearchAttributes) map[string]any {
	changed := map[string]any{}
	for k, p := range sa.GetIndexedFields() {
		if k == versionAttribute {
			continue
		}
		v := decodeOne(p)
		if old, ok := d.attrs[k]; !ok || old != plain(v) {
			changed[k] = v
		}
		d.attrs[k] = plain(v)
	}
	return changed
}

// generic keeps an event this package has no words for, under its type name.
func (d *decoder) generic(ev *historypb.HistoryEvent) {
	words := enumWords(ev.GetEventType().String())
	e := Entry{At: ev.GetEventTime().AsTime().UTC(), Source: SourceWorkflow, Kind: KindWorkflow, RunID: d.runID,
		EventID: ev.GetEventId(), Action: "event." + strings.ReplaceAll(words, " ", "-"), Summary: words}
	if words != "" {
		e.Summary = strings.ToUpper(words[:1]) + words[1:]
	}
	m := ev.ProtoReflect()
	if fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("attributes")); fd != nil {
		if b, err := protojson.Marshal(m.Get(fd).Message().Interface()); err == nil {
			e.Detail = b
		}
	}
	d.out = append(d.out, e)
}

// decode turns payloads into generic JSON values: one payload as itself,
// several as a list. A payload the converter cannot read is shown as text.
func decode(ps *commonpb.Payloads) any {
	vals := make([]any, 0, len(ps.GetPayloads()))
	for _, p := range ps.GetPayloads() {
		vals = append(vals, decodeOne(p))
	}
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return vals[0]
	}
	return vals
}

func decodeOne(p *commonpb.Payload) any {
	var v any
	if err := dataConverter.FromPayload(p, &v); err != nil {
		return dataConverter.ToString(p)
	}
	return v
}

// decodeAs reads the first payload as a T.
func decodeAs[T any](ps *commonpb.Payloads) (T, bool) {
	var v T
	if len(ps.GetPayloads()) == 0 {
		return v, false
	}
	err := dataConverter.FromPayload(ps.GetPayloads()[0], &v)
	return v, err == nil
}

// byField is the "by" of a request payload: the person behind it.
func byField(v any) string {
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["by"].(string); ok {
			return s
		}
	}
	return ""
}

func failureMessage(f *failurepb.Failure) string {
	for ; f != nil; f = f.GetCause() {
		if f.GetMessage() != "" {
			return f.GetMessage() // causes are usually in the message already
		}
	}
	return "unknown failure"
}

// failureDetail is nil (absent) without a failure.
func failureDetail(f *failurepb.Failure) any {
	if f == nil {
		return nil
	}
	m := map[string]any{"message": f.GetMessage()}
	if app := f.GetApplicationFailureInfo(); app != nil {
		m["type"], m["non_retryable"] = app.GetType(), app.GetNonRetryable()
	}
	if to := f.GetTimeoutFailureInfo(); to != nil {
		m["timeout_type"] = enumWords(to.GetTimeoutType().String())
	}
	if c := f.GetCause(); c != nil {
		m["cause"] = failureDetail(c)
	}
	return m
}

func toJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// plain shows a decoded value as text: strings as they are, the rest as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(toJSON(v))
}

// stamp is a time for a sentence: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Round(time.Second).Format(time.RFC3339) }

// enumWords turns an enum's name, e.g. "MaximumAttemptsReached", into "maximum attempts reached".
func enumWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func by(who string) string   { return suffix(" by ", who) }
func from(who string) string { return suffix(" from ", who) }
func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func reason(s string) string {
	if s == "" {
		return "no reason given"
	}
	return fmt.Sprintf("reason %q", s)
}

func until(t time.Time) string {
	if t.IsZero() {
		return ", until resumed"
	}
	return ", until " + stamp(t)
}

func onAttempt(n int32) string {
	if n > 1 {
		return fmt.Sprintf(" on attempt %d", n)
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
