package dunning

import (
	"slices"

	"recoup/domain"
)

// State is what the workflow carries between evaluations and across
// continue-as-new: one Stage per invoice that has passed a step. It is small
// and JSON-friendly; its map is only ever looked up, never ranged over in an
// order that could reach the output.
type State struct {
	Stages map[int64]Stage `json:"stages,omitempty"`
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
}

// Cycle is the repeat count of one fired step, named by (Offset, Channel).
type Cycle struct {
	Offset  int            `json:"offset"`
	Channel domain.Channel `json:"channel"`
	Done    int            `json:"done"` // repeats passed (fired or skipped by a condition)
	Last    Date           `json:"last"` // local date it last fired; the next repeat counts from it
}

func (st Stage) clone() Stage {
	st.Cycles = slices.Clone(st.Cycles)
	return st
}

func (st *Stage) dropCycles(ch domain.Channel) {
	st.Cycles = slices.DeleteFunc(st.Cycles, func(c Cycle) bool { return c.Channel == ch })
}
