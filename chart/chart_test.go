package chart

import (
	"encoding/xml"
	"io"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// node is an element of a drawn chart, read back with encoding/xml (which
// also proves the markup well-formed).
type node struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*node
}

func parse(t *testing.T, svg string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed XML: %s", svg)
		switch e := tok.(type) {
		case xml.StartElement:
			n := &node{name: e.Name.Local, attrs: map[string]string{}}
			for _, a := range e.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			stack[len(stack)-1].text += string(e)
		}
	}
	require.Len(t, root.kids, 1, "one root element")
	return root.kids[0]
}

// all is every element named name under n, in document order.
func (n *node) all(name string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
		out = append(out, k.all(name)...)
	}
	return out
}

// title is the text of n's <title> child.
func (n *node) title() string {
	for _, k := range n.kids {
		if k.name == "title" {
			return k.text
		}
	}
	return ""
}

// fullText is n's own text without its title.
func (n *node) fullText() string { return n.text }

func f(t *testing.T, n *node, attr string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attrs[attr], 64)
	require.NoError(t, err, "%s=%q", attr, n.attrs[attr])
	return v
}

func byClass(ns []*node, class string) []*node {
	var out []*node
	for _, n := range ns {
		if n.attrs["class"] == class {
			out = append(out, n)
		}
	}
	return out
}

func values(ns ...int64) []Value {
	out := make([]Value, len(ns))
	for i, n := range ns {
		out[i] = Minor(n)
	}
	return out
}

func TestAccessibleAndScalable(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "Aged balance <EUR> & co", Labels: []string{"a"}, Series: []Series{{Class: "s0", Values: values(1)}}}
	for name, svg := range map[string]string{"bars": string(c.Bars()), "grouped": string(c.Grouped()),
		"line": string(c.Line()), "hbars": string(c.HBars())} {
		root := parse(t, svg)
		require.Equal(t, "svg", root.name, name)
		require.Equal(t, "img", root.attrs["role"], name)
		require.Equal(t, "Aged balance <EUR> & co", root.attrs["aria-label"], name)
		require.Equal(t, "Aged balance <EUR> & co", root.title(), name)
		require.NotEmpty(t, root.attrs["viewBox"], name)
		require.NotContains(t, root.attrs, "width", "%s scales with its container", name)
		require.NotContains(t, svg, "style=", "%s: colours come from the stylesheet (the CSP forbids inline styles)", name)
	}
}

func TestBarsHeightsProportional(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "t", Labels: []string{"not due", "1–30", "31–60"},
		Series: []Series{{Class: "bucket-0", Values: values(100_00, 250_00, 0)}}}
	rects := byClass(parse(t, string(c.Bars())).all("rect"), "bucket-0")
	require.Len(t, rects, 3)
	h0, h1, h2 := f(t, rects[0], "height"), f(t, rects[1], "height"), f(t, rects[2], "height")
	require.InDelta(t, 2.5, h1/h0, 0.01, "heights in the values' proportion")
	require.Zero(t, h2)
	require.InDelta(t, f(t, rects[0], "y")+h0, f(t, rects[1], "y")+h1, 0.01, "bars stand on the same baseline")
	require.Equal(t, "1–30: 25000", rects[1].title(), "each bar's exact value in its tooltip")

	c.Series[0].Classes = []string{"", "bucket-1"}
	root := parse(t, string(c.Bars()))
	require.Len(t, byClass(root.all("rect"), "bucket-0"), 2)
	require.Len(t, byClass(root.all("rect"), "bucket-1"), 1, "a value's own class")
}

func TestBarsStackAndNegatives(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "t", Labels: []string{"FR01", "US01"}, Series: []Series{
		{Name: "due", Class: "a", Values: values(300, 100)},
		{Name: "late", Class: "b", Values: values(100, -200)},
	}}
	root := parse(t, string(c.Bars()))
	a, b := byClass(root.all("rect"), "a"), byClass(root.all("rect"), "b")
	require.Len(t, a, 3, "two bars and the legend's swatch")
	require.Len(t, b, 3)
	a, b = a[1:], b[1:]
	// FR01: b sits on top of a.
	require.InDelta(t, f(t, a[0], "y"), f(t, b[0], "y")+f(t, b[0], "height"), 0.01)
	require.InDelta(t, 3, f(t, a[0], "height")/f(t, b[0], "height"), 0.01)
	// US01: the negative piece hangs below the baseline, where a's bar starts.
	base := f(t, a[1], "y") + f(t, a[1], "height")
	require.InDelta(t, base, f(t, b[1], "y"), 0.01)
	require.InDelta(t, 2, f(t, b[1], "height")/f(t, a[1], "height"), 0.01)
	var totals []string
	for _, tx := range root.all("text") {
		if tx.attrs["class"] == "value" {
			totals = append(totals, tx.text)
		}
	}
	require.Equal(t, []string{"400", "-100"}, totals, "each stack's total written")
	require.Equal(t, []string{"due", "late"}, legendNames(root))
}

