package dunning

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"recoup/domain"
)

// maxTaskDueHours bounds a task deadline (and keeps hours × time.Hour from overflowing).
const maxTaskDueHours = 24 * 366

// Step is one action of a scenario. Within a scenario a step is identified by
// (OffsetDays, Channel): that pair names it in idempotency keys and repeat
// state, so a credit manager can edit a template or insert a step without
// disturbing what running invoices have already received.
type Step struct {
	// ID is the step's identity across scenario versions (RulesStatement):
	// given once when the step is first saved (AssignStepIDs) and kept by
	// every later edit, so moving a step does not make it new. Empty (a
	// version saved before ids): derived from (OffsetDays, Channel), which is
	// what AssignStepIDs gives it too.
	ID string `json:"id,omitempty"`
	// OffsetDays from the invoice's due date, in calendar days of the
	// account's time zone; negative is before the due date.
	OffsetDays int            `json:"offset_days"`
	Channel    domain.Channel `json:"channel"`
	// Template names the message (required for email, sms and voice; for a
	// task or an escalation it may name the task's description).
	Template string `json:"template,omitempty"`
	// RepeatEveryDays and MaxRepeats repeat the step while the invoice stays
	// unpaid: the next repeat is RepeatEveryDays after the day it last fired.
	RepeatEveryDays int `json:"repeat_every_days,omitempty"`
	MaxRepeats      int `json:"max_repeats,omitempty"`
	// MinOverdueMinor: the account's total overdue amount, in minor units of
	// the account's currency, must reach it. 0: no condition.
	MinOverdueMinor int64 `json:"min_overdue_minor,omitempty"`
	// RiskClasses: the customer's risk class must be one of them (case
	// insensitive). Empty: no condition.
	RiskClasses []string `json:"risk_classes,omitempty"`
	// AssigneeRole and TaskDueHours are for task and escalation steps.
	AssigneeRole domain.Assignee `json:"assignee_role,omitempty"`
	TaskDueHours int             `json:"task_due_hours,omitempty"`
}

// Scenario is an ordered list of steps applied to each invoice assigned to it.
type Scenario struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	Name    string `json:"name"`
	Steps   []Step `json:"steps"`
	// Settings are the version's rules beyond its steps.
	Settings Settings `json:"settings,omitzero"`
}

// Settings are a scenario's rules beyond its steps, stored with each version.
type Settings struct {
	// MinDaysBetween is the contact pressure: per reminder channel, the least
	// number of days between two messages to the account. Absent: the
	// default (DefaultMinDaysBetween); 0 means no gap.
	MinDaysBetween map[domain.Channel]int `json:"min_days_between,omitempty"`
	// ReleaseCreditHold lifts a credit hold put by a step once nothing is overdue.
	ReleaseCreditHold bool `json:"release_credit_hold,omitempty"`
	// RemindBeforePromise sends the customer a reminder the day before a
	// promised date or a plan's instalment.
	RemindBeforePromise bool `json:"remind_before_promise,omitempty"`
}

// DefaultMinDaysBetween is the contact pressure when a scenario sets none for a channel.
var DefaultMinDaysBetween = map[domain.Channel]int{domain.ChannelEmail: 3, domain.ChannelSMS: 7, domain.ChannelVoice: 7}

// Offsets are bounded so date arithmetic stays meaningful and a typo (3000
// instead of 30) is caught.
const (
	MinOffsetDays = -365
	MaxOffsetDays = 3650
	MaxRepeats    = 1000
)

