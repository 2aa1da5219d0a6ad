package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

func TestDiffLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b []string
		want []diffRow
	}{
		{"both empty", nil, nil, nil},
		{"same", []string{"x", "y"}, []string{"x", "y"}, []diffRow{{Left: "x", Right: "x"}, {Left: "y", Right: "y"}}},
		{"a line added in the middle", []string{"a", "c"}, []string{"a", "b", "c"},
			[]diffRow{{Left: "a", Right: "a"}, {Right: "b", Kind: "ins"}, {Left: "c", Right: "c"}}},
		{"a line removed at the end", []string{"a", "b"}, []string{"a"},
			[]diffRow{{Left: "a", Right: "a"}, {Left: "b", Kind: "del"}}},
		{"a line changed faces its replacement", []string{"a", "b", "c"}, []string{"a", "B", "c"},
			[]diffRow{{Left: "a", Right: "a"}, {Left: "b", Right: "B", Kind: "change"}, {Left: "c", Right: "c"}}},
		{"two removed, one added", []string{"a", "b", "c"}, []string{"x"},
			[]diffRow{{Left: "a", Right: "x", Kind: "change"}, {Left: "b", Kind: "del"}, {Left: "c", Kind: "del"}}},
		{"everything new", nil, []string{"a", "b"}, []diffRow{{Right: "a", Kind: "ins"}, {Right: "b", Kind: "ins"}}},
		{"moved line: removed where it was, added where it is", []string{"a", "b", "c"}, []string{"b", "c", "a"},
			[]diffRow{{Left: "a", Kind: "del"}, {Left: "b", Right: "b"}, {Left: "c", Right: "c"}, {Right: "a", Kind: "ins"}}},
	} {
		require.Equal(t, tc.want, diffLines(tc.a, tc.b), tc.name)
	}
}

// stepRowHTML is the HTML of the editor's row i (from its <tr> to the next).
func stepRowHTML(t *testing.T, body string, i int) string {
	t.Helper()
	_, row, ok := strings.Cut(body, `<tr id="step-`+strconv.Itoa(i)+`">`)
	require.True(t, ok, "row %d is shown", i)
	row, _, _ = strings.Cut(row, "</tr>")
	return row
}

// A credit manager builds a scenario with the editor's buttons (nothing is
// saved until Save), saves it, saves a second version, and reads the diff.
func TestCreditManagerEditsAScenarioWithTheStepEditor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	status, body := cm.get("/scenarios/new")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `name="steps[0].channel"`, "a new scenario starts with one step")
	require.Contains(t, body, `<option value="reminder_1">reminder_1 (email`, "the templates to choose from")

	form := url.Values{"name": {"Firm"}, "steps[0].channel": {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"}}
	form.Set("do", "add")
	res := cm.post("/scenarios/new", form)
	require.Equal(t, http.StatusOK, res.StatusCode, "an editing button shows the form again")
	body = readBody(t, res)
	require.Contains(t, stepRowHTML(t, body, 1), `name="steps[1].offset_days" value="7"`, "the new step a week after the last")
	count, err := b.store.Scenarios(context.Background(), true)
	require.NoError(t, err)
	require.Empty(t, count, "nothing saved")

	form.Set("steps[1].channel", "email")
	form.Set("steps[1].offset_days", "-5")
	form.Set("steps[1].template", "reminder_courtesy")
	form.Set("do", "up:1")
	res = cm.post("/scenarios/new", form)
	require.Equal(t, http.StatusOK, res.StatusCode)
	body = readBody(t, res)
	require.Contains(t, stepRowHTML(t, body, 0), `value="-5"`, "moved up")
	require.Contains(t, stepRowHTML(t, body, 0), `<option value="reminder_courtesy" selected>`)
	require.Contains(t, stepRowHTML(t, body, 1), `<option value="reminder_due" selected>`)

	saved := url.Values{"name": {"Firm"}, "do": {"save"},
		"steps[0].channel": {"email"}, "steps[0].offset_days": {"-5"}, "steps[0].template": {"reminder_courtesy"},
		"steps[1].channel": {"email"}, "steps[1].offset_days": {"0"}, "steps[1].template": {"reminder_due"}}
	res = cm.post("/scenarios/new", saved)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	where := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(where, "/scenarios/"), where)
	status, body = cm.get(where)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Scenario Firm saved (version 1).")

	saved.Set("steps[2].channel", "email")
	saved.Set("steps[2].offset_days", "7")
	saved.Set("steps[2].template", "reminder_1")
	saved.Set("steps[2].repeat_every_days", "14")
	saved.Set("steps[2].max_repeats", "5")
	res = cm.post(where, saved)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	status, body = cm.get(where)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Scenario Firm saved (version 2).")
	require.Contains(t, body, `value="14"`, "the editor shows the saved version")

	status, body = cm.get(where + "/versions")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "carol@example.com")
	require.Contains(t, body, `?version=2">2</a>`)
	require.Contains(t, body, "/diff?a=1&amp;b=2")

	status, body = cm.get(where + "/diff?a=1&b=2")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "+ &#43;7 days · Email · reminder_1 · every 14 days ×5", "the added step, marked")
	_, added, _ := strings.Cut(body, `class="ins"`)
	require.True(t, strings.HasPrefix(strings.TrimPrefix(added, ">"), `<span class="visually-hidden">added: </span>+ &#43;7 days`), "the added step is the marked cell")
	require.NotContains(t, body, `class="del"`, "nothing removed")
	require.Contains(t, body, "-5 days · Email · reminder_courtesy")

	status, body = cm.get(where + "/diff")
	require.Equal(t, http.StatusOK, status, "by default the last change")
	require.Contains(t, body, `class="ins"`)
	status, _ = cm.get(where + "/diff?a=9&b=2")
	require.Equal(t, http.StatusNotFound, status)
}

