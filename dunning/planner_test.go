package dunning

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

func TestCourtesyReminderBeforeDueDate(t *testing.T) {
	t.Parallel()
	a := account(DefaultScenario(), inv(1, d(3, 2), 120_000))

	p := PlanAt(a, State{}, at(paris, 2, 20, 10, 0))
	require.Empty(t, p.Due, "nothing is due 10 days before the due date")
	requireTime(t, at(paris, 2, 25, 9, 0), p.Next, "wake at the courtesy reminder, 5 days before due")
	require.Empty(t, p.State.Stages)
	require.Empty(t, p.Warnings)

	p = PlanAt(a, p.State, p.Next)
	require.Equal(t, []string{"Wed 2026-02-25 09:00 email reminder_courtesy [1]"}, lines(p.Due, paris))
	require.Equal(t, State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: -5}}}, p.State)
	requireTime(t, at(paris, 3, 2, 9, 0), p.Next, "next: the due-date reminder")

	ac := p.Due[0]
	require.Equal(t, int64(testScenarioID), ac.ScenarioID)
	require.Equal(t, 1, ac.ScenarioVersion)
	require.Equal(t, 0, ac.StepIndex)
	require.Equal(t, []int{0}, ac.Repeats)
	require.Len(t, ac.Key, 32)
	require.False(t, ac.Fallback)
}

func TestStepsFireAtTheirOffsets(t *testing.T) {
	t.Parallel()
	sc := scenario(
		email(-3, "before"),
		email(0, "due"),
		email(10, "after"),
		Step{OffsetDays: 12, Channel: domain.ChannelSMS, Template: "sms"},
		Step{OffsetDays: 20, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent, TaskDueHours: 24},
	)
	a := account(sc, inv(1, d(3, 2), 50_000)) // due Monday 2026-03-02
	got, st := run(a, State{}, at(paris, 2, 1, 12, 0), at(paris, 6, 1, 0, 0))
	require.Equal(t, []string{
		"Fri 2026-02-27 09:00 email before [1]",
		"Mon 2026-03-02 09:00 email due [1]",
		"Thu 2026-03-12 09:00 email after [1]",
		"Mon 2026-03-16 09:00 sms sms [1]",    // +12 is Saturday the 14th
		"Mon 2026-03-23 09:00 task agent [1]", // +20 is Sunday the 22nd
	}, lines(got, paris))
	require.Equal(t, Stage{ScenarioID: testScenarioID, Through: 20}, st.Stages[1])
	requireTime(t, at(paris, 3, 24, 9, 0), got[4].TaskDue, "task due 24 hours after it is created")
}

func TestStepsMovedToTheSameMomentFireOncePerChannel(t *testing.T) {
	t.Parallel()
	sc := scenario(
		email(5, "plus5"), // Saturday Mar 7 → Monday Mar 9
		Step{OffsetDays: 6, Channel: domain.ChannelSMS, Template: "sms6"}, // Sunday → Monday
		email(7, "plus7"), // Monday Mar 9
		Step{OffsetDays: 7, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent},
	)
	a := account(sc, inv(1, d(3, 2), 100))
	got, _ := run(a, State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0}}},
		at(paris, 3, 3, 9, 0), at(paris, 4, 1, 0, 0))
	require.Equal(t, []string{
		"Mon 2026-03-09 09:00 sms sms6 [1]",
		"Mon 2026-03-09 09:00 email plus7 [1]",
		"Mon 2026-03-09 09:00 task agent [1]",
	}, lines(got, paris))
}

func TestRepeats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []Step
		due   Date
		want  []string
	}{
		{
			name:  "every 14 days up to 3 times",
			steps: []Step{{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "due", RepeatEveryDays: 14, MaxRepeats: 3}},
			due:   d(3, 2),
			want: []string{
				"Mon 2026-03-02 09:00 email due [1]",
				"Mon 2026-03-16 09:00 email due [1] r1",
				"Mon 2026-03-30 09:00 email due [1] r2",
				"Mon 2026-04-13 09:00 email due [1] r3",
			},
		},
		{
			name:  "repeats count from the day the step actually fired",
			steps: []Step{{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "due", RepeatEveryDays: 7, MaxRepeats: 2}},
			due:   d(3, 7), // Saturday: fires Monday the 9th
			want: []string{
				"Mon 2026-03-09 09:00 email due [1]",
				"Mon 2026-03-16 09:00 email due [1] r1",
				"Mon 2026-03-23 09:00 email due [1] r2",
			},
		},
		{
			name: "a later step on the same channel takes over; a task does not",
			steps: []Step{
				{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "due", RepeatEveryDays: 7, MaxRepeats: 10},
				{OffsetDays: 10, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent},
				email(20, "final"), // Sunday the 22nd → Monday the 23rd, the day repeat 3 was due
			},
			due: d(3, 2),
			want: []string{
				"Mon 2026-03-02 09:00 email due [1]",
				"Mon 2026-03-09 09:00 email due [1] r1",
				"Thu 2026-03-12 09:00 task agent [1]",
				"Mon 2026-03-16 09:00 email due [1] r2",
				"Mon 2026-03-23 09:00 email final [1]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := account(scenario(tt.steps...), inv(1, tt.due, 50_000))
			got, st := run(a, State{}, at(paris, 2, 1, 12, 0), at(paris, 12, 31, 0, 0))
			require.Equal(t, tt.want, lines(got, paris))
			require.Empty(t, st.Stages[1].Cycles, "no repeat left to track")
			p := PlanAt(a, st, got[len(got)-1].At)
			require.True(t, p.Next.IsZero(), "nothing left: no timer")
		})
	}
}

