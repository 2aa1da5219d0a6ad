package history_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"recoup/activities"
	"recoup/domain"
	"recoup/dunning"
	"recoup/flow"
	"recoup/history"
)

// Recorded histories of customer 185's Dunning workflow (see workflows/testdata).
const (
	pauseReassignResume = "dunning_pause_reassign_resume.json"      // LoadAccount as an activity, a worker restart midway
	localLoad           = "dunning_v1_local_load_pause_resume.json" // version 1 of local-load-account: LoadAccount as a local activity
)

func load(t *testing.T, name string) []*historypb.HistoryEvent {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "workflows", "testdata", name))
	require.NoError(t, err)
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	require.NoError(t, err)
	return h.GetEvents()
}

// entryFor is the one entry made for the event.
func entryFor(t *testing.T, entries []history.Entry, eventID int64) history.Entry {
	t.Helper()
	var found []history.Entry
	for _, e := range entries {
		if e.EventID == eventID {
			found = append(found, e)
		}
	}
	require.Len(t, found, 1, "entries for event %d", eventID)
	return found[0]
}

func detail(t *testing.T, e history.Entry) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(e.Detail, &m), "detail of %s", e.Action)
	return m
}

func TestFromEventsRecordedHistoriesAreSortedAndFreeOfBookkeeping(t *testing.T) {
	t.Parallel()
	kinds := []string{history.KindWorkflow, history.KindStep, history.KindSignal, history.KindUpdate,
		history.KindTimer, history.KindActivity, history.KindMarker}
	for _, name := range []string{pauseReassignResume, localLoad} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			events := load(t, name)
			entries := history.FromEvents("run-1", events)
			require.NotEmpty(t, entries)

			require.True(t, slices.IsSortedFunc(entries, func(a, b history.Entry) int { return a.At.Compare(b.At) }))
			typeOf := map[int64]enumspb.EventType{}
			for _, ev := range events {
				typeOf[ev.GetEventId()] = ev.GetEventType()
			}
			for _, e := range entries {
				require.Equal(t, history.SourceWorkflow, e.Source)
				require.Equal(t, "run-1", e.RunID)
				require.Equal(t, time.UTC, e.At.Location())
				require.Contains(t, kinds, e.Kind)
				require.NotEmpty(t, e.Action)
				require.NotEmpty(t, e.Summary)
				require.NotContains(t, typeOf[e.EventID].String(), "WORKFLOW_TASK", "event %d: %s", e.EventID, e.Summary)
			}
			first := entries[0]
			require.Equal(t, "workflow.started", first.Action)
			require.Equal(t, "Dunning started for customer 185", first.Summary)
		})
	}
}