// Invalid input comes back with each message next to its field, in its row,
// and in a summary; what was typed is kept (escaped).
func TestScenarioEditorShowsErrorsNextToTheirStep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	for _, tc := range []struct {
		name    string
		form    url.Values
		row     int
		message string
	}{
		{"a reminder without template", url.Values{
			"steps[0].channel": {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"},
			"steps[1].channel": {"email"}, "steps[1].offset_days": {"7"}}, 1, "steps[1].template: required for email steps"},
		{"a template that does not exist", url.Values{
			"steps[0].channel": {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"nope"}}, 0, `steps[0].template: no template &#34;nope&#34;`},
		{"a task without assignee", url.Values{
			"steps[0].channel": {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"},
			"steps[1].channel": {"task"}, "steps[1].offset_days": {"30"}}, 1, "steps[1].assignee_role: required for task steps"},
		{"days that are not a number", url.Values{
			"steps[0].channel": {"email"}, "steps[0].offset_days": {"soon"}, "steps[0].template": {"reminder_due"}}, 0,
			`steps[0].offset_days: &#34;soon&#34; is not a whole number`},
		{"steps out of order", url.Values{
			"steps[0].channel": {"email"}, "steps[0].offset_days": {"7"}, "steps[0].template": {"reminder_1"},
			"steps[1].channel": {"sms"}, "steps[1].offset_days": {"0"}, "steps[1].template": {"reminder_due"}}, 1, "steps must be in order"},
	} {
		tc.form.Set("name", "<script>alert(1)</script>")
		tc.form.Set("do", "save")
		res := cm.post("/scenarios/new", tc.form)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, stepRowHTML(t, body, tc.row), tc.message, tc.name)
		for i := range len(tc.form)/3 + 1 {
			if i != tc.row && strings.Contains(body, `<tr id="step-`+strconv.Itoa(i)+`">`) {
				require.NotContains(t, stepRowHTML(t, body, i), tc.message, "%s: not next to row %d", tc.name, i)
			}
		}
		summary, _, _ := strings.Cut(body, `<form method="post" action="/scenarios/new"`)
		require.Contains(t, summary, tc.message, "%s: in the summary", tc.name)
		require.Contains(t, body, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`, tc.name)
		require.NotContains(t, body, "<script>alert(1)", tc.name)
	}
	list, err := b.store.Scenarios(context.Background(), true)
	require.NoError(t, err)
	require.Empty(t, list, "nothing saved")
}

// createScenario stores a scenario as the use case would.
func createScenario(t *testing.T, b *testBundle, name string, isDefault bool) int64 {
	t.Helper()
	steps, _ := json.Marshal([]map[string]any{{"offset_days": 0, "channel": "email", "template": "reminder_due"}})
	sc, err := b.store.CreateScenario(context.Background(), name, steps, isDefault, "test", nil)
	require.NoError(t, err)
	return sc.ScenarioID
}

// Readers see the scenarios without a button to change them; the server refuses their posts.
func TestScenariosByRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := createScenario(t, b, "Gentle <script>alert(1)</script>", false)
	path := "/scenarios/" + itoa(id)
	for _, tc := range []struct {
		role  domain.Role
		read  bool
		write bool
	}{
		{domain.RoleAdmin, true, true},
		{domain.RoleCreditManager, true, true},
		{domain.RoleAgent, true, false},
		{domain.RoleAuditor, true, false},
		{domain.RoleDivisionManager, true, false},
		{domain.RoleSalesRep, false, false},
		{domain.RoleDepartment, false, false},
	} {
		br := b.signIn(t, string(tc.role)+"@example.com", tc.role)
		status, body := br.get("/scenarios")
		if !tc.read {
			require.Equal(t, http.StatusForbidden, status, tc.role)
			status, _ = br.get(path)
			require.Equal(t, http.StatusForbidden, status, tc.role)
			continue
		}
		require.Equal(t, http.StatusOK, status, tc.role)
		require.Contains(t, body, "Gentle &lt;script&gt;alert(1)&lt;/script&gt;", tc.role)
		require.Equal(t, tc.write, strings.Contains(body, `href="/scenarios/new"`), "%s: new button", tc.role)
		status, body = br.get(path)
		require.Equal(t, http.StatusOK, status, tc.role)
		require.Equal(t, !tc.write, strings.Contains(body, "&#43;0 days · Email · reminder_due"), "%s: the steps in words", tc.role)
		require.Equal(t, tc.write, strings.Contains(body, `name="do"`), "%s: the editor", tc.role)
		require.Equal(t, tc.write, strings.Contains(body, path+`/archive"`), "%s: archive button", tc.role)
		for _, p := range []string{"/versions", "/diff"} {
			status, _ = br.get(path + p)
			require.Equal(t, http.StatusOK, status, "%s %s", tc.role, p)
		}
		if !tc.write {
			status, _ = br.get("/scenarios/new")
			require.Equal(t, http.StatusForbidden, status, tc.role)
			for _, p := range []string{"/scenarios/new", path, path + "/archive"} {
				res := br.post(p, url.Values{"name": {"X"}, "do": {"save"}, "steps[0].channel": {"email"},
					"steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"}})
				require.Equal(t, http.StatusForbidden, res.StatusCode, "%s posts %s", tc.role, p)
			}
		}
	}
	sc, err := b.store.Scenario(context.Background(), id, 0)
	require.NoError(t, err)
	require.Equal(t, 1, sc.CurrentVersion, "no reader changed it")
	require.False(t, sc.Archived)
	status, _ := b.signIn(t, "x@example.com", domain.RoleAgent).get("/scenarios/999")
	require.Equal(t, http.StatusNotFound, status)
}

