package dunning

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

func TestDefaultScenario(t *testing.T) {
	t.Parallel()
	sc := DefaultScenario()
	require.NoError(t, sc.Validate())
	require.Equal(t, 1, sc.Version)

	type row struct {
		offset  int
		channel domain.Channel
		name    string
	}
	var got []row
	for _, s := range sc.Steps {
		name := s.Template
		if s.AssigneeRole != "" {
			name = string(s.AssigneeRole)
		}
		got = append(got, row{s.OffsetDays, s.Channel, name})
	}
	require.Equal(t, []row{
		{-5, domain.ChannelEmail, "reminder_courtesy"},
		{0, domain.ChannelEmail, "reminder_due"},
		{7, domain.ChannelEmail, "reminder_1"},
		{15, domain.ChannelEmail, "reminder_2"},
		{29, domain.ChannelEmail, "reminder_repeat"},
		{30, domain.ChannelTask, "agent"},
		{45, domain.ChannelEscalation, "credit_manager"},
	}, got)
	require.Equal(t, 14, sc.Steps[4].RepeatEveryDays)
	require.Equal(t, 5, sc.Steps[4].MaxRepeats)
}

func TestValidateSaysWhatIsWrongAndWhere(t *testing.T) {
	t.Parallel()
	ok := func(steps ...Step) Scenario { return Scenario{Name: "x", Version: 1, Steps: steps} }
	tests := []struct {
		name string
		sc   Scenario
		want []string // every message, in order
	}{
		{
			name: "steps out of order",
			sc:   ok(email(0, "a"), email(7, "b"), email(-3, "c")),
			want: []string{"steps[2].offset_days: -3 comes after 7: steps must be in order"},
		},
		{
			name: "unknown and missing channel",
			sc:   ok(Step{OffsetDays: 1, Channel: "fax"}, Step{OffsetDays: 2}),
			want: []string{
				`steps[0].channel: "fax" is unknown: want email, sms, voice, task, escalation or credit_hold`,
				"steps[1].channel: required (email, sms, voice, task, escalation or credit_hold)",
			},
		},
		{
			name: "template missing for email, sms and voice",
			sc: ok(Step{Channel: domain.ChannelEmail}, Step{OffsetDays: 1, Channel: domain.ChannelSMS, Template: " "},
				Step{OffsetDays: 2, Channel: domain.ChannelVoice}),
			want: []string{
				"steps[0].template: required for email steps",
				"steps[1].template: required for sms steps",
				"steps[2].template: required for voice steps",
			},
		},
		{
			name: "assignee missing, unknown, or on a reminder",
			sc: ok(Step{Channel: domain.ChannelTask}, Step{OffsetDays: 1, Channel: domain.ChannelEscalation, AssigneeRole: "boss"},
				Step{OffsetDays: 2, Channel: domain.ChannelEmail, Template: "t", AssigneeRole: domain.AssigneeAgent, TaskDueHours: 4}),
			want: []string{
				"steps[0].assignee_role: required for task steps (agent, credit_manager, legal or sales_rep)",
				`steps[1].assignee_role: "boss" is unknown: want agent, credit_manager, legal or sales_rep`,
				"steps[2].assignee_role: only task and escalation steps have an assignee, not email",
				"steps[2].task_due_hours: only task and escalation steps have a due time, not email",
			},
		},
		{
			name: "repeat without max, max without repeat, negatives",
			sc: ok(Step{Channel: domain.ChannelEmail, Template: "a", RepeatEveryDays: 14},
				Step{OffsetDays: 1, Channel: domain.ChannelEmail, Template: "b", MaxRepeats: 3},
				Step{OffsetDays: 2, Channel: domain.ChannelEmail, Template: "c", RepeatEveryDays: -1, MinOverdueMinor: -5},
				Step{OffsetDays: 3, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent, MaxRepeats: -2, TaskDueHours: -1}),
			want: []string{
				"steps[0].max_repeats: required when repeat_every_days is set: repeats must end",
				"steps[1].repeat_every_days: required when max_repeats is set",
				"steps[2].repeat_every_days: -1 is negative",
				"steps[2].min_overdue_minor: -5 is negative",
				"steps[3].task_due_hours: -1 is negative",
				"steps[3].max_repeats: -2 is negative",
			},
		},
		{
			name: "offset out of range, empty risk class",
			sc:   ok(Step{OffsetDays: -400, Channel: domain.ChannelEmail, Template: "a", RiskClasses: []string{"high", ""}}),
			want: []string{
				"steps[0].offset_days: -400 is out of range (-365 to 3650)",
				"steps[0].risk_classes[1]: empty",
			},
		},
		{
			name: "two steps with the same offset and channel",
			sc:   ok(email(7, "a"), Step{OffsetDays: 7, Channel: domain.ChannelSMS, Template: "s"}, email(7, "b")),
			want: []string{"steps[2]: same offset_days (7) and channel (email) as steps[0]: a step is identified by both"},
		},
		{
			name: "no name, no steps",
			sc:   Scenario{},
			want: []string{"name: required", "steps: a scenario needs at least one step"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.sc.Validate()
			require.Error(t, err)
			var msgs []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				msgs = append(msgs, e.Error())
				var de *domain.Error
				require.True(t, errors.As(e, &de))
				require.Equal(t, domain.CodeInvalid, de.Code)
				require.NotEmpty(t, de.Field)
			}
			require.Equal(t, tt.want, msgs)
			require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
		})
	}
}

func TestValidateAcceptsSameOffsetOnDifferentChannels(t *testing.T) {
	t.Parallel()
	sc := Scenario{Name: "x", Steps: []Step{
		email(30, "final"),
		{OffsetDays: 30, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent, TaskDueHours: 24},
		{OffsetDays: 30, Channel: domain.ChannelCreditHold, MinOverdueMinor: 100_000, RiskClasses: []string{"high"}},
	}}
	require.NoError(t, sc.Validate())
}