func TestRepeatStateIsCarried(t *testing.T) {
	t.Parallel()
	sc := scenario(Step{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "due", RepeatEveryDays: 14, MaxRepeats: 3})
	a := account(sc, inv(1, d(3, 2), 50_000))
	p := PlanAt(a, State{}, at(paris, 3, 16, 9, 30))
	require.Equal(t, []string{"Mon 2026-03-16 09:30 email due [1]"}, lines(p.Due, paris), "first seen late: the step fires once, now")
	require.Equal(t, Stage{ScenarioID: testScenarioID, Through: 0,
		Cycles: []Cycle{{Offset: 0, Channel: domain.ChannelEmail, Done: 0, Last: d(3, 16)}}}, p.State.Stages[1])
	requireTime(t, at(paris, 3, 30, 9, 0), p.Next)

	p = PlanAt(a, p.State, p.Next)
	require.Equal(t, []string{"Mon 2026-03-30 09:00 email due [1] r1"}, lines(p.Due, paris))
	require.Equal(t, []Cycle{{Offset: 0, Channel: domain.ChannelEmail, Done: 1, Last: d(3, 30)}}, p.State.Stages[1].Cycles)
}

func TestConditions(t *testing.T) {
	t.Parallel()
	big := Step{OffsetDays: 10, Channel: domain.ChannelEmail, Template: "big", MinOverdueMinor: 100_000}
	risky := Step{OffsetDays: 10, Channel: domain.ChannelSMS, Template: "risky", RiskClasses: []string{"high", "critical"}}
	tests := []struct {
		name  string
		step  Step
		risk  string
		items []Item
		want  []string
	}{
		{"overdue total reaches the minimum", big, "", []Item{inv(1, d(3, 2), 60_000), inv(2, d(2, 20), 40_000)},
			[]string{"Thu 2026-03-12 09:00 email big [1]"}},
		{"overdue total below the minimum: skipped", big, "", []Item{inv(1, d(3, 2), 60_000), inv(2, d(2, 20), 39_999)}, nil},
		{"an invoice due today is not overdue yet", big, "", []Item{inv(1, d(3, 2), 60_000), inv(2, d(3, 12), 90_000)}, nil},
		{"disputed amounts are not counted", big, "",
			[]Item{inv(1, d(3, 2), 60_000), func() Item { i := inv(2, d(2, 1), 90_000); i.Status = domain.StatusDisputed; return i }()}, nil},
		{"risk class in the list (any case)", risky, "HIGH", []Item{inv(1, d(3, 2), 1)}, []string{"Thu 2026-03-12 09:00 sms risky [1]"}},
		{"risk class not in the list: skipped", risky, "low", []Item{inv(1, d(3, 2), 1)}, nil},
		{"no risk class: skipped", risky, "", []Item{inv(1, d(3, 2), 1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Invoice 1 is the one under test; the others only weigh on the
			// overdue total, from a scenario that has nothing to say now.
			for i := range tt.items[1:] {
				tt.items[1+i].ScenarioID = 1
			}
			a := account(scenario(email(0, "due"), tt.step), tt.items...)
			a.Scenarios[1] = scenario(email(365, "much_later"))
			a.RiskClass = tt.risk
			st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0}}}
			p := PlanAt(a, st, at(paris, 3, 12, 9, 0))
			require.Equal(t, tt.want, lines(p.Due, paris))
			require.Equal(t, 10, p.State.Stages[1].Through, "fired or skipped, the step is passed")
		})
	}
}

func TestSkippedStepIsNotRetriedWhenItsConditionLaterHolds(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), Step{OffsetDays: 10, Channel: domain.ChannelEmail, Template: "big", MinOverdueMinor: 100_000}, email(20, "last"))
	a := account(sc, inv(1, d(3, 2), 60_000))
	p := PlanAt(a, State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0}}}, at(paris, 3, 12, 9, 0))
	require.Empty(t, p.Due)
	requireTime(t, at(paris, 3, 23, 9, 0), p.Next, "next is the +20 step, not a retry")

	a.Items[0].OpenMinor = 500_000 // the amount grows: the skipped step stays skipped
	p = PlanAt(a, p.State, at(paris, 3, 13, 9, 0))
	require.Empty(t, p.Due)
}

