package web

import (
	"net/http"
	"strconv"

	"recoup/domain"
	"recoup/store"
)

// diffRow is one line of a side-by-side diff. Kind is "" (the same on both
// sides), "del" (only on the left), "ins" (only on the right) or "change"
// (a removed line beside the added line that took its place).
type diffRow struct {
	Left, Right string
	Kind        string
}

// LeftDel and RightIns say which cells to mark.
func (d diffRow) LeftDel() bool  { return d.Kind == "del" || d.Kind == "change" }
func (d diffRow) RightIns() bool { return d.Kind == "ins" || d.Kind == "change" }

// diffLines compares two lists of lines by their longest common subsequence
// and lays the result out side by side: common lines face each other, and
// within a run of changes each removed line faces an added one while both last.
func diffLines(a, b []string) []diffRow {
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffRow
	var dels, inss []string
	flush := func() {
		for k := 0; k < max(len(dels), len(inss)); k++ {
			switch {
			case k < len(dels) && k < len(inss):
				out = append(out, diffRow{Left: dels[k], Right: inss[k], Kind: "change"})
			case k < len(dels):
				out = append(out, diffRow{Left: dels[k], Kind: "del"})
			default:
				out = append(out, diffRow{Right: inss[k], Kind: "ins"})
			}
		}
		dels, inss = nil, nil
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			flush()
			out = append(out, diffRow{Left: a[i], Right: b[j]})
			i, j = i+1, j+1
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			dels = append(dels, a[i])
			i++
		default:
			inss = append(inss, b[j])
			j++
		}
	}
	flush()
	return out
}

type scenarioDiffData struct {
	Scenario store.ScenarioVersion // the current version
	A, B     store.ScenarioVersion
	Rows     []diffRow
	Versions []int // every version, for the choice of two
	Same     bool
}

// scenarioDiff shows two versions of a scenario side by side (?a=1&b=2; by
// default the current version and the one before).
func (h *Handler) scenarioDiff(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.c.Request.Context()
	cur, err := h.app.Scenario(ctx, r.who, id, 0)
	if err != nil {
		return err
	}
	version := func(name string, fallback int) (int, error) {
		v := r.c.Query(name)
		if v == "" {
			return fallback, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, domain.Errorf(domain.CodeNotFound, "scenario %d has no version %q", id, v)
		}
		return n, nil
	}
	bv, err := version("b", cur.CurrentVersion)
	if err != nil {
		return err
	}
	av, err := version("a", max(bv-1, 1))
	if err != nil {
		return err
	}
	d := scenarioDiffData{Scenario: cur}
	var lines [2][]string
	for k, v := range []int{av, bv} {
		sc, err := h.app.Scenario(ctx, r.who, id, v)
		if err != nil {
			return err
		}
		steps, err := decodeSteps(sc)
		if err != nil {
			return err
		}
		for _, st := range steps {
			lines[k] = append(lines[k], stepLine(func(key string, args ...any) string { return h.t(r, key, args...) }, st))
		}
		if k == 0 {
			d.A = sc
		} else {
			d.B = sc
		}
	}
	d.Rows = diffLines(lines[0], lines[1])
	d.Same = d.A.Name == d.B.Name
	for _, row := range d.Rows {
		d.Same = d.Same && row.Kind == ""
	}
	for v := 1; v <= cur.CurrentVersion; v++ {
		d.Versions = append(d.Versions, v)
	}
	h.render(r.c, http.StatusOK, "scenario_diff", h.newPage(r, "scenario.diff.title", "nav.scenarios", d))
	return nil
}
