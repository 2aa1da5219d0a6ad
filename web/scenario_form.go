package web

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
)

// stepForm is one row of the step editor as typed: strings, so that a wrong
// number comes back to the user as they typed it.
type stepForm struct {
	ID              string // hidden: the step keeps its identity across edits
	Channel         string
	OffsetDays      string
	Template        string
	AssigneeRole    string
	TaskDueHours    string
	RepeatEveryDays string
	MaxRepeats      string
	MinOverdueMinor string // minor units of the account's currency (cents for EUR)
	RiskClasses     string // comma-separated
}

// scenarioForm is the step editor's form. Its input names are the API's
// field names (name, default, steps[2].offset_days), so a use case's field
// errors land next to their input.
type scenarioForm struct {
	Name    string
	Default bool
	Steps   []stepForm
	// MinDays is the contact pressure per reminder channel as typed ("":
	// the default); the two flags are the other settings.
	MinDays             map[domain.Channel]string
	ReleaseCreditHold   bool
	RemindBeforePromise bool
}

// settingsChannels are the channels of the contact pressure inputs.
var settingsChannels = []domain.Channel{domain.ChannelEmail, domain.ChannelSMS, domain.ChannelVoice}

// maxFormSteps bounds the rows one post may carry.
const maxFormSteps = 200

var stepKeyRE = regexp.MustCompile(`^steps\[(\d{1,4})\]\.`)

// parseScenarioForm reads the editor's rows in the order of their indexes.
func parseScenarioForm(form url.Values) scenarioForm {
	f := scenarioForm{Name: strings.TrimSpace(form.Get("name")), Default: form.Get("default") == "on",
		MinDays:           map[domain.Channel]string{},
		ReleaseCreditHold: form.Get("settings.release_credit_hold") == "on", RemindBeforePromise: form.Get("settings.remind_before_promise") == "on"}
	for _, ch := range settingsChannels {
		f.MinDays[ch] = strings.TrimSpace(form.Get("settings.min_days_between." + string(ch)))
	}
	var idx []int
	for k := range form {
		if m := stepKeyRE.FindStringSubmatch(k); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && !slices.Contains(idx, i) {
				idx = append(idx, i)
			}
		}
	}
	slices.Sort(idx)
	if len(idx) > maxFormSteps {
		idx = idx[:maxFormSteps]
	}
	for _, i := range idx {
		get := func(name string) string { return strings.TrimSpace(form.Get("steps[" + strconv.Itoa(i) + "]." + name)) }
		f.Steps = append(f.Steps, stepForm{ID: get("id"), Channel: get("channel"), OffsetDays: get("offset_days"), Template: get("template"),
			AssigneeRole: get("assignee_role"), TaskDueHours: get("task_due_hours"), RepeatEveryDays: get("repeat_every_days"),
			MaxRepeats: get("max_repeats"), MinOverdueMinor: get("min_overdue_minor"), RiskClasses: get("risk_classes")})
	}
	return f
}

