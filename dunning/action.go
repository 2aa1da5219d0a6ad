package dunning

import (
	"slices"
	"time"

	"recoup/domain"
)

// Action is one thing to do now: a message, a task, an escalation, a credit
// hold, for one or several invoices of the account.
type Action struct {
	At              time.Time      `json:"at"`
	ScenarioID      int64          `json:"scenario_id"`
	ScenarioVersion int            `json:"scenario_version"`
	StepIndex       int            `json:"step_index"` // in that version's Steps
	Step            Step           `json:"step"`
	Channel         domain.Channel `json:"channel"`
	InvoiceIDs      []int64        `json:"invoice_ids"` // sorted
	// Repeats[i] is the repeat number for InvoiceIDs[i] (0: the step's first
	// firing); Repeat is the largest of them.
	Repeats []int `json:"repeats"`
	Repeat  int   `json:"repeat"`
	// Covered lists every (invoice, step, repeat) a merged message covers
	// (RulesStatement), sorted; each counts as done for its invoice. Step,
	// StepIndex and the scenario fields are then those of the most advanced
	// of them (see PlanAt). Empty for tasks and escalations and with Rules 0.
	Covered []Covered `json:"covered,omitempty"`
	// Key is the idempotency key the message log uses as a unique key.
	Key string `json:"key"`
	// TaskDue is At + Step.TaskDueHours for tasks and escalations.
	TaskDue time.Time `json:"task_due,omitzero"`
	// Fallback: the account has no email address (email step) or no phone
	// (sms, voice step); the activity will pick another channel.
	Fallback bool `json:"fallback,omitempty"`
}

// Covered is one invoice's step in a merged message.
type Covered struct {
	InvoiceID  int64  `json:"invoice_id"`
	ScenarioID int64  `json:"scenario_id"`
	StepID     string `json:"step_id"`
	Repeat     int    `json:"repeat"`
}

// ApplyEscalations returns a with Escalated set on the invoices of the
// escalation actions in due: what the next account snapshot shows once they
// are executed (their tasks are open), for Preview, which loads no snapshot.
func ApplyEscalations(a Account, due []Action) Account {
	var ids []int64
	for _, ac := range due {
		if ac.Channel == domain.ChannelEscalation {
			ids = append(ids, ac.InvoiceIDs...)
		}
	}
	if len(ids) == 0 {
		return a
	}
	items := slices.Clone(a.Items)
	for i := range items {
		if slices.Contains(ids, items[i].InvoiceID) {
			items[i].Escalated = true
		}
	}
	a.Items = items
	return a
}