func TestGrouping(t *testing.T) {
	t.Parallel()

	t.Run("invoices due for the same step share one action", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(30, d(3, 2), 1), inv(10, d(3, 2), 2), inv(20, d(3, 2), 3))
		p := PlanAt(a, State{Stages: map[int64]Stage{
			10: {ScenarioID: testScenarioID, Through: -5},
			20: {ScenarioID: testScenarioID, Through: -5},
			30: {ScenarioID: testScenarioID, Through: -5},
		}}, at(paris, 3, 2, 9, 0))
		require.Equal(t, []string{"Mon 2026-03-02 09:00 email reminder_due [10 20 30]"}, lines(p.Due, paris))
	})

	t.Run("different steps at the same time are different actions", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 1), inv(2, d(3, 9), 2))
		p := PlanAt(a, State{Stages: map[int64]Stage{
			1: {ScenarioID: testScenarioID, Through: 0},
			2: {ScenarioID: testScenarioID, Through: -5},
		}}, at(paris, 3, 9, 9, 0))
		require.Equal(t, []string{
			"Mon 2026-03-09 09:00 email reminder_due [2]",
			"Mon 2026-03-09 09:00 email reminder_1 [1]",
		}, lines(p.Due, paris))
	})

	t.Run("a first firing and a repeat of the same step share one action", func(t *testing.T) {
		t.Parallel()
		sc := scenario(Step{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "due", RepeatEveryDays: 14, MaxRepeats: 3})
		a := account(sc, inv(1, d(3, 2), 1), inv(2, d(3, 16), 2))
		p := PlanAt(a, State{Stages: map[int64]Stage{
			1: {ScenarioID: testScenarioID, Through: 0, Cycles: []Cycle{{Offset: 0, Channel: domain.ChannelEmail, Last: d(3, 2)}}},
		}}, at(paris, 3, 16, 9, 0))
		require.Equal(t, []string{"Mon 2026-03-16 09:00 email due [1 2] r[1 0]"}, lines(p.Due, paris))
		require.Equal(t, 1, p.Due[0].Repeat)
	})

	t.Run("different scenarios are different actions", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 1), inv(2, d(3, 2), 2))
		other := DefaultScenario()
		other.Version = 4
		a.Scenarios[8] = other
		a.Items[1].ScenarioID = 8
		p := PlanAt(a, State{}, at(paris, 3, 2, 9, 0))
		require.Equal(t, []string{
			"Mon 2026-03-02 09:00 email reminder_due [1]",
			"Mon 2026-03-02 09:00 email reminder_due [2]",
		}, lines(p.Due, paris))
		require.Equal(t, []int64{7, 8}, []int64{p.Due[0].ScenarioID, p.Due[1].ScenarioID})
		require.Equal(t, []int{1, 4}, []int{p.Due[0].ScenarioVersion, p.Due[1].ScenarioVersion})
	})
}

func TestCatchUp(t *testing.T) {
	t.Parallel()

	t.Run("an invoice 40 days late enters at the latest passed step, once", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 100_000))
		firstSeen := at(paris, 4, 10, 10, 0) // Friday, due + 39 days
		p := PlanAt(a, State{}, firstSeen)
		require.Equal(t, []string{"Fri 2026-04-10 10:00 task agent [1]"}, lines(p.Due, paris),
			"not -5, 0, +7, +15, +29 and +30 at once: only +30")
		require.Equal(t, Stage{ScenarioID: testScenarioID, Through: 30}, p.State.Stages[1])
		requireTime(t, at(paris, 4, 16, 9, 0), p.Next, "then +45 as usual")

		again := PlanAt(a, p.State, firstSeen.Add(time.Hour))
		require.Empty(t, again.Due, "once")

		got, _ := run(a, State{}, firstSeen, at(paris, 9, 1, 0, 0))
		require.Equal(t, []string{
			"Fri 2026-04-10 10:00 task agent [1]",
			"Thu 2026-04-16 09:00 escalation credit_manager [1]",
		}, lines(got, paris))
	})

	t.Run("later steps fire normally afterwards", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 100_000))
		got, _ := run(a, State{}, at(paris, 3, 18, 15, 0), at(paris, 4, 2, 0, 0))
		require.Equal(t, []string{
			"Wed 2026-03-18 15:00 email reminder_2 [1]",
			"Tue 2026-03-31 09:00 email reminder_repeat [1]",
			"Wed 2026-04-01 09:00 task agent [1]",
		}, lines(got, paris))
	})

	t.Run("the latest passed step that applies, when the latest does not", func(t *testing.T) {
		t.Parallel()
		sc := scenario(email(0, "due"), email(10, "late"),
			Step{OffsetDays: 20, Channel: domain.ChannelSMS, Template: "vip", RiskClasses: []string{"high"}})
		a := account(sc, inv(1, d(3, 2), 100_000))
		p := PlanAt(a, State{}, at(paris, 3, 27, 10, 0))
		require.Equal(t, []string{"Fri 2026-03-27 10:00 email late [1]"}, lines(p.Due, paris))
		require.Equal(t, 20, p.State.Stages[1].Through)
	})

	t.Run("an invoice first seen before its first step starts at the start", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 100_000))
		p := PlanAt(a, State{}, at(paris, 1, 15, 10, 0))
		require.Empty(t, p.Due)
		require.Empty(t, p.State.Stages)
		requireTime(t, at(paris, 2, 25, 9, 0), p.Next)
	})
}

