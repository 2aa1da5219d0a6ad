package dunning

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
)

// statement is account under RulesStatement.
func statement(sc Scenario, items ...Item) Account {
	a := account(sc, items...)
	a.Rules = RulesStatement
	return a
}

func withID(s Step, id string) Step { s.ID = id; return s }

func task(offset int) Step {
	return Step{OffsetDays: offset, Channel: domain.ChannelTask, AssigneeRole: domain.AssigneeAgent, TaskDueHours: 24}
}

var eur, usd = money.MustCurrency("EUR"), money.MustCurrency("USD")

func TestStatementMergesEveryReminderOfAChannelIntoOneMessage(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), email(7, "first"), email(15, "second"),
		Step{OffsetDays: 15, Channel: domain.ChannelSMS, Template: "sms"}, task(15))
	a := statement(sc,
		inv(1, d(3, 1), 100_00), // +15 on Monday 16
		inv(2, d(3, 9), 200_00), // +7
		inv(3, d(3, 16), 50_00), // due today
	)
	s := State{Stages: map[int64]Stage{
		1: {ScenarioID: testScenarioID, Through: 7},
		2: {ScenarioID: testScenarioID, Through: 0},
	}}
	now := at(paris, 3, 16, 9, 0)
	p := PlanAt(a, s, now)
	require.Equal(t, []string{
		"Mon 2026-03-16 09:00 email second [1 2 3]", // the tone of the most advanced step
		"Mon 2026-03-16 09:00 sms sms [1]",
		"Mon 2026-03-16 09:00 task agent [1]", // work for people: one per step
	}, lines(p.Due, paris))
	mail := p.Due[0]
	require.Equal(t, []Covered{
		{InvoiceID: 1, ScenarioID: testScenarioID, StepID: "email-15"},
		{InvoiceID: 2, ScenarioID: testScenarioID, StepID: "email-7"},
		{InvoiceID: 3, ScenarioID: testScenarioID, StepID: "email-0"},
	}, mail.Covered)
	require.Equal(t, 2, mail.StepIndex)
	require.Equal(t, "email-15", mail.Step.ID)
	require.Equal(t, []int{0, 0, 0}, mail.Repeats)
	require.Len(t, mail.Key, 32)
	require.Empty(t, p.Due[2].Covered, "tasks cover no merged message")
	require.Equal(t, map[domain.Channel]Date{domain.ChannelEmail: d(3, 16), domain.ChannelSMS: d(3, 16)}, p.State.LastContact)
	for id, done := range map[int64][]string{1: {"email-0", "email-15", "email-7", "sms-15", "task-15"}, 2: {"email-0", "email-7"}, 3: {"email-0"}} {
		require.Equal(t, done, p.State.Stages[id].Done, "invoice %d: each covered step counts as done", id)
	}

	again := PlanAt(a, s, now)
	require.Equal(t, mail.Key, again.Due[0].Key, "a retry from the same state has the same key: never sent twice")
	a.Items = a.Items[:2]
	require.NotEqual(t, mail.Key, PlanAt(a, s, now).Due[0].Key, "another set of covered steps is another message")
	require.Empty(t, PlanAt(a, p.State, now.Add(1)).Due, "once done, nothing is due again")
}

func TestStatementMostAdvancedStepAcrossScenarios(t *testing.T) {
	t.Parallel()
	a := statement(scenario(email(0, "due"), email(7, "first")), inv(1, d(3, 9), 100), inv(2, d(3, 16), 100))
	other := scenario(email(3, "other_due"))
	other.ID = 9
	a.Scenarios[9] = other
	a.Items[1].ScenarioID = 9
	a.Items = append(a.Items, Item{InvoiceID: 3, DueDate: d(3, 13), OpenMinor: 100, Status: domain.StatusOpen, ScenarioID: 9})
	p := PlanAt(a, State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0}}}, at(paris, 3, 16, 9, 0))
	require.Equal(t, []string{"Mon 2026-03-16 09:00 email first [1 3]"}, lines(p.Due, paris),
		"+7 is more advanced than +3; invoice 2 (+0 of scenario 9) is not due yet")
	require.Equal(t, int64(testScenarioID), p.Due[0].ScenarioID)
}

