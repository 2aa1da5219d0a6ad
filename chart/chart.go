// Package chart draws the dashboards' charts as SVG: vertical bars (stacked
// when there are several series), grouped bars with a low–high band, a line,
// horizontal bars. Pure Go, no dependencies.
//
// Values arrive exact (minor units, decimals, fractions) and become floats
// only for coordinates; the text a chart shows is the caller's formatting of
// the exact value. Colours are CSS classes of the app's one stylesheet (a
// series' Class), never style attributes, so a strict Content-Security-Policy
// (style-src 'self') holds. Every chart has a <title>, role="img" and an
// aria-label, and scales with its container (viewBox, no fixed size). Every
// text is escaped.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Value is an exact number, or missing (a gap: no bar, a break in a line).
type Value struct{ r *big.Rat }

// Minor is an amount in minor units (or any whole number: a count, days).
func Minor(n int64) Value { return Value{new(big.Rat).SetInt64(n)} }

// Rat is an exact fraction; nil is missing.
func Rat(r *big.Rat) Value {
	if r == nil {
		return Value{}
	}
	return Value{new(big.Rat).Set(r)}
}

// Decimal is an exact decimal such as "99.40"; "" is missing.
func Decimal(s string) (Value, error) {
	if s == "" {
		return Value{}, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Value{}, fmt.Errorf("chart: %q is not a decimal", s)
	}
	return Value{r}, nil
}

// Missing is no value.
func Missing() Value { return Value{} }

// Ok reports whether v has a value.
func (v Value) Ok() bool { return v.r != nil }

// Rat is v's exact value (nil when missing); the caller may not change it.
func (v Value) Rat() *big.Rat { return v.r }

func (v Value) float() float64 {
	if v.r == nil {
		return 0
	}
	f, _ := v.r.Float64()
	return f
}

// Series is one set of values, one per label of the chart.
type Series struct {
	Name  string // its legend (a chart of one series has none)
	Class string // the CSS class of its marks (colour), e.g. "bucket-3"
	// Classes, when set, give each value its own class (one series of
	// bars coloured by category, such as the aging buckets); "" keeps Class.
	Classes []string
	Values  []Value // one per label; missing or absent: nothing drawn
	// Low and High, when set, are a band around each value (an error range):
	// a whisker over grouped bars, a shaded area around a line.
	Low, High []Value
}

// Chart is what to draw: categories (Labels) and series over them.
type Chart struct {
	Title  string   // the chart's <title> and aria-label
	Labels []string // the categories, in order
	Series []Series
	// Text formats a value for the chart's labels (axis ticks, bar values);
	// nil: a plain decimal with up to two places.
	Text func(*big.Rat) string
	// Links, when set, makes each category's label a link (drill-down), one per label; "" none.
	Links []string
}

// The drawing's coordinate system (the viewBox); the browser scales it.
const (
	width     = 720.0
	height    = 300.0
	padLeft   = 84.0
	padRight  = 12.0
	padTop    = 18.0
	padBottom = 44.0
	legendRow = 20.0
	ticks     = 4
	charWidth = 6.0 // about a character's width at the stylesheet's 10-unit font, to fit texts in their room
)