func legendNames(root *node) []string {
	var out []string
	for _, g := range root.all("g") {
		if g.attrs["class"] == "legend" {
			out = append(out, g.all("text")[0].text)
		}
	}
	return out
}

func TestAllZeroAndEmpty(t *testing.T) {
	t.Parallel()
	zero := Chart{Title: "t", Labels: []string{"a", "b"}, Series: []Series{{Class: "s", Values: values(0, 0)}}}
	for _, svg := range []string{string(zero.Bars()), string(zero.Grouped()), string(zero.Line()), string(zero.HBars())} {
		root := parse(t, svg)
		for _, r := range byClass(root.all("rect"), "s") {
			require.Zero(t, f(t, r, "height")*f(t, r, "width"), "a zero draws nothing")
		}
		require.NotContains(t, svg, "NaN")
		require.NotContains(t, svg, "Inf")
	}
	none := []Chart{{Title: "empty"}, {Title: "no values", Labels: []string{"a"}, Series: []Series{{Class: "s", Values: []Value{Missing()}}}}}
	for _, c := range none {
		for _, svg := range []string{string(c.Bars()), string(c.Grouped()), string(c.Line()), string(c.HBars())} {
			root := parse(t, svg)
			require.Equal(t, c.Title, root.title())
			require.Empty(t, root.all("rect"))
			require.Empty(t, root.all("polyline"))
		}
	}
}

func TestLongLabelsEscaped(t *testing.T) {
	t.Parallel()
	long := `Établissements "Dupont" <script>alert(1)</script> & Fils, Marseille`
	// Four categories: each has a quarter of the width, less than the label needs.
	c := Chart{Title: "t", Labels: []string{long, "b", "c", "d"}, Links: []string{`/dashboard?entity=A&x="y"`},
		Series: []Series{{Name: "<b>", Class: `x" onload="y`, Values: values(5, 1, 1, 1)}}}
	for _, svg := range []string{string(c.Bars()), string(c.HBars())} {
		require.NotContains(t, svg, "<script>")
		require.NotContains(t, svg, `" onload="`)
		root := parse(t, svg)
		var label *node
		for _, tx := range root.all("text") {
			if tx.attrs["class"] == "label" && label == nil {
				label = tx
			}
		}
		require.NotNil(t, label)
		require.Equal(t, long, label.title(), "the full label in its tooltip")
		require.Less(t, len([]rune(label.fullText())), len([]rune(long)), "shortened on the chart")
		require.True(t, strings.HasSuffix(label.fullText(), "…"))
	}
	links := parse(t, string(c.Bars())).all("a")
	require.Len(t, links, 1, "the categories with a link have one")
	require.Equal(t, `/dashboard?entity=A&x="y"`, links[0].attrs["href"], "the drill-down link, escaped and read back whole")
}

func TestGroupedBand(t *testing.T) {
	t.Parallel()
	lo, hi := values(80, 150), values(120, 250)
	c := Chart{Title: "t", Labels: []string{"w1", "w2"}, Series: []Series{{Name: "expected", Class: "e", Values: values(100, 200), Low: lo, High: hi}}}
	root := parse(t, string(c.Grouped()))
	rects := byClass(root.all("rect"), "e")
	require.Len(t, rects, 2)
	require.InDelta(t, 2, f(t, rects[1], "height")/f(t, rects[0], "height"), 0.01)
	var bands []*node
	for _, g := range root.all("g") {
		if g.attrs["class"] == "band" {
			bands = append(bands, g)
		}
	}
	require.Len(t, bands, 2)
	whisker := bands[1].all("line")[0]
	// The whisker spans 150–250: its length is the bar's height (200) ÷ 2.
	require.InDelta(t, f(t, rects[1], "height")/2, f(t, whisker, "y1")-f(t, whisker, "y2"), 0.01)
	require.Equal(t, "w2 · expected: 150 – 250", bands[1].title())
}