func TestStatementContactPressure(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), email(7, "first"))
	items := []Item{inv(1, d(3, 2), 100_00), inv(2, d(3, 4), 100_00)}
	from, until := at(paris, 2, 20, 12, 0), at(paris, 5, 1, 0, 0)

	old, _ := run(account(sc, items...), State{}, from, until)
	require.Equal(t, []string{
		"Mon 2026-03-02 09:00 email due [1]",
		"Wed 2026-03-04 09:00 email due [2]",
		"Mon 2026-03-09 09:00 email first [1]",
		"Wed 2026-03-11 09:00 email first [2]",
	}, lines(old, paris), "Rules 0: one email per step, two days apart")

	got, st := run(statement(sc, items...), State{}, from, until)
	require.Equal(t, []string{
		"Mon 2026-03-02 09:00 email due [1]",
		"Thu 2026-03-05 09:00 email due [2]", // waited for the default 3 days
		"Mon 2026-03-09 09:00 email first [1]",
		"Thu 2026-03-12 09:00 email first [2]",
	}, lines(got, paris))
	require.Equal(t, d(3, 12), st.LastContact[domain.ChannelEmail])

	// Inside the gap nothing goes; the status says why; the gap's end is the wake-up.
	p := PlanAt(statement(sc, items...), State{LastContact: map[domain.Channel]Date{domain.ChannelEmail: d(3, 2)},
		Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0, Done: []string{"email-0"}}}}, at(paris, 3, 4, 9, 0))
	require.Empty(t, p.Due)
	require.Equal(t, []string{WaitContactGap}, p.WaitCodes)
	require.Equal(t, []string{"last email on 2026-03-02: the next may go on 2026-03-05 (at least 3 days between)"}, p.Waiting)
	require.Equal(t, []string{"email-0"}, p.State.Stages[2].Waiting, "the step waits: it is not passed")
	requireTime(t, at(paris, 3, 5, 9, 0), p.Next)

	// A longer gap merges what fell due inside it into the next message.
	sc.Settings.MinDaysBetween = map[domain.Channel]int{domain.ChannelEmail: 7}
	got, _ = run(statement(sc, items...), State{}, from, until)
	require.Equal(t, []string{
		"Mon 2026-03-02 09:00 email due [1]",
		"Mon 2026-03-09 09:00 email first [1 2]", // invoice 2's due-date reminder went out with it
		"Mon 2026-03-16 09:00 email first [2]",
	}, lines(got, paris))

	// A gap of 0: as before.
	sc.Settings.MinDaysBetween = map[domain.Channel]int{domain.ChannelEmail: 0}
	got, _ = run(statement(sc, items...), State{}, from, until)
	require.Equal(t, lines(old, paris), lines(got, paris))
}

func TestStatementLargestGapOfTheAccountsScenarios(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"))
	sc.Settings.MinDaysBetween = map[domain.Channel]int{domain.ChannelEmail: 1}
	a := statement(sc, inv(1, d(3, 2), 100), inv(2, d(3, 3), 100))
	got, _ := run(a, State{}, at(paris, 3, 1, 0, 0), at(paris, 4, 1, 0, 0))
	require.Equal(t, []string{"Mon 2026-03-02 09:00 email due [1]", "Tue 2026-03-03 09:00 email due [2]"}, lines(got, paris))

	other := scenario(email(0, "due"))
	other.ID = 9
	other.Settings.MinDaysBetween = map[domain.Channel]int{domain.ChannelEmail: 10}
	a.Scenarios[9] = other
	a.Items = append(a.Items, Item{InvoiceID: 3, DueDate: d(5, 1), OpenMinor: 100, Status: domain.StatusOpen, ScenarioID: 9})
	got, _ = run(a, State{}, at(paris, 3, 1, 0, 0), at(paris, 4, 1, 0, 0))
	require.Equal(t, []string{"Mon 2026-03-02 09:00 email due [1]", "Thu 2026-03-12 09:00 email due [2]"}, lines(got, paris))
}

