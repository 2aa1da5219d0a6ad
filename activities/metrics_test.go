package activities_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/metrics"
)

// Not parallel: it reads the process's counters, which the parallel tests of
// the package (run after the sequential ones) would move too.
func TestExecuteCountsMessagesByChannelAndOutcome(t *testing.T) {
	f := setup(t)
	series := map[string]map[string]string{
		"email sent":          {"channel": "email", "outcome": "sent"},
		"sms fallback":        {"channel": "sms", "outcome": "fallback"},
		"sms duplicate":       {"channel": "sms", "outcome": metrics.OutcomeDuplicatePrevented},
		"email duplicate":     {"channel": "email", "outcome": metrics.OutcomeDuplicatePrevented},
		"task fallback":       {"channel": "task", "outcome": "fallback"},
		"escalation created":  {"kind": "escalation"},
		"manual call created": {"kind": "call"},
	}
	value := func(name string) float64 {
		if _, ok := series[name]["kind"]; ok {
			return metrics.Value(metrics.TasksCreatedName, series[name])
		}
		return metrics.Value(metrics.MessagesName, series[name])
	}
	before := map[string]float64{}
	for name := range series {
		before[name] = value(name)
	}

	f.run(t, f.action("m-email", domain.ChannelEmail, "C1", "I1"))    // sent by email
	f.run(t, f.action("m-email", domain.ChannelEmail, "C1", "I1"))    // the same key again: nothing sent
	f.run(t, f.action("m-noemail", domain.ChannelEmail, "C2", "I3"))  // no address: by SMS
	f.run(t, f.action("m-noemail", domain.ChannelEmail, "C2", "I3"))  // again: nothing sent
	f.run(t, f.action("m-none", domain.ChannelEmail, "C4", "I5"))     // no channel: a manual call task
	f.run(t, f.action("m-esc", domain.ChannelEscalation, "C1", "I1")) // an escalation task
	f.run(t, f.action("m-esc", domain.ChannelEscalation, "C1", "I1")) // again: no second task

	want := map[string]float64{"email sent": 1, "sms fallback": 1, "sms duplicate": 1, "email duplicate": 1,
		"task fallback": 1, "escalation created": 1, "manual call created": 1}
	for name, n := range want {
		require.Equalf(t, before[name]+n, value(name), "%s", name)
	}
}