func TestHolds(t *testing.T) {
	t.Parallel()
	passed7 := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}}

	t.Run("a disputed invoice is held, its stage kept; resolved, it catches up", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(3, 2), 100_000)
		it.Status = domain.StatusDisputed
		a := account(DefaultScenario(), it)
		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		require.Empty(t, p.Due)
		require.True(t, p.Next.IsZero(), "no timer: the dispute's end is a signal")
		require.Equal(t, passed7, p.State)

		a.Items[0].Status = domain.StatusOpen
		p = PlanAt(a, p.State, at(paris, 4, 2, 11, 0))
		require.Equal(t, []string{"Thu 2026-04-02 11:00 task agent [1]"}, lines(p.Due, paris))
	})

	t.Run("a promise holds the invoice through PromiseUntil, then it catches up", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(3, 2), 100_000)
		until := d(3, 20) // promise date + grace, a Friday
		it.PromiseUntil = &until
		a := account(DefaultScenario(), it)

		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		require.Empty(t, p.Due, "+15 is held")
		requireTime(t, at(paris, 3, 23, 9, 0), p.Next, "the hold ends after Friday: Monday 09:00")

		p = PlanAt(a, p.State, at(paris, 3, 20, 17, 0))
		require.Empty(t, p.Due, "still held on PromiseUntil itself")

		p = PlanAt(a, p.State, at(paris, 3, 23, 9, 0))
		require.Equal(t, []string{"Mon 2026-03-23 09:00 email reminder_2 [1]"}, lines(p.Due, paris))
	})

	t.Run("a promise past its date holds nothing", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(3, 2), 100_000)
		until := d(3, 10)
		it.PromiseUntil = &until
		p := PlanAt(account(DefaultScenario(), it), passed7, at(paris, 3, 17, 9, 0))
		require.Equal(t, []string{"Tue 2026-03-17 09:00 email reminder_2 [1]"}, lines(p.Due, paris))
	})

	t.Run("a promise holds repeats too", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(3, 2), 100_000)
		until := d(4, 20)
		it.PromiseUntil = &until
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 30,
			Cycles: []Cycle{{Offset: 29, Channel: domain.ChannelEmail, Last: d(3, 31)}}}}}
		p := PlanAt(account(DefaultScenario(), it), st, at(paris, 4, 14, 9, 0))
		require.Empty(t, p.Due)
		requireTime(t, at(paris, 4, 21, 9, 0), p.Next)
		require.Equal(t, st, p.State)
	})

	t.Run("a promise's end is a wake-up even when no step follows (the workflow checks the promise then)", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(1, 2), 100_000)
		until := d(4, 20) // a Monday
		it.PromiseUntil = &until
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 45}}} // every step passed
		p := PlanAt(account(DefaultScenario(), it), st, at(paris, 4, 14, 9, 0))
		require.Empty(t, p.Due)
		requireTime(t, at(paris, 4, 21, 9, 0), p.Next, "the day after the hold, at the window's opening")

		p = PlanAt(account(DefaultScenario(), inv(1, d(1, 2), 100_000)), st, at(paris, 4, 14, 9, 0))
		require.True(t, p.Next.IsZero(), "without the promise nothing is left to wake for")
	})

	t.Run("paid, written off, fully credited or gone: the stage is dropped", func(t *testing.T) {
		t.Parallel()
		paid := inv(1, d(3, 2), 0)
		paid.Status = domain.StatusPaid
		off := inv(2, d(3, 2), 100)
		off.Status = domain.StatusWrittenOff
		zero := inv(3, d(3, 2), 0)
		st := State{Stages: map[int64]Stage{
			1: {ScenarioID: testScenarioID, Through: 7}, 2: {ScenarioID: testScenarioID, Through: 7},
			3: {ScenarioID: testScenarioID, Through: 7}, 4: {ScenarioID: testScenarioID, Through: 7},
		}}
		p := PlanAt(account(DefaultScenario(), paid, off, zero), st, at(paris, 3, 17, 9, 0))
		require.Empty(t, p.Due)
		require.Empty(t, p.State.Stages)
		require.True(t, p.Next.IsZero(), "nothing left")
	})
}