func TestStatementNetting(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), email(7, "first"), task(7))
	now := at(paris, 3, 9, 9, 0)
	s := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 0}, 2: {ScenarioID: testScenarioID, Through: 0}}}
	tests := []struct {
		name    string
		credits []Credit
		min     int64
		want    []string
		codes   []string
	}{
		{name: "no credit", want: []string{"Mon 2026-03-09 09:00 email first [1 2]", "Mon 2026-03-09 09:00 task agent [1 2]"}},
		{name: "credits cover the overdue", credits: []Credit{
			{Kind: CreditNote, ID: 1, Currency: eur, Minor: 250_00},
			{Kind: CreditUnallocated, ID: 2, Currency: eur, Minor: 50_00},
		}, want: []string{"Mon 2026-03-09 09:00 task agent [1 2]"}, codes: []string{WaitCredits}},
		{name: "credits short of the overdue", credits: []Credit{{Kind: CreditNote, ID: 1, Currency: eur, Minor: 299_99}},
			want: []string{"Mon 2026-03-09 09:00 email first [1 2]", "Mon 2026-03-09 09:00 task agent [1 2]"}},
		{name: "credits in another currency do not count", credits: []Credit{{Kind: CreditNote, ID: 1, Currency: usd, Minor: 1_000_00}},
			want: []string{"Mon 2026-03-09 09:00 email first [1 2]", "Mon 2026-03-09 09:00 task agent [1 2]"}},
		{name: "below the threshold", min: 300_01,
			want: []string{"Mon 2026-03-09 09:00 task agent [1 2]"}, codes: []string{WaitThreshold}},
		{name: "net below the threshold", min: 250_00, credits: []Credit{{Kind: CreditNote, ID: 1, Minor: 100_00}},
			want: []string{"Mon 2026-03-09 09:00 task agent [1 2]"}, codes: []string{WaitThreshold}},
		{name: "at the threshold", min: 300_00,
			want: []string{"Mon 2026-03-09 09:00 email first [1 2]", "Mon 2026-03-09 09:00 task agent [1 2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := statement(sc, inv(1, d(3, 2), 100_00), inv(2, d(3, 2), 200_00), inv(3, d(4, 30), 1_000_00))
			a.Credits, a.MinChaseMinor = tt.credits, tt.min
			p := PlanAt(a, s, now)
			require.Equal(t, tt.want, lines(p.Due, paris))
			require.Equal(t, tt.codes, p.WaitCodes)
			if tt.codes != nil {
				require.Equal(t, []string{"email-7"}, p.State.Stages[1].Waiting, "the reminder waits, it is not passed")
				requireTime(t, at(paris, 4, 30, 9, 0), p.Next, "invoice 3's due date; no timer for the waiting reminder before")
			}
		})
	}

	// Rules 0 ignores credits and the threshold.
	a := account(sc, inv(1, d(3, 2), 100_00))
	a.Credits, a.MinChaseMinor = []Credit{{Kind: CreditNote, ID: 1, Currency: eur, Minor: 1_000_00}}, 1_000_00
	require.Equal(t, []string{"Mon 2026-03-09 09:00 email first [1]", "Mon 2026-03-09 09:00 task agent [1]"},
		lines(PlanAt(a, s, now).Due, paris))

	// Once the credit is used (allocated), the waiting reminder goes out.
	b := statement(sc, inv(1, d(3, 2), 100_00))
	b.Credits = []Credit{{Kind: CreditNote, ID: 1, Currency: eur, Minor: 100_00}}
	p := PlanAt(b, s, now)
	require.Equal(t, []string{"Mon 2026-03-09 09:00 task agent [1]"}, lines(p.Due, paris))
	b.Credits = nil
	require.Equal(t, []string{"Tue 2026-03-10 09:00 email first [1]"}, lines(PlanAt(b, p.State, now.AddDate(0, 0, 1)).Due, paris))
}

func TestStatementMessagesWait(t *testing.T) {
	t.Parallel()
	a := statement(scenario(email(0, "due"), task(0)), inv(1, d(3, 2), 100))
	a.MessagesWait = "payments imported 3 days ago"
	p := PlanAt(a, State{}, at(paris, 3, 2, 9, 0))
	require.Equal(t, []string{"Mon 2026-03-02 09:00 task agent [1]"}, lines(p.Due, paris), "tasks go on")
	require.Equal(t, []string{"messages wait: payments imported 3 days ago"}, p.Waiting)
	require.Equal(t, []string{WaitMessages}, p.WaitCodes)
	require.True(t, p.Next.IsZero(), "fresh data wakes the workflow: no timer")

	a.MessagesWait = ""
	require.Equal(t, []string{"Tue 2026-03-03 09:00 email due [1]"}, lines(PlanAt(a, p.State, at(paris, 3, 3, 9, 0)).Due, paris))
}

func TestStatementInvoiceHold(t *testing.T) {
	t.Parallel()
	sc := scenario(email(0, "due"), email(7, "first"))
	until := d(3, 10)
	held := inv(1, d(3, 2), 100)
	held.Hold = &Hold{Until: &until, Reason: "disputed delivery"}
	a := statement(sc, held, inv(2, d(3, 2), 100))
	got, _ := run(a, State{}, at(paris, 3, 1, 12, 0), at(paris, 4, 1, 0, 0))
	require.Equal(t, []string{
		"Mon 2026-03-02 09:00 email due [2]",
		"Mon 2026-03-09 09:00 email first [2]",
		"Thu 2026-03-12 09:00 email first [1]", // after the hold (the 11th) and the 3-day gap: caught up to its latest step
	}, lines(got, paris))

	p := PlanAt(a, State{}, at(paris, 3, 2, 9, 0))
	require.Equal(t, []string{"invoice F-1 held until 2026-03-10: disputed delivery"}, p.Waiting)
	require.Equal(t, []string{WaitHold}, p.WaitCodes)

	held.Hold = &Hold{Reason: "until released"}
	a = statement(sc, held)
	p = PlanAt(a, State{}, at(paris, 3, 2, 9, 0))
	require.Empty(t, p.Due)
	require.True(t, p.Next.IsZero(), "a hold without an end: released by an update, which wakes the workflow")
}