func TestArchiveAScenario(t *testing.T) {
	t.Parallel()
	b := setup(t)
	def := createScenario(t, b, "Default", true)
	id := createScenario(t, b, "Old", false)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	_, body := cm.get("/scenarios/" + itoa(id))
	require.Contains(t, body, `data-confirm="Archive scenario Old?`)
	_, body = cm.get("/scenarios/" + itoa(def))
	require.NotContains(t, body, "/archive", "the default scenario cannot be archived")

	res := cm.post("/scenarios/"+itoa(id)+"/archive", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get("/scenarios")
	require.Contains(t, body, "Scenario Old archived.")
	require.NotContains(t, body, ">Old</a>")
	_, body = cm.get("/scenarios?archived=1")
	require.Contains(t, body, ">Old</a>")
	_, body = cm.get("/scenarios/" + itoa(id))
	require.NotContains(t, body, `name="do"`, "an archived scenario is read-only")
	res = cm.post("/scenarios/"+itoa(def)+"/archive", nil)
	require.Equal(t, http.StatusConflict, res.StatusCode)
}

// The editor carries each step's id in a hidden field, so a step moved to
// another day keeps its identity, and edits the contact rules.
func TestScenarioEditorKeepsStepIDsAndEditsContactRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carol@example.com", domain.RoleCreditManager)
	form := url.Values{"name": {"Patient"}, "do": {"save"}, "settings.min_days_between.email": {"10"},
		"settings.release_credit_hold": {"on"},
		"steps[0].channel":             {"email"}, "steps[0].offset_days": {"0"}, "steps[0].template": {"reminder_due"},
		"steps[1].channel": {"email"}, "steps[1].offset_days": {"7"}, "steps[1].template": {"reminder_1"}}
	res := cm.post("/scenarios/new", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	where := res.Header.Get("Location")
	status, body := cm.get(where)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, stepRowHTML(t, body, 1), `name="steps[1].id" value="email-7"`, "the id given when first saved")
	require.Contains(t, body, `name="settings.min_days_between.email" value="10"`)
	require.Contains(t, body, `name="settings.min_days_between.sms" value="" placeholder="7"`, "empty: the default")
	require.Contains(t, body, `name="settings.release_credit_hold" id="release-credit-hold" checked`)

	form.Set("steps[1].id", "email-7")
	form.Set("steps[1].offset_days", "10")
	res = cm.post(where, form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = cm.get(where)
	require.Contains(t, stepRowHTML(t, body, 1), `name="steps[1].id" value="email-7"`, "moved, the step keeps its id")
	require.Contains(t, stepRowHTML(t, body, 1), `value="10"`)

	form.Set("settings.min_days_between.email", "400")
	res = cm.post(where, form)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "settings.min_days_between.email: 400 is out of range (0 to 365)")
	form.Set("settings.min_days_between.email", "often")
	res = cm.post(where, form)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), "settings.min_days_between.email: &#34;often&#34; is not a whole number")
}
