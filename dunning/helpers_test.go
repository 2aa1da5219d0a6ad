package dunning

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
)

const testScenarioID = 7

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	paris   = mustLoc("Europe/Paris")
	newYork = mustLoc("America/New_York")
	riyadh  = mustLoc("Asia/Riyadh")
	dubai   = mustLoc("Asia/Dubai")
)

// d is a Date in 2026, the year most tests live in.
func d(month time.Month, day int) Date { return NewDate(2026, month, day) }

// at is a wall-clock moment in loc in 2026.
func at(loc *time.Location, month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, loc)
}

func inv(id int64, due Date, minor int64) Item {
	return Item{InvoiceID: id, Number: fmt.Sprintf("F-%d", id), DueDate: due, OpenMinor: minor,
		Status: domain.StatusOpen, ScenarioID: testScenarioID}
}

// account is a French customer in Paris, with an email address and a phone,
// whose items run on sc.
func account(sc Scenario, items ...Item) Account {
	sc.ID = testScenarioID
	return Account{
		CustomerID: 42, Country: "FR", TimeZone: "Europe/Paris", RiskClass: "medium",
		Currency: money.MustCurrency("EUR"), Items: items,
		Scenarios: map[int64]Scenario{testScenarioID: sc},
		HasEmail:  true, HasPhone: true,
	}
}

func scenario(steps ...Step) Scenario {
	return Scenario{ID: testScenarioID, Version: 3, Name: "test", Steps: steps}
}

func email(offset int, tmpl string) Step {
	return Step{OffsetDays: offset, Channel: domain.ChannelEmail, Template: tmpl}
}

// line renders an action the way the expectations read:
// "Mon 2026-03-02 09:00 email reminder_due [1 2]", with " r1" when a repeat
// and "(r1 0)" per invoice when repeats differ.
func line(a Action, loc *time.Location) string {
	name := a.Step.Template
	if a.Channel == domain.ChannelTask || a.Channel == domain.ChannelEscalation {
		name = string(a.Step.AssigneeRole)
	}
	s := fmt.Sprintf("%s %s %s %v", a.At.In(loc).Format("Mon 2006-01-02 15:04"), a.Channel, name, a.InvoiceIDs)
	mixed := false
	for _, r := range a.Repeats {
		mixed = mixed || r != a.Repeat
	}
	switch {
	case mixed:
		s += fmt.Sprintf(" r%v", a.Repeats)
	case a.Repeat > 0:
		s += fmt.Sprintf(" r%d", a.Repeat)
	}
	return s
}

func lines(as []Action, loc *time.Location) []string {
	var out []string
	for _, a := range as {
		out = append(out, line(a, loc))
	}
	return out
}

// run evaluates like the workflow from `from` until `until`, waking at each
// Next, and returns every action taken.
func run(a Account, s State, from, until time.Time) ([]Action, State) {
	var out []Action
	for t, n := from, 0; !t.IsZero() && t.Before(until); n++ {
		if n > 10_000 {
			panic("the planner does not move forward: Next " + t.String())
		}
		p := PlanAt(a, s, t)
		if !p.Next.IsZero() && !p.Next.After(t) {
			panic("Next " + p.Next.String() + " is not after now " + t.String())
		}
		out = append(out, p.Due...)
		s = p.State
		a = ApplyEscalations(a, p.Due)
		t = p.Next
	}
	return out, s
}

func requireTime(t *testing.T, want, got time.Time, msgAndArgs ...any) {
	t.Helper()
	require.Truef(t, want.Equal(got), "want %s, got %s %s", want.Format(time.RFC3339), got.Format(time.RFC3339),
		strings.TrimSpace(fmt.Sprint(msgAndArgs...)))
}
