package history_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/dunning"
	"recoup/flow"
)

// jsonFields lists the JSON names of t's fields, nested structs of ours
// written as parent.child, the way a recorded payload carries them.
func jsonFields(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, prefix+name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && strings.HasPrefix(ft.PkgPath(), "recoup/") {
			out = append(out, jsonFields(ft, prefix+name+".")...)
		}
	}
	return out
}

// The payloads the compliance timeline decodes are recorded in workflow
// histories that outlive any release: a field renamed or retagged here would
// silently stop decoding past runs. Each list is written out so that such a
// change fails this test and is made on purpose.
func TestDecodedPayloadsKeepTheirFieldNames(t *testing.T) {
	t.Parallel()
	action := []string{"at", "scenario_id", "scenario_version", "step_index", "step", "step.offset_days", "step.channel",
		"step.template", "step.assignee_role", "step.task_due_hours", "step.repeat_every_days", "step.max_repeats",
		"step.min_overdue_minor", "step.risk_classes", "channel", "invoice_ids", "repeats", "repeat", "key", "task_due", "fallback",
		"step.id", "covered", "covered.invoice_id", "covered.scenario_id", "covered.step_id", "covered.repeat"} // added by the statement rules
	for _, tc := range []struct {
		value any
		want  []string
	}{
		{activities.ExecuteInput{}, append([]string{"CustomerID", "WorkflowID", "Action", "Channels"}, prefixed("Action.", action)...)},
		{activities.ExecuteResult{}, []string{"Key", "Status", "Channel", "Detail", "AlreadyDone"}},
		{activities.FallbackInput{}, []string{"customer_id", "workflow_id", "key"}},
		{activities.ReassignInput{}, []string{"customer_id", "agent_email", "by", "workflow_id"}},
		{dunning.Action{}, action},
		{flow.PauseRequest{}, []string{"until", "reason", "by"}},
		{flow.PauseState{}, []string{"paused", "until", "reason", "by"}},
		{flow.ReassignRequest{}, []string{"agent_email", "by"}},
		{flow.ResumeRequest{}, []string{"by"}},
		{flow.DeliveryFailed{}, []string{"key"}},
		// The Case workflow's messages and activities.
		{flow.CaseDecision{}, []string{"case_id", "decision", "reason", "credit_notes", "by"}},
		{flow.DecidedCase{}, []string{"case_id", "customer_id", "resumed", "held", "credit_limit"}},
		{flow.CaseStatusChange{}, []string{"case_id", "status", "reason", "by"}},
		{flow.CaseReopenRequest{}, []string{"reason", "by"}},
		{flow.CaseReopen{}, []string{"case_id", "reason", "by", "round"}},
		{flow.CaseAlertInput{}, []string{"case_id", "level", "round", "due_at", "by"}},
		{flow.CloseCaseInput{}, []string{"case_id", "by"}},
		{flow.CaseComment{}, []string{"comment_id", "author", "mentions", "attachments"}},
		{flow.CaseRouted{}, []string{"department", "owner", "by"}},
	} {
		typ := reflect.TypeOf(tc.value)
		require.ElementsMatch(t, tc.want, jsonFields(typ, ""), "%s", typ)
	}
	input := jsonFields(reflect.TypeOf(flow.DunningInput{}), "")
	require.Subset(t, input, []string{"customer_id", "state", "pause", "pause.paused", "pause.until", "pause.reason", "pause.by", "failed"},
		"DunningInput carries the account across continue-as-new")
	require.Subset(t, jsonFields(reflect.TypeOf(flow.CaseInput{}), ""), []string{"case_id", "customer_id", "entity_code", "type", "department", "owner", "status",
		"sla_business_days", "calendar", "calendar.country", "calendar.time_zone", "calendar.holidays", "opened_at",
		"clock", "clock.used", "clock.running_since", "clock.level", "clock.round", "comments", "decision", "decided_at"},
		"CaseInput carries the case across continue-as-new")
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
