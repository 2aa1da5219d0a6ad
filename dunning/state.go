package dunning

import (
	"cmp"
	"slices"
	"strings"

	"recoup/domain"
)

// State is what the workflow carries between evaluations and across
// continue-as-new: one Stage per invoice that has passed a step. It is small
// and JSON-friendly; its map is only ever looked up, never ranged over in an
// order that could reach the output.
type State struct {
	Stages map[int64]Stage `json:"stages,omitempty"`
	// LastContact is the local date of the last message on each reminder
	// channel (RulesStatement): the contact pressure counts from it.
	LastContact map[domain.Channel]Date `json:"last_contact,omitempty"`
}

// Stage is where one invoice stands in its scenario.
type Stage struct {
	ScenarioID int64 `json:"scenario_id"`
	// Through is the OffsetDays of the last step passed (fired or skipped):
	// steps at or before it never fire again. An offset rather than an index,
	// so a scenario edit that inserts or removes steps keeps its meaning.
	Through int `json:"through"`
	// Cycles are the repeating steps that fired and have repeats left.
	Cycles []Cycle `json:"cycles,omitempty"`
	// Done and Waiting are step ids (RulesStatement), sorted. Done: steps
	// passed (fired or skipped), whatever their offset now, so a step moved
	// later does not fire again. Waiting: steps that came due while reminders
	// could not go out (contact gap, credits, threshold, MessagesWait); they
	// stay pending below Through. A step not in either is pending when its
	// offset is after Through, so a step added at an offset the invoice has
	// passed does not catch up. A state written before ids (both empty) means
	// what it meant: steps at or before Through are passed.
	Done    []string `json:"done,omitempty"`
	Waiting []string `json:"waiting,omitempty"`
}

// Cycle is the repeat count of one fired step, named by (Offset, Channel).
type Cycle struct {
	// StepID names the step (RulesStatement); empty in older state, where
	// (Offset, Channel) does.
	StepID  string         `json:"step_id,omitempty"`
	Offset  int            `json:"offset"`
	Channel domain.Channel `json:"channel"`
	Done    int            `json:"done"` // repeats passed (fired or skipped by a condition)
	Last    Date           `json:"last"` // local date it last fired; the next repeat counts from it
}

// keep records st as the stage of invoice id; n sizes the map.
func (s *State) keep(id int64, st Stage, n int) {
	if s.Stages == nil {
		s.Stages = make(map[int64]Stage, n)
	}
	s.Stages[id] = st
}

// ended reports whether the cycle has nothing left to repeat: its step
// (nil when edited away) does not repeat, or its repeats are used up.
func (c Cycle) ended(step *Step) bool {
	return step == nil || step.RepeatEveryDays <= 0 || c.Done >= step.MaxRepeats
}

func (st Stage) clone() Stage {
	st.Cycles = slices.Clone(st.Cycles)
	// Done and Waiting are shared with the input: the planner copies them
	// before it changes them.
	st.Done = slices.Clip(st.Done)
	st.Waiting = slices.Clip(st.Waiting)
	return st
}

// setCycles sets the cycles in (Offset, Channel) order; none is nil.
func (st *Stage) setCycles(cycles []Cycle) {
	if len(cycles) == 0 {
		cycles = nil
	}
	slices.SortFunc(cycles, func(x, y Cycle) int {
		return cmp.Or(cmp.Compare(x.Offset, y.Offset), strings.Compare(string(x.Channel), string(y.Channel)))
	})
	st.Cycles = cycles
}

func (st *Stage) dropCycles(ch domain.Channel) {
	st.Cycles = slices.DeleteFunc(st.Cycles, func(c Cycle) bool { return c.Channel == ch })
}