func (c Chart) text(r *big.Rat) string {
	if c.Text != nil {
		return c.Text(r)
	}
	s := r.FloatString(2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// svg accumulates the markup; every text goes through esc.
type svg struct{ b strings.Builder }

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func esc(t string) string { return template.HTMLEscapeString(t) }

func num(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

func (s *svg) open(kind, title string) {
	s.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" viewBox="0 0 %s %s" role="img" aria-label="%s">`,
		kind, num(width), num(height), esc(title))
	s.raw(`<title>%s</title>`, esc(title))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // every text inside was escaped
}

// fits is the label shortened to the room it has (the full text goes in its <title>).
func fits(l string, room float64) string { return shortTo(l, max(4, int(room/charWidth))) }

// fitsWhole reports whether a text fits in room as it is (a value is never shortened: it is left out).
func fitsWhole(t string, room float64) bool {
	return float64(utf8.RuneCountInString(t))*charWidth <= room
}

// empty draws a chart without data: its frame and title only.
func (c Chart) empty(kind string) template.HTML {
	var s svg
	s.open(kind, c.Title)
	s.raw(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(padLeft), num(height-padBottom), num(width-padRight), num(height-padBottom))
	return s.close()
}

func (c Chart) hasData() bool {
	for _, se := range c.Series {
		for i, v := range se.Values {
			if i < len(c.Labels) && v.Ok() {
				return true
			}
		}
	}
	return false
}

func at(vs []Value, i int) Value {
	if i < len(vs) {
		return vs[i]
	}
	return Value{}
}

// scale maps exact values in [lo, hi] (lo ≤ 0 ≤ hi) onto a pixel range;
// lo and hi are whole steps, so the ticks read as round numbers.
type scale struct {
	lo, hi, step *big.Rat
	n            int     // ticks after lo
	from, to     float64 // pixels of lo and hi
	flo, fspan   float64
}

// niceSteps are the mantissas of a tick step (× a power of ten).
var niceSteps = []*big.Rat{big.NewRat(1, 1), big.NewRat(3, 2), big.NewRat(2, 1), big.NewRat(5, 2), big.NewRat(3, 1),
	big.NewRat(4, 1), big.NewRat(5, 1), big.NewRat(6, 1), big.NewRat(8, 1), big.NewRat(10, 1)}

// niceStep is the smallest round step that covers span in about ticks
// steps; at least 1 when every value is whole (counts never tick at 0.25).
func niceStep(span *big.Rat, whole bool) *big.Rat {
	raw := new(big.Rat).Quo(span, big.NewRat(ticks, 1))
	f, _ := raw.Float64()
	e := int(math.Floor(math.Log10(f)))
	pow, ten := big.NewRat(1, 1), big.NewRat(10, 1)
	for range abs(e) {
		if e > 0 {
			pow.Mul(pow, ten)
		} else {
			pow.Quo(pow, ten)
		}
	}
	step := new(big.Rat)
	for _, m := range niceSteps {
		if step.Mul(m, pow); step.Cmp(raw) >= 0 {
			break
		}
	}
	if whole && step.Cmp(big.NewRat(1, 1)) < 0 {
		step.SetInt64(1)
	}
	return step
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// floorTo is x rounded down to a whole number of steps.
func floorTo(x, step *big.Rat) *big.Rat {
	q := new(big.Rat).Quo(x, step)
	n := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean: rounds toward minus infinity for a positive divisor
	return new(big.Rat).Mul(new(big.Rat).SetInt(n), step)
}

func newScale(lo, hi *big.Rat, whole bool, from, to float64) scale {
	if lo.Cmp(hi) == 0 { // all equal (all zero): a unit range, so nothing divides by zero
		hi = new(big.Rat).Add(hi, big.NewRat(1, 1))
	}
	step := niceStep(new(big.Rat).Sub(hi, lo), whole)
	nlo := floorTo(lo, step)
	nhi := floorTo(hi, step)
	if nhi.Cmp(hi) < 0 {
		nhi.Add(nhi, step)
	}
	q := new(big.Rat).Quo(new(big.Rat).Sub(nhi, nlo), step)
	flo, _ := nlo.Float64()
	fhi, _ := nhi.Float64()
	return scale{lo: nlo, hi: nhi, step: step, n: int(q.Num().Int64()), from: from, to: to, flo: flo, fspan: fhi - flo}
}

func (s scale) px(v Value) float64 { return s.pxf(v.float()) }

func (s scale) pxf(f float64) float64 { return s.from + (f-s.flo)/s.fspan*(s.to-s.from) }

// tick is the k-th tick's exact value.
func (s scale) tick(k int) *big.Rat {
	t := new(big.Rat).Mul(s.step, big.NewRat(int64(k), 1))
	return t.Add(t, s.lo)
}

// bounds is the smallest range holding zero and every value (and band).
// whole says whether every value is a whole number.
func bounds(vals ...[]*big.Rat) (lo, hi *big.Rat, whole bool) {
	lo, hi, whole = new(big.Rat), new(big.Rat), true
	for _, vs := range vals {
		for _, v := range vs {
			if v == nil {
				continue
			}
			whole = whole && v.IsInt()
			if v.Cmp(lo) < 0 {
				lo.Set(v)
			}
			if v.Cmp(hi) > 0 {
				hi.Set(v)
			}
		}
	}
	return lo, hi, whole
}

func rats(vs []Value, n int) []*big.Rat {
	out := make([]*big.Rat, 0, n)
	for i := range n {
		out = append(out, at(vs, i).r)
	}
	return out
}

// legend draws the series' names when there are several; it returns the height used.
func (c Chart) legend(s *svg) float64 {
	if len(c.Series) < 2 {
		return 0
	}
	x, y := padLeft, 4.0
	for _, se := range c.Series {
		name := shortTo(se.Name, 24)
		w := 24 + charWidth*float64(utf8.RuneCountInString(name))
		if x > padLeft && x+w > width-padRight { // wrap: the legend never runs out of the drawing
			x, y = padLeft, y+legendRow
		}
		s.raw(`<g class="legend"><rect class="%s" x="%s" y="%s" width="10" height="10"/><text x="%s" y="%s">%s</text></g>`,
			esc(se.Class), num(x), num(y), num(x+14), num(y+9), esc(name))
		x += w
	}
	return y - 4 + legendRow
}

// yAxis draws the value axis (ticks with their exact values, grid lines).
func (c Chart) yAxis(s *svg, y scale) {
	for k := 0; k <= y.n; k++ {
		v := y.tick(k)
		f, _ := v.Float64()
		py := y.pxf(f)
		s.raw(`<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(padLeft), num(py), num(width-padRight), num(py))
		s.raw(`<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, num(padLeft-6), num(py+4), esc(c.text(v)))
	}
}

// xLabel draws a category's label under its slot (room wide), shortened, the
// full text in its title, linked when asked.
func (c Chart) xLabel(s *svg, i int, cx, y, room float64) {
	l := c.Labels[i]
	link := ""
	if i < len(c.Links) {
		link = c.Links[i]
	}
	if link != "" {
		s.raw(`<a href="%s">`, esc(link))
	}
	s.raw(`<text class="label" x="%s" y="%s" text-anchor="middle"><title>%s</title>%s</text>`, num(cx), num(y), esc(l), esc(fits(l, room-4)))
	if link != "" {
		s.raw(`</a>`)
	}
}

// mark is a series' value's tooltip: "label · series: value".
func (c Chart) mark(i int, se Series, v *big.Rat) string {
	t := c.Labels[i]
	if se.Name != "" {
		t += " · " + se.Name
	}
	return esc(t + ": " + c.text(v))
}

// class is the CSS class of the series' i-th mark.
func (se Series) class(i int) string {
	if i < len(se.Classes) && se.Classes[i] != "" {
		return se.Classes[i]
	}
	return se.Class
}

// HasData reports whether any value is present: a caller may say "nothing
// to show" in words rather than draw an empty frame.
func (c Chart) HasData() bool { return c.hasData() }