func TestEscalationStopsReminders(t *testing.T) {
	t.Parallel()

	t.Run("an escalated invoice gets no reminder and no timer for one", func(t *testing.T) {
		t.Parallel()
		it := inv(1, d(3, 2), 100_000)
		it.Escalated = true
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 45,
			Cycles: []Cycle{{Offset: 29, Channel: domain.ChannelEmail, Done: 1, Last: d(4, 14)}}}}}
		a := account(DefaultScenario(), it)
		p := PlanAt(a, st, at(paris, 4, 28, 9, 0))
		require.Empty(t, p.Due, "the repeat due on Apr 28 does not fire")
		require.True(t, p.Next.IsZero())
		require.Equal(t, st, p.State, "kept, not counted: a decision to resume reminders picks it up")

		a.Items[0].Escalated = false // someone decided: reminders resume, once
		p = PlanAt(a, p.State, at(paris, 5, 4, 10, 0))
		require.Equal(t, []string{"Mon 2026-05-04 10:00 email reminder_repeat [1] r2"}, lines(p.Due, paris))
		requireTime(t, at(paris, 5, 18, 9, 0), p.Next)
	})

	t.Run("tasks and further escalations still fire for an escalated invoice", func(t *testing.T) {
		t.Parallel()
		sc := scenario(email(30, "r"), Step{OffsetDays: 40, Channel: domain.ChannelEmail, Template: "r2"},
			Step{OffsetDays: 40, Channel: domain.ChannelEscalation, AssigneeRole: domain.AssigneeLegal}, email(50, "r3"),
			Step{OffsetDays: 60, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent})
		it := inv(1, d(3, 2), 100_000)
		it.Escalated = true
		a := account(sc, it)
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 30}}}
		got, _ := run(a, st, at(paris, 4, 1, 12, 0), at(paris, 12, 1, 0, 0))
		require.Equal(t, []string{
			"Mon 2026-04-13 09:00 escalation legal [1]",
			"Mon 2026-05-04 09:00 task agent [1]", // +60 is Friday May 1, a holiday
		}, lines(got, paris))
	})

	t.Run("an escalation firing stops reminders at once, same offset included", func(t *testing.T) {
		t.Parallel()
		sc := scenario(email(45, "final"), Step{OffsetDays: 45, Channel: domain.ChannelEscalation, AssigneeRole: domain.AssigneeCreditManager},
			email(50, "after"), Step{OffsetDays: 60, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent})
		a := account(sc, inv(1, d(3, 2), 100_000))
		p := PlanAt(a, State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 30}}}, at(paris, 4, 16, 9, 0))
		require.Equal(t, []string{"Thu 2026-04-16 09:00 escalation credit_manager [1]"}, lines(p.Due, paris))
		requireTime(t, at(paris, 5, 4, 9, 0), p.Next, "the +50 reminder is not scheduled; +60 is")

		a = ApplyEscalations(a, p.Due)
		require.True(t, a.Items[0].Escalated)
		p = PlanAt(a, p.State, p.Next)
		require.Equal(t, []string{"Mon 2026-05-04 09:00 task agent [1]"}, lines(p.Due, paris))
	})
}

func TestPause(t *testing.T) {
	t.Parallel()
	passed7 := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}}
	base := account(DefaultScenario(), inv(1, d(3, 2), 100_000))

	t.Run("paused without an end: nothing fires, no timer", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused = true
		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		require.Empty(t, p.Due)
		require.True(t, p.Next.IsZero(), "a resume signal wakes the workflow")
		require.Equal(t, passed7, p.State)
	})

	t.Run("paused until a time: wake then, catch up once", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused, a.PausedUntil = true, at(paris, 4, 3, 12, 30) // Friday
		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		require.Empty(t, p.Due)
		requireTime(t, at(paris, 4, 3, 12, 30), p.Next)
		p = PlanAt(a, p.State, p.Next)
		require.Equal(t, []string{"Fri 2026-04-03 12:30 task agent [1]"}, lines(p.Due, paris),
			"+15, +29 and +30 passed during the pause: only +30 fires")
	})

	t.Run("a pause ending on a weekend wakes on the next business morning", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused, a.PausedUntil = true, at(paris, 3, 21, 10, 0) // Saturday
		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		requireTime(t, at(paris, 3, 23, 9, 0), p.Next)
	})

	t.Run("a pause ending before the next step changes nothing", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused, a.PausedUntil = true, at(paris, 3, 12, 0, 0)
		p := PlanAt(a, passed7, at(paris, 3, 10, 9, 0))
		requireTime(t, at(paris, 3, 17, 9, 0), p.Next)
	})

	t.Run("the preview honours PausedUntil", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused, a.PausedUntil = true, at(paris, 3, 5, 0, 0)
		got := Preview(a, State{}, at(paris, 2, 15, 10, 0), 25)
		require.Equal(t, []string{
			"Thu 2026-03-05 09:00 email reminder_due [1]", // -5 and 0 passed during the pause: only 0
			"Mon 2026-03-09 09:00 email reminder_1 [1]",
		}, lines(got, paris))
	})

	t.Run("a pause that has ended is no pause", func(t *testing.T) {
		t.Parallel()
		a := base
		a.Paused, a.PausedUntil = true, at(paris, 3, 1, 0, 0)
		p := PlanAt(a, passed7, at(paris, 3, 17, 9, 0))
		require.Equal(t, []string{"Tue 2026-03-17 09:00 email reminder_2 [1]"}, lines(p.Due, paris))
	})
}