// Validate checks a scenario and returns every problem found, each a
// domain.FieldError naming the field ("steps[2].offset_days: ..."), joined.
func (s Scenario) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, domain.FieldError(field, format, args...))
	}
	if strings.TrimSpace(s.Name) == "" {
		add("name", "required")
	}
	if s.Version < 0 {
		add("version", "%d is negative", s.Version)
	}
	if len(s.Steps) == 0 {
		add("steps", "a scenario needs at least one step")
	}
	type ident struct {
		offset int
		ch     domain.Channel
	}
	seen := make(map[ident]int, len(s.Steps))
	ids := make(map[string]int, len(s.Steps))
	for i, st := range s.Steps {
		f := func(name string) string { return "steps[" + strconv.Itoa(i) + "]." + name }
		if st.OffsetDays < MinOffsetDays || st.OffsetDays > MaxOffsetDays {
			add(f("offset_days"), "%d is out of range (%d to %d)", st.OffsetDays, MinOffsetDays, MaxOffsetDays)
		}
		if i > 0 && st.OffsetDays < s.Steps[i-1].OffsetDays {
			add(f("offset_days"), "%d comes after %d: steps must be in order", st.OffsetDays, s.Steps[i-1].OffsetDays)
		}
		switch {
		case st.Channel == "":
			add(f("channel"), "required (%s)", domain.Choices(domain.Channels))
		case !st.Channel.Valid():
			add(f("channel"), "%q is unknown: want %s", st.Channel, domain.Choices(domain.Channels))
		}
		if st.Channel.IsReminder() && strings.TrimSpace(st.Template) == "" {
			add(f("template"), "required for %s steps", st.Channel)
		}
		needsAssignee := st.Channel == domain.ChannelTask || st.Channel == domain.ChannelEscalation
		switch {
		case needsAssignee && st.AssigneeRole == "":
			add(f("assignee_role"), "required for %s steps (%s)", st.Channel, domain.Choices(domain.Assignees))
		case st.AssigneeRole != "" && !st.AssigneeRole.Valid():
			_, err := domain.ParseAssignee(f("assignee_role"), string(st.AssigneeRole))
			errs = append(errs, err)
		case st.AssigneeRole != "" && !needsAssignee && st.Channel.Valid():
			add(f("assignee_role"), "only task and escalation steps have an assignee, not %s", st.Channel)
		}
		switch {
		case st.TaskDueHours < 0:
			add(f("task_due_hours"), "%d is negative", st.TaskDueHours)
		case st.TaskDueHours > maxTaskDueHours:
			add(f("task_due_hours"), "%d is more than a year (%d hours)", st.TaskDueHours, maxTaskDueHours)
		case st.TaskDueHours > 0 && !needsAssignee && st.Channel.Valid():
			add(f("task_due_hours"), "only task and escalation steps have a due time, not %s", st.Channel)
		}
		switch {
		case st.RepeatEveryDays < 0:
			add(f("repeat_every_days"), "%d is negative", st.RepeatEveryDays)
		case st.MaxRepeats < 0:
			add(f("max_repeats"), "%d is negative", st.MaxRepeats)
		case st.RepeatEveryDays > 0 && st.MaxRepeats == 0:
			add(f("max_repeats"), "required when repeat_every_days is set: repeats must end")
		case st.MaxRepeats > 0 && st.RepeatEveryDays == 0:
			add(f("repeat_every_days"), "required when max_repeats is set")
		case st.MaxRepeats > MaxRepeats:
			add(f("max_repeats"), "%d is more than %d", st.MaxRepeats, MaxRepeats)
		}
		if st.MinOverdueMinor < 0 {
			add(f("min_overdue_minor"), "%d is negative", st.MinOverdueMinor)
		}
		for j, rc := range st.RiskClasses {
			if strings.TrimSpace(rc) == "" {
				add(f("risk_classes["+strconv.Itoa(j)+"]"), "empty")
			}
		}
		if st.ID != "" {
			if !validStepID(st.ID) {
				add(f("id"), "%q: want 1 to 40 letters, digits, '-' or '_'", st.ID)
			} else if prev, dup := ids[st.ID]; dup {
				add(f("id"), "%q is also the id of steps[%d]: step ids are unique in a scenario", st.ID, prev)
			} else {
				ids[st.ID] = i
			}
		}
		id := ident{st.OffsetDays, st.Channel}
		if prev, dup := seen[id]; dup {
			add("steps["+strconv.Itoa(i)+"]", "same offset_days (%d) and channel (%s) as steps[%d]: a step is identified by both", st.OffsetDays, st.Channel, prev)
		} else {
			seen[id] = i
		}
	}
	errs = append(errs, s.Settings.validate()...)
	return errors.Join(errs...)
}

// MaxMinDaysBetween bounds the contact pressure setting.
const MaxMinDaysBetween = 365