func TestFromEventsWordsTheRecordedHistories(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		eventID int64
		kind    string
		action  string
		actor   string
		summary string
	}{
		// The run begins: who started it, and the import's signal.
		{pauseReassignResume, 1, history.KindWorkflow, "workflow.started", "12464@vm@", "Dunning started for customer 185"},
		{pauseReassignResume, 2, history.KindSignal, "signal.invoices-changed", "12464@vm@",
			"Signal invoices-changed received from 12464@vm@: the account's invoices changed"},
		// The evaluation reads the account and sleeps until Monday's contact window (Nov 22 2026 is a Sunday).
		{pauseReassignResume, 6, history.KindActivity, "activity.scheduled", "", "Activity LoadAccount scheduled"},
		{pauseReassignResume, 8, history.KindActivity, "activity.completed", "", "Activity LoadAccount completed"},
		{pauseReassignResume, 12, history.KindWorkflow, "workflow.search-attributes", "",
			"Search attributes set: RecoupAgent=mike.rivera@recoup.example, RecoupEntity=US01"},
		{pauseReassignResume, 13, history.KindTimer, "timer.started", "", "Timer set to fire at 2026-11-23T16:00:00Z (in 22h28m33s)"},
		// A person pauses: who and why, then what the workflow answered.
		{pauseReassignResume, 17, history.KindUpdate, "update.pause", "api",
			`Pause requested by api and accepted (reason "customer called", until resumed)`},
		{pauseReassignResume, 18, history.KindWorkflow, "workflow.search-attributes", "", "Search attributes set: RecoupPaused=true"},
		{pauseReassignResume, 19, history.KindUpdate, "update.pause.completed", "api",
			`Dunning is paused (reason "customer called", until resumed)`},
		{pauseReassignResume, 30, history.KindUpdate, "update.resume", "api", "Resume requested by api and accepted"},
		{pauseReassignResume, 32, history.KindUpdate, "update.resume.completed", "api", "Dunning runs again"},
		// After the worker restart, the signal comes from the new worker's client.
		{pauseReassignResume, 41, history.KindSignal, "signal.invoices-changed", "17155@vm@",
			"Signal invoices-changed received from 17155@vm@: the account's invoices changed"},
		// Reassignment: the request, the activity recording it, the answer.
		{pauseReassignResume, 71, history.KindUpdate, "update.reassign", "api",
			"Reassignment to antoine.roux@recoup.example requested by api and accepted"},
		{pauseReassignResume, 72, history.KindActivity, "activity.scheduled", "",
			"Activity Reassign (to antoine.roux@recoup.example by api) scheduled"},
		{pauseReassignResume, 74, history.KindActivity, "activity.completed", "",
			"Activity Reassign (to antoine.roux@recoup.example by api) completed"},
		{pauseReassignResume, 78, history.KindWorkflow, "workflow.search-attributes", "",
			"Search attributes set: RecoupAgent=antoine.roux@recoup.example"},
		{pauseReassignResume, 79, history.KindUpdate, "update.reassign.completed", "api",
			"The account's agent is now antoine.roux@recoup.example"},
		// Version 1 reads the account with a local activity, recorded as markers.
		{localLoad, 6, history.KindMarker, "marker.version", "", "Code change local-load-account recorded at version 1"},
		{localLoad, 8, history.KindMarker, "local-activity.completed", "", "Local activity LoadAccount completed"},
		{localLoad, 14, history.KindUpdate, "update.pause", "api", `Pause requested by api and accepted (reason "recording", until resumed)`},
		{localLoad, 27, history.KindTimer, "timer.started", "", "Timer set to fire at 2026-11-23T16:00:00Z (in 22h0m50s)"},
	}
	entries := map[string][]history.Entry{}
	for _, name := range []string{pauseReassignResume, localLoad} {
		entries[name] = history.FromEvents("run-1", load(t, name))
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.action, func(t *testing.T) {
			t.Parallel()
			e := entryFor(t, entries[tt.file], tt.eventID)
			require.Equal(t, tt.kind, e.Kind)
			require.Equal(t, tt.action, e.Action)
			require.Equal(t, tt.actor, e.Actor)
			require.Equal(t, tt.summary, e.Summary)
		})
	}
}

func TestFromEventsLeavesOutBookkeepingOfTheRecordedHistory(t *testing.T) {
	t.Parallel()
	entries := history.FromEvents("run-1", load(t, pauseReassignResume))
	for _, id := range []int64{
		3, 4, 5, // workflow task scheduled, started, completed
		7,  // LoadAccount started on its first attempt: no retry to tell
		43, // the workflow task timed out schedule-to-start: the restarted worker took it over
		53, // search attributes upserted again with the same values
	} {
		require.False(t, slices.ContainsFunc(entries, func(e history.Entry) bool { return e.EventID == id }), "event %d", id)
	}
}