// scenarioFormOf is the editor's form for stored steps and settings.
func scenarioFormOf(name string, steps []dunning.Step, settings dunning.Settings) scenarioForm {
	f := scenarioForm{Name: name, MinDays: map[domain.Channel]string{}, ReleaseCreditHold: settings.ReleaseCreditHold,
		RemindBeforePromise: settings.RemindBeforePromise}
	for ch, d := range settings.MinDaysBetween {
		f.MinDays[ch] = strconv.Itoa(d)
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	for _, st := range steps {
		sf := stepForm{ID: st.ID, Channel: string(st.Channel), OffsetDays: strconv.Itoa(st.OffsetDays), Template: st.Template,
			AssigneeRole: string(st.AssigneeRole), TaskDueHours: num(st.TaskDueHours), RepeatEveryDays: num(st.RepeatEveryDays),
			MaxRepeats: num(st.MaxRepeats), RiskClasses: strings.Join(st.RiskClasses, ", ")}
		if st.MinOverdueMinor != 0 {
			sf.MinOverdueMinor = strconv.FormatInt(st.MinOverdueMinor, 10)
		}
		f.Steps = append(f.Steps, sf)
	}
	return f
}

// edit applies an editor button (add, remove:i, up:i, down:i) and reports
// whether it was one; the form is shown again, unsaved.
func (f *scenarioForm) edit(do string) bool {
	op, arg, _ := strings.Cut(do, ":")
	if op == "add" {
		if len(f.Steps) >= maxFormSteps {
			return true
		}
		next := stepForm{Channel: string(domain.ChannelEmail), OffsetDays: "0"}
		if n := len(f.Steps); n > 0 {
			if last, err := strconv.Atoi(f.Steps[n-1].OffsetDays); err == nil {
				next.OffsetDays = strconv.Itoa(last + 7)
			}
		}
		f.Steps = append(f.Steps, next)
		return true
	}
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(f.Steps) {
		return op == "remove" || op == "up" || op == "down" // a stale button: show the form as it is
	}
	switch op {
	case "remove":
		f.Steps = slices.Delete(f.Steps, i, i+1)
	case "up":
		if i > 0 {
			f.Steps[i-1], f.Steps[i] = f.Steps[i], f.Steps[i-1]
		}
	case "down":
		if i+1 < len(f.Steps) {
			f.Steps[i], f.Steps[i+1] = f.Steps[i+1], f.Steps[i]
		}
	default:
		return false
	}
	return true
}

// numberError is a row's field that is not a whole number.
type numberError struct {
	Field string // steps[i].offset_days
	Value string
}

// request turns the form into the use case's input, with the fields that
// are not whole numbers (the use case checks the rest).
func (f scenarioForm) request() (app.ScenarioRequest, []numberError) {
	req := app.ScenarioRequest{Name: f.Name, Default: f.Default, Steps: []dunning.Step{},
		Settings: dunning.Settings{ReleaseCreditHold: f.ReleaseCreditHold, RemindBeforePromise: f.RemindBeforePromise}}
	var bad []numberError
	for _, ch := range settingsChannels {
		v := f.MinDays[ch]
		if v == "" {
			continue // the default
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = append(bad, numberError{"settings.min_days_between." + string(ch), v})
			continue
		}
		if req.Settings.MinDaysBetween == nil {
			req.Settings.MinDaysBetween = map[domain.Channel]int{}
		}
		req.Settings.MinDaysBetween[ch] = n
	}
	for i, sf := range f.Steps {
		field := func(name string) string { return "steps[" + strconv.Itoa(i) + "]." + name }
		atoi := func(name, v string) int {
			if v == "" {
				return 0
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				bad = append(bad, numberError{field(name), v})
			}
			return n
		}
		st := dunning.Step{ID: sf.ID, Channel: domain.Channel(sf.Channel), Template: sf.Template, AssigneeRole: domain.Assignee(sf.AssigneeRole),
			OffsetDays: atoi("offset_days", sf.OffsetDays), TaskDueHours: atoi("task_due_hours", sf.TaskDueHours),
			RepeatEveryDays: atoi("repeat_every_days", sf.RepeatEveryDays), MaxRepeats: atoi("max_repeats", sf.MaxRepeats)}
		if sf.MinOverdueMinor != "" {
			n, err := strconv.ParseInt(sf.MinOverdueMinor, 10, 64)
			if err != nil {
				bad = append(bad, numberError{field("min_overdue_minor"), sf.MinOverdueMinor})
			}
			st.MinOverdueMinor = n
		}
		for rc := range strings.SplitSeq(sf.RiskClasses, ",") {
			if rc = strings.TrimSpace(rc); rc != "" {
				st.RiskClasses = append(st.RiskClasses, rc)
			}
		}
		req.Steps = append(req.Steps, st)
	}
	return req, bad
}

// Value is the field of the row named by its input name, for the editor's number columns.
func (s stepForm) Value(field string) string {
	switch field {
	case "task_due_hours":
		return s.TaskDueHours
	case "repeat_every_days":
		return s.RepeatEveryDays
	case "max_repeats":
		return s.MaxRepeats
	case "min_overdue_minor":
		return s.MinOverdueMinor
	}
	return ""
}

// MinDaysOf is the typed contact pressure of a channel, for the editor.
func (f scenarioForm) MinDaysOf(ch string) string { return f.MinDays[domain.Channel(ch)] }

// DefaultMinDays is the default contact pressure of a channel, the input's placeholder.
func (f scenarioForm) DefaultMinDays(ch string) int {
	return dunning.DefaultMinDaysBetween[domain.Channel(ch)]
}