// validate checks the settings, naming each field
// ("settings.min_days_between.email").
func (st Settings) validate() []error {
	var errs []error
	for _, ch := range slices.Sorted(maps.Keys(st.MinDaysBetween)) {
		f := "settings.min_days_between." + string(ch)
		switch d := st.MinDaysBetween[ch]; {
		case !ch.IsReminder():
			errs = append(errs, domain.FieldError(f, "%q is not a reminder channel: want email, sms or voice", ch))
		case d < 0 || d > MaxMinDaysBetween:
			errs = append(errs, domain.FieldError(f, "%d is out of range (0 to %d)", d, MaxMinDaysBetween))
		}
	}
	return errs
}

// DefaultScenario is the scenario an account gets when no rule picks another:
//
//	-5  email reminder_courtesy (before due)
//	 0  email reminder_due
//	+7  email reminder_1
//	+15 email reminder_2
//	+29 email reminder_repeat, then every 14 days, 5 more times (+43 ... +99)
//	+30 task for the agent: call the customer (due in 48 h)
//	+45 escalation to the credit manager (due in 72 h)
//
// The fortnightly reminder is a step of its own (not a repeat of +15) so it
// has its own template; in practice the +45 escalation stops it after +43
// until someone de-escalates the invoice.
func DefaultScenario() Scenario {
	return Scenario{
		ID:      0,
		Version: 1,
		Name:    "Default",
		Steps: []Step{
			{OffsetDays: -5, Channel: domain.ChannelEmail, Template: "reminder_courtesy"},
			{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "reminder_due"},
			{OffsetDays: 7, Channel: domain.ChannelEmail, Template: "reminder_1"},
			{OffsetDays: 15, Channel: domain.ChannelEmail, Template: "reminder_2"},
			{OffsetDays: 29, Channel: domain.ChannelEmail, Template: "reminder_repeat", RepeatEveryDays: 14, MaxRepeats: 5},
			{OffsetDays: 30, Channel: domain.ChannelTask, Template: "call_customer", AssigneeRole: domain.AssigneeAgent, TaskDueHours: 48},
			{OffsetDays: 45, Channel: domain.ChannelEscalation, Template: "escalation_review", AssigneeRole: domain.AssigneeCreditManager, TaskDueHours: 72},
		},
	}
}

func (s *Scenario) find(offset int, ch domain.Channel) *Step {
	for i := range s.Steps {
		if s.Steps[i].OffsetDays == offset && s.Steps[i].Channel == ch {
			return &s.Steps[i]
		}
	}
	return nil
}

func (s *Scenario) indexOf(step *Step) int {
	for i := range s.Steps {
		if &s.Steps[i] == step {
			return i
		}
	}
	return -1
}

// AssignStepIDs gives every step without an id one, unique within the
// scenario: "<channel>-<offset>" ("email-7", "email-m5" for -5), with a
// suffix when taken. Steps that have an id keep it, so an id is derived
// once, when the step is first saved, and survives moves. The planner
// derives the same ids for a version saved before ids existed.
func (s *Scenario) AssignStepIDs() {
	if !slices.ContainsFunc(s.Steps, func(st Step) bool { return st.ID == "" }) {
		return
	}
	steps := slices.Clone(s.Steps)
	taken := make(map[string]bool, len(steps))
	for _, st := range steps {
		if st.ID != "" {
			taken[st.ID] = true
		}
	}
	for i := range steps {
		if steps[i].ID != "" {
			continue
		}
		base := DerivedStepID(steps[i].OffsetDays, steps[i].Channel)
		id := base
		for n := 2; taken[id]; n++ {
			id = base + "-" + strconv.Itoa(n)
		}
		taken[id] = true
		steps[i].ID = id
	}
	s.Steps = steps
}

// DerivedStepID is the id a step without one gets: its channel and offset.
func DerivedStepID(offset int, ch domain.Channel) string {
	o := strconv.Itoa(offset)
	if offset < 0 {
		o = "m" + strconv.Itoa(-offset)
	}
	return string(ch) + "-" + o
}

func validStepID(id string) bool {
	if len(id) == 0 || len(id) > 40 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