func TestContactWindows(t *testing.T) {
	t.Parallel()
	one := scenario(email(0, "due"))
	tests := []struct {
		name      string
		country   string
		tz        *time.Location
		window    Window
		due       Date
		now       time.Time // first evaluation, invoice first seen
		wantNow   []string  // fired at now
		wantNext  time.Time
		wantLater []string // fired at wantNext
	}{
		{
			name: "before 09:00: wait for 09:00", country: "FR", tz: paris, due: d(3, 2),
			now: at(paris, 3, 2, 7, 30), wantNext: at(paris, 3, 2, 9, 0),
			wantLater: []string{"Mon 2026-03-02 09:00 email due [1]"},
		},
		{
			name: "after 18:00: next business day 09:00", country: "FR", tz: paris, due: d(3, 2),
			now: at(paris, 3, 2, 19, 0), wantNext: at(paris, 3, 3, 9, 0),
			wantLater: []string{"Tue 2026-03-03 09:00 email due [1]"},
		},
		{
			name: "18:00 sharp is closed", country: "FR", tz: paris, due: d(3, 2),
			now: at(paris, 3, 2, 18, 0), wantNext: at(paris, 3, 3, 9, 0),
			wantLater: []string{"Tue 2026-03-03 09:00 email due [1]"},
		},
		{
			name: "inside the window: fires at once", country: "FR", tz: paris, due: d(3, 2),
			now: at(paris, 3, 2, 17, 59), wantNow: []string{"Mon 2026-03-02 17:59 email due [1]"},
		},
		{
			name: "Friday evening: Monday 09:00", country: "FR", tz: paris, due: d(3, 6),
			now: at(paris, 3, 6, 18, 30), wantNext: at(paris, 3, 9, 9, 0),
			wantLater: []string{"Mon 2026-03-09 09:00 email due [1]"},
		},
		{
			name: "a step on Saturday: Monday 09:00", country: "FR", tz: paris, due: d(3, 7),
			now: at(paris, 3, 1, 12, 0), wantNext: at(paris, 3, 9, 9, 0),
			wantLater: []string{"Mon 2026-03-09 09:00 email due [1]"},
		},
		{
			name: "Gulf weekend: a step on Friday waits for Sunday", country: "SA", tz: riyadh, due: d(3, 6),
			now: at(riyadh, 3, 1, 12, 0), wantNext: at(riyadh, 3, 8, 9, 0),
			wantLater: []string{"Sun 2026-03-08 09:00 email due [1]"},
		},
		{
			name: "UAE works on Friday since 2022", country: "AE", tz: dubai, due: d(3, 6),
			now: at(dubai, 3, 1, 12, 0), wantNext: at(dubai, 3, 6, 9, 0),
			wantLater: []string{"Fri 2026-03-06 09:00 email due [1]"},
		},
		{
			name: "French public holiday 2026-11-11: the next day", country: "FR", tz: paris, due: d(11, 11),
			now: at(paris, 11, 1, 12, 0), wantNext: at(paris, 11, 12, 9, 0),
			wantLater: []string{"Thu 2026-11-12 09:00 email due [1]"},
		},
		{
			name: "a configured window 08:00–12:00", country: "FR", tz: paris, due: d(3, 2),
			window: Window{Start: 8 * time.Hour, End: 12 * time.Hour},
			now:    at(paris, 3, 2, 13, 0), wantNext: at(paris, 3, 3, 8, 0),
			wantLater: []string{"Tue 2026-03-03 08:00 email due [1]"},
		},
		{
			name: "any time: from midnight on the step's day", country: "FR", tz: paris, due: d(3, 2),
			window: Window{AnyTime: true},
			now:    at(paris, 3, 1, 12, 0), wantNext: at(paris, 3, 2, 0, 0),
			wantLater: []string{"Mon 2026-03-02 00:00 email due [1]"},
		},
		{
			name: "any time: late evening fires at once", country: "FR", tz: paris, due: d(3, 2),
			window: Window{AnyTime: true},
			now:    at(paris, 3, 2, 23, 30), wantNow: []string{"Mon 2026-03-02 23:30 email due [1]"},
		},
		{
			name: "any time still skips weekends", country: "FR", tz: paris, due: d(3, 7),
			window: Window{AnyTime: true},
			now:    at(paris, 3, 7, 11, 0), wantNext: at(paris, 3, 9, 0, 0),
			wantLater: []string{"Mon 2026-03-09 00:00 email due [1]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := account(one, inv(1, tt.due, 100))
			a.Country, a.TimeZone, a.Window = tt.country, tt.tz.String(), tt.window
			p := PlanAt(a, State{}, tt.now)
			require.Equal(t, tt.wantNow, lines(p.Due, tt.tz))
			if tt.wantNext.IsZero() {
				require.True(t, p.Next.IsZero(), "got Next %s", p.Next)
				return
			}
			requireTime(t, tt.wantNext, p.Next)
			require.Equal(t, tt.tz.String(), p.Next.Location().String(), "times come in the account's zone")
			p = PlanAt(a, p.State, p.Next)
			require.Equal(t, tt.wantLater, lines(p.Due, tt.tz))
		})
	}
}