func TestLineBreaksAtMissing(t *testing.T) {
	t.Parallel()
	d := func(s string) Value { v, err := Decimal(s); require.NoError(t, err); return v }
	c := Chart{Title: "DSO", Labels: []string{"J", "F", "M", "A", "M"},
		Series: []Series{{Class: "dso", Values: []Value{d("40.5"), d("42"), Missing(), d("38.25"), d("36")}}}}
	root := parse(t, string(c.Line()))
	require.Len(t, root.all("polyline"), 2, "a gap where a month has no figure")
	require.Len(t, root.all("circle"), 4)
	require.Equal(t, "A: 38.25", root.all("circle")[2].title())
	_, err := Decimal("4O")
	require.Error(t, err)
}

func TestHBarsAndText(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "disputes", Labels: []string{"price", "quality"}, Series: []Series{{Class: "r", Values: values(3, 1)}},
		Text: func(r *big.Rat) string { return "n=" + r.FloatString(0) }}
	root := parse(t, string(c.HBars()))
	rects := byClass(root.all("rect"), "r")
	require.Len(t, rects, 2)
	require.InDelta(t, 3, f(t, rects[0], "width")/f(t, rects[1], "width"), 0.01)
	var vals []string
	for _, tx := range root.all("text") {
		if tx.attrs["class"] == "value" {
			vals = append(vals, tx.text)
		}
	}
	require.Equal(t, []string{"n=3", "n=1"}, vals, "the caller formats values")
}

func ticksOf(root *node) []string {
	var out []string
	for _, tx := range root.all("text") {
		if tx.attrs["class"] == "tick" {
			out = append(out, tx.text)
		}
	}
	return out
}

func TestTicksAreRound(t *testing.T) {
	t.Parallel()
	counts := Chart{Title: "t", Labels: []string{"kept", "broken"}, Series: []Series{{Class: "s", Values: values(1, 0)}}}
	require.Equal(t, []string{"0", "1"}, ticksOf(parse(t, string(counts.Bars()))), "whole counts tick by whole numbers")
	dso, err := Decimal("97.71")
	require.NoError(t, err)
	days := Chart{Title: "t", Labels: []string{"m"}, Series: []Series{{Class: "s", Values: []Value{dso}}}}
	require.Equal(t, []string{"0", "25", "50", "75", "100"}, ticksOf(parse(t, string(days.Line()))))
	money := Chart{Title: "t", Labels: []string{"a", "b"}, Series: []Series{{Class: "s", Values: values(230000, -45000)}}}
	require.Equal(t, []string{"-80000", "0", "80000", "160000", "240000"}, ticksOf(parse(t, string(money.Bars()))),
		"a negative value extends the axis below zero by whole steps")
}

func TestLegendWraps(t *testing.T) {
	t.Parallel()
	var series []Series
	for _, n := range []string{"Not due", "1–30 days", "31–60 days", "61–90 days", "91–120 days", "Over 120 days", "Credits",
		"Plus de 120 jours", "Tenues en partie", "Meilleur DSO possible"} {
		series = append(series, Series{Name: n, Class: "s", Values: values(1)})
	}
	root := parse(t, string(Chart{Title: "t", Labels: []string{"x"}, Series: series}.Bars()))
	rows := map[string]bool{}
	for _, g := range root.all("g") {
		if g.attrs["class"] == "legend" {
			r := g.all("rect")[0]
			require.Less(t, f(t, r, "x"), width-padRight, "inside the drawing")
			rows[r.attrs["y"]] = true
		}
	}
	require.Len(t, rows, 2, "ten names take two rows")
}

func TestValuesLeftOutWhenTheyDoNotFit(t *testing.T) {
	t.Parallel()
	labels := make([]string, 30)
	for i := range labels {
		labels[i] = "agent " + strconv.Itoa(i)
	}
	vals := make([]Value, 30)
	for i := range vals {
		vals[i] = Minor(int64(1_000_000 + i))
	}
	root := parse(t, string(Chart{Title: "t", Labels: labels, Series: []Series{{Class: "s", Values: vals}}}.Bars()))
	for _, tx := range root.all("text") {
		require.NotEqual(t, "value", tx.attrs["class"], "30 bars have no room for their totals: the tooltips and the table have them")
	}
	require.Len(t, byClass(root.all("rect"), "s"), 30)
	require.Equal(t, "agent 0: 1000000", byClass(root.all("rect"), "s")[0].title())
	few := parse(t, string(Chart{Title: "t", Labels: labels[:3], Series: []Series{{Class: "s", Values: vals[:3]}}}.Bars()))
	var shown int
	for _, tx := range few.all("text") {
		if tx.attrs["class"] == "value" {
			shown++
		}
	}
	require.Equal(t, 3, shown, "three bars have room")
}
