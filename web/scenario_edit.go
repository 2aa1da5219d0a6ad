package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
)

// The editor's choices, in the order the selects show them.
var (
	stepChannels = domain.Channels
	stepRoles    = domain.Assignees
)

// templateChoice is a template name of the effective set and its channels.
type templateChoice struct {
	Name     string
	Channels string // "email, sms"
}

// stepRow is one row of the editor (or of the read-only view).
type stepRow struct {
	Index         int
	Step          stepForm
	Line          string            // the step in words, for the read-only view
	Err           map[string]string // by field (offset_days, template...)
	RowErr        string            // about the whole step (a duplicate)
	OtherTemplate bool              // its template is not in the effective set: offered as well
}

type scenarioEditData struct {
	Scenario  store.ScenarioVersion // zero for a new scenario
	Form      scenarioForm
	Rows      []stepRow
	Errors    fieldErrors
	Editable  bool // the editor, not the read-only view
	Action    string
	Channels  []domain.Channel
	Roles     []domain.Assignee
	Templates []templateChoice
	Impact    *app.ScenarioImpact // what the edited steps would change, when asked (do=impact)
}

// scenarioNew shows the editor for a new scenario, with one step to fill in.
func (h *Handler) scenarioNew(r *request) error {
	f := scenarioForm{}
	f.edit("add")
	return h.scenarioEditor(r, http.StatusOK, store.ScenarioVersion{}, f, fieldErrors{})
}

// scenarioShow shows a scenario (?version=N: that version): the editor for
// whom may change it, else the steps in words.
func (h *Handler) scenarioShow(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.c.Query("version"))
	sc, err := h.app.Scenario(r.c.Request.Context(), r.who, id, max(version, 0))
	if err != nil {
		return err
	}
	steps, err := decodeSteps(sc)
	if err != nil {
		return err
	}
	var settings dunning.Settings
	if len(sc.Settings) > 0 {
		if err := json.Unmarshal(sc.Settings, &settings); err != nil {
			return err
		}
	}
	return h.scenarioEditor(r, http.StatusOK, sc, scenarioFormOf(sc.Name, steps, settings), fieldErrors{})
}

// scenarioCreate is the new scenario's editor posting: an editing button, or save.
func (h *Handler) scenarioCreate(r *request) error { return h.scenarioSave(r, 0) }

// scenarioUpdate is a scenario's editor posting: an editing button, or save (a new version).
func (h *Handler) scenarioUpdate(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.scenarioSave(r, id)
}

func (h *Handler) scenarioSave(r *request, id int64) error {
	ctx := r.c.Request.Context()
	var current store.ScenarioVersion
	if id > 0 {
		var err error
		if current, err = h.app.Scenario(ctx, r.who, id, 0); err != nil {
			return err
		}
	}
	if err := r.c.Request.ParseForm(); err != nil {
		return domain.Errorf(domain.CodeInvalid, "unreadable form")
	}
	f := parseScenarioForm(r.c.Request.PostForm)
	if r.c.PostForm("do") == "impact" && id > 0 {
		return h.scenarioImpact(r, id, current, f)
	}
	if do := r.c.PostForm("do"); do != "save" && f.edit(do) {
		return h.scenarioEditor(r, http.StatusOK, current, f, fieldErrors{})
	}
	req, fe := h.scenarioRequest(r, f)
	if len(fe.Summary) > 0 {
		return h.scenarioEditor(r, http.StatusBadRequest, current, f, fe)
	}
	var (
		saved store.ScenarioVersion
		err   error
	)
	if id == 0 {
		saved, err = h.app.CreateScenario(ctx, r.who, req)
	} else {
		saved, err = h.app.UpdateScenario(ctx, r.who, id, req)
	}
	if status, fe, ok := scenarioRefusal(err); ok {
		return h.scenarioEditor(r, status, current, f, fe)
	}
	if err != nil {
		return err
	}
	return h.done(r, fmt.Sprintf("/scenarios/%d", saved.ScenarioID), h.t(r, "scenario.saved", saved.Name, saved.Version))
}

// scenarioRequest is the form's request, or the editor's errors for the
// numbers it could not read.
func (h *Handler) scenarioRequest(r *request, f scenarioForm) (app.ScenarioRequest, fieldErrors) {
	req, bad := f.request()
	var fe fieldErrors
	for _, b := range bad {
		fe.add(b.Field, h.t(r, "scenario.error.number", b.Field, b.Value))
	}
	return req, fe
}