func TestStatementStepIdentityAcrossVersions(t *testing.T) {
	t.Parallel()
	a, b, c := withID(email(0, "due"), "a"), withID(email(7, "first"), "b"), withID(email(15, "second"), "c")
	passed := State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7, Done: []string{"a", "b"}}}}
	from, until := at(paris, 3, 10, 9, 0), at(paris, 6, 1, 0, 0)
	tests := []struct {
		name  string
		steps []Step
		state State
		want  []string
	}{
		{name: "unchanged", steps: []Step{a, b, c}, state: passed, want: []string{"Tue 2026-03-17 09:00 email second [1]"}},
		{name: "moved later: does not fire again", steps: []Step{a, withID(email(10, "first"), "b"), c}, state: passed,
			want: []string{"Tue 2026-03-17 09:00 email second [1]"}},
		{name: "removed: stops", steps: []Step{a, b}, state: passed},
		{name: "added at an offset already passed: no catch-up", steps: []Step{a, withID(email(5, "new"), "n"), b, c},
			state: passed, want: []string{"Tue 2026-03-17 09:00 email second [1]"}},
		{name: "added ahead: applies", steps: []Step{a, b, withID(email(12, "new"), "n"), c}, state: passed,
			want: []string{"Mon 2026-03-16 09:00 email new [1]", "Thu 2026-03-19 09:00 email second [1]"}},
		{name: "state before ids means the same", steps: []Step{email(0, "due"), email(7, "first"), email(15, "second")},
			state: State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}},
			want:  []string{"Tue 2026-03-17 09:00 email second [1]"}},
		{name: "state before ids, then ids saved and the step moved", steps: []Step{email(0, "due"), withID(email(10, "first"), "email-7"), email(15, "second")},
			state: State{Stages: map[int64]Stage{1: {ScenarioID: testScenarioID, Through: 7}}},
			want:  []string{"Tue 2026-03-17 09:00 email second [1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _ := run(statement(scenario(tt.steps...), inv(1, d(3, 2), 100)), tt.state, from, until)
			require.Equal(t, tt.want, lines(got, paris))
		})
	}
	// Rules 0 fires a moved step again: what the ids fix.
	got, _ := run(account(scenario(a, withID(email(10, "first"), "b"), c), inv(1, d(3, 2), 100)), passed, from, until)
	require.Equal(t, []string{"Thu 2026-03-12 09:00 email first [1]", "Tue 2026-03-17 09:00 email second [1]"}, lines(got, paris))
}

func TestStatementRepeatsWaitForTheGap(t *testing.T) {
	t.Parallel()
	sc := scenario(Step{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "again", RepeatEveryDays: 2, MaxRepeats: 3})
	got, st := run(statement(sc, inv(1, d(3, 2), 100)), State{}, at(paris, 3, 1, 12, 0), at(paris, 5, 1, 0, 0))
	require.Equal(t, []string{
		"Mon 2026-03-02 09:00 email again [1]",
		"Thu 2026-03-05 09:00 email again [1] r1",
		"Mon 2026-03-09 09:00 email again [1] r2", // Sunday the 8th is no business day
		"Thu 2026-03-12 09:00 email again [1] r3",
	}, lines(got, paris))
	require.Nil(t, st.Stages[1].Cycles)
}

func TestAssignStepIDs(t *testing.T) {
	t.Parallel()
	sc := scenario(email(-5, "courtesy"), withID(email(0, "due"), "email-7"), email(7, "first"), task(7))
	sc.AssignStepIDs()
	require.Equal(t, []string{"email-m5", "email-7", "email-7-2", "task-7"},
		[]string{sc.Steps[0].ID, sc.Steps[1].ID, sc.Steps[2].ID, sc.Steps[3].ID})
	require.NoError(t, sc.Validate())
	sc.Steps[3].ID = "email-7"
	require.ErrorContains(t, sc.Validate(), "steps[3].id: \"email-7\" is also the id of steps[1]")
	sc.Steps[3].ID = "a b"
	require.ErrorContains(t, sc.Validate(), "steps[3].id")
}