func TestFromEventsDetailsDecodePayloads(t *testing.T) {
	t.Parallel()
	recorded := history.FromEvents("run-1", load(t, pauseReassignResume))
	local := history.FromEvents("run-1", load(t, localLoad))

	t.Run("the pause request shows who paused and why", func(t *testing.T) {
		d := detail(t, entryFor(t, recorded, 17))
		require.Equal(t, map[string]any{"by": "api", "reason": "customer called"}, d["input"])
		require.Equal(t, "12464@vm@", d["identity"])
		require.Equal(t, "6ae35eff-3368-48c9-98b4-944fa1af8106", d["update_id"])
	})
	t.Run("a timer carries its exact fire time", func(t *testing.T) {
		d := detail(t, entryFor(t, recorded, 13))
		require.Equal(t, "2026-11-23T16:00:00.047118612Z", d["fire_at"])
		require.Equal(t, "22h28m33.385819521s", d["timeout"])
		require.Equal(t, "AwaitWithTimeout", d["summary"])
	})
	t.Run("the workflow input is decoded", func(t *testing.T) {
		d := detail(t, entryFor(t, recorded, 1))
		require.Equal(t, map[string]any{"customer_id": 185.0, "state": map[string]any{}, "pause": map[string]any{"paused": false}}, d["input"])
	})
	t.Run("the local activity marker names the activity and holds its result", func(t *testing.T) {
		d := detail(t, entryFor(t, local, 8))
		require.Equal(t, "LoadAccount", d["activity_type"])
		require.Equal(t, 1.0, d["attempt"])
		account := d["result"].(map[string]any)["account"].(map[string]any)
		require.Equal(t, 185.0, account["customer_id"])
	})
	t.Run("the version marker names change and version", func(t *testing.T) {
		require.JSONEq(t, `{"change_id":"local-load-account","version":1}`, string(entryFor(t, local, 6).Detail))
	})
	t.Run("a signal without payload has no input", func(t *testing.T) {
		require.JSONEq(t, `{"identity":"12464@vm@"}`, string(entryFor(t, recorded, 2).Detail))
	})
}

// The recorded histories were taken on a Sunday, when nothing fires; the
// events below are built the way Temporal records them.

var t0 = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// run numbers the events from 1, one second apart from t0.
func run(events ...*historypb.HistoryEvent) []*historypb.HistoryEvent {
	for i, ev := range events {
		ev.EventId = int64(i + 1)
		ev.EventTime = timestamppb.New(t0.Add(time.Duration(i) * time.Second))
	}
	return events
}

func payloads(t *testing.T, vals ...any) *commonpb.Payloads {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(vals...)
	require.NoError(t, err)
	return p
}

func appFailure(msg string, nonRetryable bool) *failurepb.Failure {
	return &failurepb.Failure{Message: msg, FailureInfo: &failurepb.Failure_ApplicationFailureInfo{
		ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "DunningBadInput", NonRetryable: nonRetryable}}}
}

func scheduled(t *testing.T, activityType string, input any) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityType: &commonpb.ActivityType{Name: activityType}, Input: payloads(t, input)}}}
}

func activityStarted(scheduledID int64, attempt int32, lastFailure *failurepb.Failure) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		Attributes: &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{
			ScheduledEventId: scheduledID, Attempt: attempt, LastFailure: lastFailure}}}
}

func activityCompleted(t *testing.T, scheduledID int64, result any) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			ScheduledEventId: scheduledID, Result: payloads(t, result)}}}
}

func updateRequest(t *testing.T, name string, arg any) *updatepb.Request {
	return &updatepb.Request{Meta: &updatepb.Meta{UpdateId: "u-1", Identity: "api@host"},
		Input: &updatepb.Input{Name: name, Args: payloads(t, arg)}}
}

// reminder2 is step 4 of the Default scenario, version 3, for two invoices.
var reminder2 = activities.ExecuteInput{CustomerID: 185, WorkflowID: "dunning/185", Action: dunning.Action{
	ScenarioID: 1, ScenarioVersion: 3, StepIndex: 3, Channel: domain.ChannelEmail,
	Step:       dunning.Step{OffsetDays: 15, Channel: domain.ChannelEmail, Template: "reminder_2"},
	InvoiceIDs: []int64{1057, 1058}, Key: "185/1/3/3/0",
}}

const reminder2Words = "Step 4 (email, template reminder_2) of scenario 1 version 3 for invoices 1057, 1058"

type want struct {
	eventID int64
	kind    string
	action  string
	actor   string
	summary string
}

func TestFromEventsWordsEachKindOfEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events func(t *testing.T) []*historypb.HistoryEvent
		want   []want
	}{
		{
			name: "a step is told once, when done, with scenario version and outcome",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "Execute", reminder2),
					activityStarted(1, 1, nil),
					activityCompleted(t, 1, activities.ExecuteResult{Key: "185/1/3/3/0", Status: "sent", Channel: domain.ChannelEmail}),
				)
			},
			want: []want{{3, history.KindStep, "step.executed", "", reminder2Words + " executed: sent by email"}},
		},
		{
			name: "a step that fell back says how and why",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "Execute", reminder2),
					activityCompleted(t, 1, activities.ExecuteResult{Status: "fallback", Channel: domain.ChannelSMS,
						Detail: "email: no email address; sent by sms"}),
				)
			},
			want: []want{{2, history.KindStep, "step.executed", "",
				reminder2Words + " executed: fallback by sms (email: no email address; sent by sms)"}},
		},
		{
			name: "a retried step tells the attempt and the failure before it",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "Execute", reminder2),
					activityStarted(1, 3, &failurepb.Failure{Message: "dial tcp: connection refused"}),
					activityCompleted(t, 1, activities.ExecuteResult{Status: "sent", Channel: domain.ChannelEmail}),
				)
			},
			want: []want{
				{2, history.KindActivity, "activity.retried", "", reminder2Words + ": attempt 3 after failure: dial tcp: connection refused"},
				{3, history.KindStep, "step.executed", "", reminder2Words + " executed: sent by email"},
			},
		},
		{
			name: "a failed step is an activity failure with attempt and message",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "Execute", reminder2),
					activityStarted(1, 2, appFailure("database unavailable", false)),
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
						Attributes: &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{
							ScheduledEventId: 1, StartedEventId: 2, Failure: appFailure("customer 185 not found", true),
							RetryState: enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE}}},
				)
			},
			want: []want{
				{2, history.KindActivity, "activity.retried", "", reminder2Words + ": attempt 2 after failure: database unavailable"},
				{3, history.KindActivity, "activity.failed", "",
					reminder2Words + " failed on attempt 2: customer 185 not found (no more retries: non retryable failure)"},
			},
		},
		{
			name: "a step without outcome yet is told as scheduled",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(scheduled(t, "Execute", reminder2))
			},
			want: []want{{1, history.KindStep, "step.scheduled", "", reminder2Words + " scheduled; no outcome recorded yet"}},
		},
		{
			name: "the email after a failed text is a step",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "Fallback", activities.FallbackInput{CustomerID: 185, WorkflowID: "dunning/185", Key: "185/1/3/2/0"}),
					activityCompleted(t, 1, activities.ExecuteResult{Status: "sent", Channel: domain.ChannelEmail}),
				)
			},
			want: []want{{2, history.KindStep, "step.executed", "",
				"Email in place of the undelivered text or call 185/1/3/2/0 executed: sent by email"}},
		},
		{
			name: "an activity timeout",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					scheduled(t, "LoadAccount", 185),
					activityStarted(1, 1, nil),
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
						Attributes: &historypb.HistoryEvent_ActivityTaskTimedOutEventAttributes{ActivityTaskTimedOutEventAttributes: &historypb.ActivityTaskTimedOutEventAttributes{
							ScheduledEventId: 1, Failure: &failurepb.Failure{Message: "activity StartToClose timeout"},
							RetryState: enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED}}},
				)
			},
			want: []want{
				{1, history.KindActivity, "activity.scheduled", "", "Activity LoadAccount scheduled"},
				{3, history.KindActivity, "activity.timed-out", "",
					"Activity LoadAccount timed out: activity StartToClose timeout (no more retries: maximum attempts reached)"},
			},
		},
		{
			name: "timers fire and are canceled",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_TIMER_STARTED,
						Attributes: &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
							TimerId: "1", StartToFireTimeout: durationpb.New(18 * time.Hour)}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_TIMER_FIRED,
						Attributes: &historypb.HistoryEvent_TimerFiredEventAttributes{TimerFiredEventAttributes: &historypb.TimerFiredEventAttributes{
							TimerId: "1", StartedEventId: 1}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_TIMER_STARTED,
						Attributes: &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
							TimerId: "3", StartToFireTimeout: durationpb.New(time.Hour)}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_TIMER_CANCELED,
						Attributes: &historypb.HistoryEvent_TimerCanceledEventAttributes{TimerCanceledEventAttributes: &historypb.TimerCanceledEventAttributes{
							TimerId: "3", StartedEventId: 3}}},
				)
			},
			want: []want{
				{1, history.KindTimer, "timer.started", "", "Timer set to fire at 2026-11-24T10:00:00Z (in 18h0m0s)"},
				{2, history.KindTimer, "timer.fired", "", "Timer set at 2026-11-23T16:00:00Z fired"},
				{3, history.KindTimer, "timer.started", "", "Timer set to fire at 2026-11-23T17:00:02Z (in 1h0m0s)"},
				{4, history.KindTimer, "timer.canceled", "", "Timer set at 2026-11-23T16:00:02Z canceled before it fired"},
			},
		},
		{
			name: "a failed local activity tells attempt, failure and backoff",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_MARKER_RECORDED,
					Attributes: &historypb.HistoryEvent_MarkerRecordedEventAttributes{MarkerRecordedEventAttributes: &historypb.MarkerRecordedEventAttributes{
						MarkerName: "LocalActivity",
						Details: map[string]*commonpb.Payloads{"data": payloads(t, map[string]any{
							"ActivityID": "1", "ActivityType": "LoadAccount", "Attempt": 4, "Backoff": int64(time.Minute)})},
						Failure: appFailure("connection refused", false)}}})
			},
			want: []want{{1, history.KindMarker, "local-activity.failed", "",
				"Local activity LoadAccount failed on attempt 4: connection refused; retry in 1m0s"}},
		},
		{
			name: "a continued run says what it continues, and carries the pause",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
							WorkflowType:            &commonpb.WorkflowType{Name: "Dunning"},
							ContinuedExecutionRunId: "run-0",
							Input: payloads(t, flow.DunningInput{CustomerID: 185,
								Pause: flow.PauseState{Paused: true, Reason: "dispute", By: "ana@recoup.example"}})}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionContinuedAsNewEventAttributes{WorkflowExecutionContinuedAsNewEventAttributes: &historypb.WorkflowExecutionContinuedAsNewEventAttributes{
							NewExecutionRunId: "run-2", Input: payloads(t, flow.DunningInput{CustomerID: 185})}}},
				)
			},
			want: []want{
				{1, history.KindWorkflow, "workflow.started", "", "Dunning started for customer 185, paused by ana@recoup.example: dispute, continuing run run-0"},
				{2, history.KindWorkflow, "workflow.continued-as-new", "", "Workflow continued as new in run run-2, carrying its state over"},
			},
		},
		{
			name: "the end of a run",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
							WorkflowType: &commonpb.WorkflowType{Name: "Dunning"}, Identity: "worker@host", Input: payloads(t, flow.DunningInput{CustomerID: 7})}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{}}},
				)
			},
			want: []want{
				{1, history.KindWorkflow, "workflow.started", "worker@host", "Dunning started for customer 7"},
				{2, history.KindWorkflow, "workflow.completed", "", "Dunning ended: the account has no open items"},
			},
		},
		{
			name: "termination names who and why",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
					Attributes: &historypb.HistoryEvent_WorkflowExecutionTerminatedEventAttributes{WorkflowExecutionTerminatedEventAttributes: &historypb.WorkflowExecutionTerminatedEventAttributes{
						Reason: "customer closed", Identity: "ops@cli"}}})
			},
			want: []want{{1, history.KindWorkflow, "workflow.terminated", "ops@cli", "Workflow terminated by ops@cli: customer closed"}},
		},
		{
			name: "a delivery-failed signal names the reminder",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
					Attributes: &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{
						SignalName: "delivery-failed", Identity: "api@host", Input: payloads(t, flow.DeliveryFailed{Key: "185/1/3/2/0"})}}})
			},
			want: []want{{1, history.KindSignal, "signal.delivery-failed", "api@host",
				"Signal delivery-failed received from api@host: the provider reported 185/1/3/2/0 as not delivered"}},
		},
		{
			name: "a pause with an end, a failed reassignment, a rejected update",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
							AcceptedRequest: updateRequest(t, "pause", flow.PauseRequest{By: "ana@recoup.example",
								Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
							AcceptedRequest: updateRequest(t, "reassign", flow.ReassignRequest{AgentEmail: "nobody@recoup.example", By: "ana@recoup.example"})}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes{WorkflowExecutionUpdateCompletedEventAttributes: &historypb.WorkflowExecutionUpdateCompletedEventAttributes{
							AcceptedEventId: 2, Outcome: &updatepb.Outcome{Value: &updatepb.Outcome_Failure{Failure: appFailure("unknown agent", true)}}}}},
					&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
						Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateRejectedEventAttributes{WorkflowExecutionUpdateRejectedEventAttributes: &historypb.WorkflowExecutionUpdateRejectedEventAttributes{
							RejectedRequest: updateRequest(t, "resume", flow.ResumeRequest{}),
							Failure:         &failurepb.Failure{Message: "the account is not paused"}}}},
				)
			},
			want: []want{
				{1, history.KindUpdate, "update.pause", "ana@recoup.example",
					"Pause requested by ana@recoup.example and accepted (no reason given, until 2026-12-01T00:00:00Z)"},
				{2, history.KindUpdate, "update.reassign", "ana@recoup.example",
					"Reassignment to nobody@recoup.example requested by ana@recoup.example and accepted"},
				{3, history.KindUpdate, "update.reassign.failed", "ana@recoup.example",
					"Update reassign by ana@recoup.example failed: unknown agent"},
				// No By in the request: the client identity stands in.
				{4, history.KindUpdate, "update.resume.rejected", "api@host",
					"Update resume by api@host rejected: the account is not paused"},
			},
		},
		{
			name: "an event without words of its own keeps its type name",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
					Attributes: &historypb.HistoryEvent_WorkflowPropertiesModifiedEventAttributes{WorkflowPropertiesModifiedEventAttributes: &historypb.WorkflowPropertiesModifiedEventAttributes{
						WorkflowTaskCompletedEventId: 4}}})
			},
			want: []want{{1, history.KindWorkflow, "event.workflow-properties-modified", "", "Workflow properties modified"}},
		},
		{
			name: "a failing workflow task is told: the account stalls until fixed",
			events: func(t *testing.T) []*historypb.HistoryEvent {
				return run(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
					Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{
						Cause:   enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
						Failure: &failurepb.Failure{Message: "[TMPRL1100] nondeterministic workflow"}, Identity: "worker@host"}}})
			},
			want: []want{{1, history.KindWorkflow, "workflow.task-failed", "worker@host",
				"The workflow's next step failed (workflow worker unhandled failure): [TMPRL1100] nondeterministic workflow"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries := history.FromEvents("run-1", tt.events(t))
			var got []want
			for _, e := range entries {
				got = append(got, want{e.EventID, e.Kind, e.Action, e.Actor, e.Summary})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFromEventsStepDetailKeepsInputAndResult(t *testing.T) {
	t.Parallel()
	entries := history.FromEvents("run-1", run(
		scheduled(t, "Execute", reminder2),
		activityCompleted(t, 1, activities.ExecuteResult{Key: "185/1/3/3/0", Status: "sent", Channel: domain.ChannelEmail}),
	))
	require.Len(t, entries, 1)
	step := entries[0]
	require.Equal(t, t0.Add(time.Second), step.At, "told when done")
	d := detail(t, step)
	action := d["input"].(map[string]any)["Action"].(map[string]any)
	require.Equal(t, 3.0, action["scenario_version"])
	require.Equal(t, 3.0, action["step_index"])
	require.Equal(t, "sent", d["result"].(map[string]any)["Status"])
}

func at(minute int) time.Time { return t0.Add(time.Duration(minute) * time.Minute) }

func TestFilter(t *testing.T) {
	t.Parallel()
	entries := []history.Entry{
		{At: at(0), Kind: history.KindWorkflow, Action: "workflow.started"},
		{At: at(1), Kind: history.KindUpdate, Action: "update.pause"},
		{At: at(2), Kind: history.KindTimer, Action: "timer.started"},
		{At: at(3), Kind: history.KindStep, Action: "step.executed"},
	}
	ptr := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		name     string
		from, to *time.Time
		kinds    []string
		want     []string
	}{
		{"no bounds and no kinds keep everything", nil, nil, nil,
			[]string{"workflow.started", "update.pause", "timer.started", "step.executed"}},
		{"from is inclusive", ptr(at(1)), nil, nil, []string{"update.pause", "timer.started", "step.executed"}},
		{"to is exclusive", nil, ptr(at(2)), nil, []string{"workflow.started", "update.pause"}},
		{"both bounds", ptr(at(1)), ptr(at(3)), nil, []string{"update.pause", "timer.started"}},
		{"kinds", nil, nil, []string{history.KindStep, history.KindUpdate}, []string{"update.pause", "step.executed"}},
		{"bounds and kinds", ptr(at(2)), nil, []string{history.KindUpdate}, nil},
		{"an empty window", ptr(at(2)), ptr(at(2)), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, e := range history.Filter(entries, tt.from, tt.to, tt.kinds) {
				got = append(got, e.Action)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestMergeSortsByTimeAndKeepsArgumentOrderOnTies(t *testing.T) {
	t.Parallel()
	journal := []history.Entry{
		{At: at(1), Source: history.SourceJournal, Action: "dunning.pause"},
		{At: at(3), Source: history.SourceJournal, Action: "customer.update"},
	}
	workflow := []history.Entry{
		{At: at(0), Source: history.SourceWorkflow, Action: "workflow.started"},
		{At: at(1), Source: history.SourceWorkflow, Action: "update.pause"},
		{At: at(1), Source: history.SourceWorkflow, Action: "update.pause.completed"},
		{At: at(2), Source: history.SourceWorkflow, Action: "timer.started"},
	}
	var got []string
	for _, e := range history.Merge(journal, workflow) {
		got = append(got, e.Source+" "+e.Action)
	}
	require.Equal(t, []string{
		"workflow workflow.started",
		"journal dunning.pause", // the request, before what it caused at the same instant
		"workflow update.pause",
		"workflow update.pause.completed",
		"workflow timer.started",
		"journal customer.update",
	}, got)
	require.Equal(t, "dunning.pause", journal[0].Action, "inputs are left alone")
	require.Equal(t, "workflow.started", workflow[0].Action)
}

func TestWriteCSVReadsBack(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	entries := []history.Entry{
		{At: time.Date(2026, 11, 22, 18, 32, 7, 370589383, paris), Source: history.SourceWorkflow, Kind: history.KindUpdate,
			RunID: "5e9afce3", EventID: 17, Actor: "api", Action: "update.pause",
			Summary: `Pause requested by api and accepted (reason "customer called, twice", until resumed)`,
			Detail:  json.RawMessage(`{"input":{"by":"api","reason":"customer called, twice"}}`)},
		{At: at(0), Source: history.SourceJournal, Kind: history.KindUpdate, Action: "dunning.pause",
			Summary: "line one\nline two"},
	}
	var buf bytes.Buffer
	require.NoError(t, history.WriteCSV(&buf, entries))

	rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"at", "source", "kind", "run_id", "event_id", "actor", "action", "summary", "detail"},
		{"2026-11-22T17:32:07.370589383Z", "workflow", "update", "5e9afce3", "17", "api", "update.pause",
			`Pause requested by api and accepted (reason "customer called, twice", until resumed)`,
			`{"input":{"by":"api","reason":"customer called, twice"}}`},
		{"2026-11-23T16:00:00Z", "journal", "update", "", "", "", "dunning.pause", "line one\nline two", ""},
	}, rows)
}

func TestWriteCSVOfNothingIsTheHeader(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, history.WriteCSV(&buf, nil))
	require.Equal(t, "at,source,kind,run_id,event_id,actor,action,summary,detail\n", buf.String())
}

// A reason or name typed by a user must not run as a formula when a
// compliance officer opens the export in a spreadsheet.
func TestWriteCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	tests := []struct{ summary, want string }{
		{`=HYPERLINK("http://evil.example")`, `'=HYPERLINK("http://evil.example")`},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"Reminder sent", "Reminder sent"},
		{"", ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		require.NoError(t, history.WriteCSV(&buf, []history.Entry{{At: at(0), Source: history.SourceJournal, Kind: history.KindJournal,
			Action: "x", Summary: tt.summary}}))
		rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
		require.NoError(t, err)
		require.Equal(t, tt.want, rows[1][7], tt.summary)
	}
}