// scenarioRefusal is the status and errors to show the editor with when a use
// case refused the form (an invalid field, a conflict); ok is false for any
// other error.
func scenarioRefusal(err error) (status int, fe fieldErrors, ok bool) {
	if fe, ok := formError(err); ok {
		return http.StatusBadRequest, fe, true
	}
	if de := (*domain.Error)(nil); errors.As(err, &de) && de.Code == domain.CodeConflict {
		return http.StatusConflict, fieldErrors{Summary: []string{de.Message}}, true
	}
	return 0, fieldErrors{}, false
}

// stepFieldRE splits a step's field error: steps[2].template, steps[2], steps[2].risk_classes[0].
var stepFieldRE = regexp.MustCompile(`^steps\[(\d+)\](?:\.([a-z_]+))?`)

// scenarioEditor renders the editor (or the read-only view) with errors filed by row.
func (h *Handler) scenarioEditor(r *request, status int, sc store.ScenarioVersion, f scenarioForm, fe fieldErrors) error {
	d := scenarioEditData{Scenario: sc, Form: f, Errors: fe, Channels: stepChannels, Roles: stepRoles, Action: "/scenarios/new",
		Editable: auth.Allows(r.who, auth.ScenariosWrite) && !sc.Archived && sc.Version == sc.CurrentVersion}
	if sc.ScenarioID > 0 {
		d.Action = fmt.Sprintf("/scenarios/%d", sc.ScenarioID)
	}
	known := map[string]bool{}
	if d.Editable {
		list, err := h.app.Templates(r.c.Request.Context(), r.who, app.TemplateQuery{})
		if err != nil {
			return err
		}
		for _, t := range list {
			n := len(d.Templates)
			switch {
			case n > 0 && d.Templates[n-1].Name == t.Name:
				if !strings.Contains(d.Templates[n-1].Channels, string(t.Channel)) {
					d.Templates[n-1].Channels += ", " + string(t.Channel)
				}
			default:
				d.Templates = append(d.Templates, templateChoice{Name: t.Name, Channels: string(t.Channel)})
			}
			known[t.Name] = true
		}
	}
	req, _ := f.request()
	for i, sf := range f.Steps {
		row := stepRow{Index: i, Step: sf, Err: map[string]string{}, OtherTemplate: sf.Template != "" && !known[sf.Template]}
		row.Line = stepLine(func(key string, args ...any) string { return h.t(r, key, args...) }, req.Steps[i])
		d.Rows = append(d.Rows, row)
	}
	for field, msg := range fe.ByField {
		m := stepFieldRE.FindStringSubmatch(field)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(d.Rows) {
			continue
		}
		if m[2] == "" {
			d.Rows[i].RowErr = msg
		} else if _, seen := d.Rows[i].Err[m[2]]; !seen {
			d.Rows[i].Err[m[2]] = msg
		}
	}
	title := "scenario.new.title"
	if sc.ScenarioID > 0 {
		title = "scenario.edit.title"
	}
	d.Impact = impactOf(r)
	h.render(r.c, status, "scenario_edit", h.newPage(r, title, "nav.scenarios", d))
	return nil
}

// stepLine is a step in words, one line: "+7 days · Email · reminder_1 · every 14 days ×5".
func stepLine(t func(key string, args ...any) string, st dunning.Step) string {
	parts := []string{t("scenario.line.offset", st.OffsetDays)}
	if slices.Contains(stepChannels, st.Channel) {
		parts = append(parts, t("scenario.channel."+string(st.Channel)))
	} else {
		parts = append(parts, string(st.Channel))
	}
	if st.Template != "" {
		parts = append(parts, st.Template)
	}
	if st.AssigneeRole != "" {
		role := string(st.AssigneeRole)
		if st.AssigneeRole.Valid() {
			role = t("scenario.role." + role)
		}
		if st.TaskDueHours > 0 {
			parts = append(parts, t("scenario.line.assignee_due", role, st.TaskDueHours))
		} else {
			parts = append(parts, t("scenario.line.assignee", role))
		}
	}
	if st.RepeatEveryDays > 0 || st.MaxRepeats > 0 {
		parts = append(parts, t("scenario.line.repeat", st.RepeatEveryDays, st.MaxRepeats))
	}
	if st.MinOverdueMinor > 0 {
		parts = append(parts, t("scenario.line.min_overdue", st.MinOverdueMinor))
	}
	if len(st.RiskClasses) > 0 {
		parts = append(parts, t("scenario.line.risk", strings.Join(st.RiskClasses, ", ")))
	}
	return strings.Join(parts, " · ")
}
