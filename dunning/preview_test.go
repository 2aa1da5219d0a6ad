package dunning

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// previewAccount has four invoices on the default scenario: 1 and 4 due
// Monday 2026-03-02, 3 due Monday 03-16, 2 due Monday 03-30.
func previewAccount() Account {
	return account(DefaultScenario(),
		inv(1, d(3, 2), 120_000), inv(2, d(3, 30), 80_000), inv(3, d(3, 16), 45_000), inv(4, d(3, 2), 9_900))
}

func TestPreview120DaysOfTheDefaultScenario(t *testing.T) {
	t.Parallel()
	got := Preview(previewAccount(), State{}, at(paris, 2, 15, 10, 0), 120)
	require.Equal(t, []string{
		"Wed 2026-02-25 09:00 email reminder_courtesy [1 4]", // one statement for both
		"Mon 2026-03-02 09:00 email reminder_due [1 4]",
		"Mon 2026-03-09 09:00 email reminder_1 [1 4]",
		"Wed 2026-03-11 09:00 email reminder_courtesy [3]",
		"Mon 2026-03-16 09:00 email reminder_due [3]",
		"Tue 2026-03-17 09:00 email reminder_2 [1 4]",
		"Mon 2026-03-23 09:00 email reminder_1 [3]",
		"Wed 2026-03-25 09:00 email reminder_courtesy [2]",
		"Mon 2026-03-30 09:00 email reminder_due [2]",
		"Tue 2026-03-31 09:00 email reminder_2 [3]",
		"Tue 2026-03-31 09:00 email reminder_repeat [1 4]",
		"Wed 2026-04-01 09:00 task agent [1 4]",
		"Tue 2026-04-07 09:00 email reminder_1 [2]", // +7 is Easter Monday
		"Tue 2026-04-14 09:00 email reminder_2 [2]",
		"Tue 2026-04-14 09:00 email reminder_repeat [1 3 4] r[1 0 1]", // 1 and 4 repeat, 3 starts: one message
		"Wed 2026-04-15 09:00 task agent [3]",
		"Thu 2026-04-16 09:00 escalation credit_manager [1 4]", // no reminders for 1 and 4 from now on
		"Tue 2026-04-28 09:00 email reminder_repeat [2 3] r[0 1]",
		"Wed 2026-04-29 09:00 task agent [2]",
		"Thu 2026-04-30 09:00 escalation credit_manager [3]",
		"Tue 2026-05-12 09:00 email reminder_repeat [2] r1",
		"Fri 2026-05-15 09:00 escalation credit_manager [2]", // +45 is Ascension Day
	}, lines(got, paris))

	for _, a := range got {
		require.Equal(t, int64(testScenarioID), a.ScenarioID)
		require.Equal(t, 1, a.ScenarioVersion)
	}
}

func TestPreviewIsTheWorkflowLoop(t *testing.T) {
	t.Parallel()
	a := previewAccount()
	from := at(paris, 2, 15, 10, 0)
	preview := Preview(a, State{}, from, 90)
	loop, _ := run(a, State{}, from, from.AddDate(0, 0, 90))
	require.Equal(t, loop, preview)
	require.False(t, slices.ContainsFunc(a.Items, func(i Item) bool { return i.Escalated }), "the caller's items are untouched")

	require.Nil(t, Preview(a, State{}, from, 0))
	short := Preview(a, State{}, from, 10)
	require.Equal(t, []string{"Wed 2026-02-25 09:00 email reminder_courtesy [1 4]"}, lines(short, paris))
}

func TestPreviewFromACarriedState(t *testing.T) {
	t.Parallel()
	a := previewAccount()
	all := Preview(a, State{}, at(paris, 2, 15, 10, 0), 120)
	mid := PlanAt(a, State{}, at(paris, 2, 15, 10, 0))
	for mid.Next.Before(at(paris, 3, 20, 0, 0)) {
		mid = PlanAt(ApplyEscalations(a, mid.Due), mid.State, mid.Next)
	}
	rest := Preview(a, mid.State, mid.Next, 100)
	require.Equal(t, lines(all[6:], paris), lines(rest, paris))
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	step := email(15, "reminder_2")
	key := actionKey(42, 7, &step, []int64{1, 4}, []int{0, 0})
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), key)
	require.Equal(t, "bc43d0819ccfbb7a03a6545404606689", key, `sha256("dunning/v1|42|7|15|email|1:0|4:0")[:16]: the format is a contract with the message log`)

	edited := step
	edited.Template = "reminder_2_v2"
	require.Equal(t, key, actionKey(42, 7, &edited, []int64{1, 4}, []int{0, 0}), "a template edit keeps the step's identity")

	sms := step
	sms.Channel = domain.ChannelSMS
	later := step
	later.OffsetDays = 16
	others := map[string]string{
		"customer":       actionKey(43, 7, &step, []int64{1, 4}, []int{0, 0}),
		"scenario":       actionKey(42, 8, &step, []int64{1, 4}, []int{0, 0}),
		"step offset":    actionKey(42, 7, &later, []int64{1, 4}, []int{0, 0}),
		"step channel":   actionKey(42, 7, &sms, []int64{1, 4}, []int{0, 0}),
		"invoice set":    actionKey(42, 7, &step, []int64{1}, []int{0}),
		"invoice set 2":  actionKey(42, 7, &step, []int64{1, 4, 5}, []int{0, 0, 0}),
		"repeat":         actionKey(42, 7, &step, []int64{1, 4}, []int{1, 1}),
		"repeat of one":  actionKey(42, 7, &step, []int64{1, 4}, []int{1, 0}),
		"ids run across": actionKey(42, 7, &step, []int64{14}, []int{0}),
	}
	seen := map[string]string{key: "base"}
	for name, k := range others {
		prev, dup := seen[k]
		require.False(t, dup, "%s collides with %s", name, prev)
		seen[k] = name
	}
}