func TestDST(t *testing.T) {
	t.Parallel()
	utc := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	sc := scenario(email(0, "due"), email(3, "plus3"))
	tests := []struct {
		name    string
		country string
		tz      string
		due     Date
		want    []time.Time // the two firings, in UTC
	}{
		{"Paris, spring forward on Sunday 2026-03-29: 09:00 CET then 09:00 CEST", "FR", "Europe/Paris", d(3, 27),
			[]time.Time{utc(3, 27, 8), utc(3, 30, 7)}},
		{"Paris, fall back on Sunday 2026-10-25: 09:00 CEST then 09:00 CET", "FR", "Europe/Paris", d(10, 23),
			[]time.Time{utc(10, 23, 7), utc(10, 26, 8)}},
		{"New York, spring forward on Sunday 2026-03-08", "US", "America/New_York", d(3, 6),
			[]time.Time{utc(3, 6, 14), utc(3, 9, 13)}},
		{"New York, fall back on Sunday 2026-11-01", "US", "America/New_York", d(10, 30),
			[]time.Time{utc(10, 30, 13), utc(11, 2, 14)}},
		// In Israel Sunday is a business day, so a step fires on the
		// fall-back day itself (2026-10-25, 02:00 IDT → 01:00 IST).
		{"Jerusalem, a step on the fall-back day itself", "IL", "Asia/Jerusalem", d(10, 22),
			[]time.Time{utc(10, 22, 6), utc(10, 25, 7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := account(sc, inv(1, tt.due, 100))
			a.Country, a.TimeZone = tt.country, tt.tz
			got, _ := run(a, State{}, tt.due.AddDays(-10).In(time.UTC), tt.due.AddDays(30).In(time.UTC))
			require.Len(t, got, 2)
			for i, ac := range got {
				requireTime(t, tt.want[i], ac.At)
				require.Equal(t, "09:00", ac.At.Format("15:04"), "09:00 local on both sides of the change")
			}
		})
	}

	t.Run("a Saturday evening evaluation before spring forward wakes Monday 09:00 CEST", func(t *testing.T) {
		t.Parallel()
		a := account(sc, inv(1, d(3, 30), 100))
		p := PlanAt(a, State{}, at(paris, 3, 28, 20, 0))
		requireTime(t, utc(3, 30, 7), p.Next)
	})

	t.Run("a window opening inside the DST gap still moves time forward", func(t *testing.T) {
		t.Parallel()
		e := &eval{loc: paris, cal: &Calendar{}, win: Window{Start: 2*time.Hour + 30*time.Minute, End: 4 * time.Hour}}
		for _, now := range []time.Time{at(paris, 3, 29, 1, 0), at(paris, 3, 29, 1, 59), at(paris, 3, 29, 3, 0)} {
			next := e.align(now)
			require.False(t, next.Before(now), "align(%s) = %s", now, next)
			require.True(t, e.allowed(next) || next.After(now), "align(%s) = %s", now, next)
		}
	})

	t.Run("the window's opening is built from the wall clock on the change day", func(t *testing.T) {
		t.Parallel()
		requireTime(t, utc(3, 29, 7), DefaultWindow.startOn(d(3, 29), paris), "not midnight + 9h (10:00 CEST)")
		requireTime(t, utc(10, 25, 8), DefaultWindow.startOn(d(10, 25), paris), "not midnight + 9h (08:00 CET)")
		requireTime(t, utc(3, 28, 23), Window{AnyTime: true}.startOn(d(3, 29), paris))
	})
}

func TestMonthEndDueDate(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), email(28, "plus28"), email(30, "plus30"))
	a := account(sc, inv(1, d(1, 31), 100)) // Saturday 2026-01-31
	got, _ := run(a, State{}, at(paris, 1, 20, 12, 0), at(paris, 4, 1, 0, 0))
	require.Equal(t, []string{
		"Mon 2026-02-02 09:00 email due [1]",
		// +28 is Saturday Feb 28 and +30 is Monday Mar 2 (not Mar 3, as
		// month arithmetic would give): both are due Monday at 09:00, on
		// the same channel, and the later step wins.
		"Mon 2026-03-02 09:00 email plus30 [1]",
	}, lines(got, paris))
}