func TestActionKeysAreDistinctAcrossAPreview(t *testing.T) {
	t.Parallel()
	got := Preview(previewAccount(), State{}, at(paris, 2, 15, 10, 0), 120)
	keys := map[string]bool{}
	for _, a := range got {
		require.False(t, keys[a.Key], "duplicate key for %s", line(a, paris))
		keys[a.Key] = true
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	base := previewAccount()
	from := at(paris, 4, 14, 9, 0)
	st := State{}
	for _, p := range []time.Time{at(paris, 2, 25, 9, 0), at(paris, 3, 9, 9, 0), at(paris, 3, 31, 9, 0)} {
		st = PlanAt(base, st, p).State
	}
	want := PlanAt(base, st, from)
	require.NotEmpty(t, want.Due)

	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		a := base
		a.Items = slices.Clone(base.Items)
		rng.Shuffle(len(a.Items), func(i, j int) { a.Items[i], a.Items[j] = a.Items[j], a.Items[i] })
		// Rebuild the maps so their iteration order differs run to run.
		a.Scenarios = map[int64]Scenario{}
		for _, id := range rng.Perm(5) {
			a.Scenarios[int64(100+id)] = DefaultScenario()
		}
		a.Scenarios[testScenarioID] = DefaultScenario()
		s := State{Stages: map[int64]Stage{}}
		for _, id := range rng.Perm(4) {
			if v, ok := st.Stages[int64(id+1)]; ok {
				s.Stages[int64(id+1)] = v
			}
		}
		require.Equal(t, want, PlanAt(a, s, from.In(time.UTC)).withLoc(paris), "same input, same plan")
	}
}

// withLoc puts the plan's times in loc so plans computed from instants given
// in different zones compare equal.
func (p Plan) withLoc(loc *time.Location) Plan {
	for i := range p.Due {
		p.Due[i].At = p.Due[i].At.In(loc)
		if !p.Due[i].TaskDue.IsZero() {
			p.Due[i].TaskDue = p.Due[i].TaskDue.In(loc)
		}
	}
	if !p.Next.IsZero() {
		p.Next = p.Next.In(loc)
	}
	return p
}

func TestStateSurvivesJSONAndInputsAreNotMutated(t *testing.T) {
	t.Parallel()
	a := previewAccount()
	p := PlanAt(a, State{}, at(paris, 4, 14, 9, 0)) // everyone caught up, some repeats running
	for p.Next.Before(at(paris, 4, 20, 0, 0)) {
		p = PlanAt(ApplyEscalations(a, p.Due), p.State, p.Next)
	}
	b, err := json.Marshal(p.State)
	require.NoError(t, err)
	require.Less(t, len(b), 400, "the state stays small: %s", b)
	var back State
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, p.State, back)

	snapshot, err := json.Marshal(back)
	require.NoError(t, err)
	itemsBefore := slices.Clone(a.Items)
	next := PlanAt(a, back, p.Next)
	after, err := json.Marshal(back)
	require.NoError(t, err)
	require.JSONEq(t, string(snapshot), string(after), "PlanAt must not modify the state it is given")
	require.Equal(t, itemsBefore, a.Items)

	fromJSON := PlanAt(a, back, p.Next)
	require.Equal(t, next, fromJSON)
}

func TestConcurrentPlansAgree(t *testing.T) {
	t.Parallel()
	type acct struct {
		country, tz string
	}
	accts := []acct{{"FR", "Europe/Paris"}, {"DE", "Europe/Berlin"}, {"US", "America/New_York"},
		{"JP", "Asia/Tokyo"}, {"SA", "Asia/Riyadh"}, {"GB", "Europe/London"}, {"BR", "America/Sao_Paulo"}, {"XX", "UTC"}}
	from := at(paris, 1, 5, 10, 0)
	want := make([][]Action, len(accts))
	for i, c := range accts {
		a := previewAccount()
		a.Country, a.TimeZone = c.country, c.tz
		want[i] = Preview(a, State{}, from, 200)
	}
	var wg sync.WaitGroup
	got := make([][]Action, len(accts))
	for i, c := range accts {
		wg.Go(func() {
			a := previewAccount()
			a.Country, a.TimeZone = c.country, c.tz
			got[i] = Preview(a, State{}, from, 200)
		})
	}
	wg.Wait()
	require.Equal(t, want, got)
}