func TestFallbackMarksChannelsWithoutContact(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "e"), Step{OffsetDays: 0, Channel: domain.ChannelSMS, Template: "s"},
		Step{OffsetDays: 0, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent})
	a := account(sc, inv(1, d(3, 2), 100))
	a.HasEmail, a.HasPhone = false, true
	p := PlanAt(a, State{}, at(paris, 3, 2, 9, 0))
	require.Len(t, p.Due, 3)
	require.Equal(t, []bool{true, false, false}, []bool{p.Due[0].Fallback, p.Due[1].Fallback, p.Due[2].Fallback})
}

func TestScenarioChanges(t *testing.T) {
	t.Parallel()

	t.Run("an edit applies at the next step; passed offsets stay passed", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 100))
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}}
		v2 := DefaultScenario()
		v2.Version = 2
		def := v2.Steps
		v2.Steps = []Step{email(-10, "early"), def[0], def[1], email(3, "inserted_past"), def[2],
			email(10, "inserted_future"), def[3], def[4], def[5], def[6]}
		require.NoError(t, v2.Validate())
		a.Scenarios[testScenarioID] = v2

		p := PlanAt(a, st, at(paris, 3, 12, 9, 0))
		require.Equal(t, []string{"Thu 2026-03-12 09:00 email inserted_future [1]"}, lines(p.Due, paris))
		require.Equal(t, 2, p.Due[0].ScenarioVersion)
		require.Equal(t, 5, p.Due[0].StepIndex)
	})

	t.Run("an invoice moved to another scenario enters it afresh", func(t *testing.T) {
		t.Parallel()
		a := account(DefaultScenario(), inv(1, d(3, 2), 100))
		a.Scenarios[9] = Scenario{Version: 1, Name: "strict", Steps: []Step{email(1, "strict_1"), email(20, "strict_2")}}
		a.Items[0].ScenarioID = 9
		st := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}}
		p := PlanAt(a, st, at(paris, 3, 12, 9, 0))
		require.Equal(t, []string{"Thu 2026-03-12 09:00 email strict_1 [1]"}, lines(p.Due, paris))
		require.Equal(t, Stage{ScenarioID: 9, Through: 1}, p.State.Stages[1])
	})
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	a := account(DefaultScenario(), inv(1, d(3, 2), 100), inv(2, d(3, 2), 100), inv(3, d(3, 2), 100), inv(3, d(3, 2), 5), Item{InvoiceID: 5, Status: domain.StatusOpen, OpenMinor: 1, ScenarioID: testScenarioID})
	a.Country, a.TimeZone = "XX", "Mars/Olympus"
	a.Items[1].ScenarioID = 99
	a.Scenarios[98] = Scenario{Name: "broken", Version: 2, Steps: []Step{email(5, "a"), email(1, "b")}}
	a.Items[2].ScenarioID = 98
	a.Window = Window{Start: 18 * time.Hour, End: 9 * time.Hour}
	p := PlanAt(a, State{}, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	require.Equal(t, []string{
		`contact window 18:00–09:00 invalid: using 09:00–18:00`,
		`invoice 3 listed more than once: the first is used`,
		`invoice 5 has no due date: not dunned`,
		`no public holidays known for country "XX": business days are weekdays only; load its dates with the holidays import or PUT /api/v1/entities/{code}/holidays`,
		`scenario 98 version 2 invalid: its invoices are not dunned: steps[1].offset_days: 1 comes after 5: steps must be in order`,
		`scenario 99 not found: its invoices are not dunned`,
		`time zone "Mars/Olympus" unknown: using UTC`,
	}, p.Warnings)
	require.Equal(t, []string{"Mon 2026-03-02 10:00 email reminder_due [1]"}, lines(p.Due, time.UTC), "the rest still works, in UTC")
}
