package chart

import (
	"html/template"
	"math"
	"math/big"
)

// Bars draws vertical bars, one per label; several series stack (positive
// values up from zero, negative ones down), and each stack's total is written
// above it.
func (c Chart) Bars() template.HTML {
	if !c.hasData() {
		return c.empty("bars")
	}
	n := len(c.Labels)
	// The stacks' extremes bound the scale: positives add up, negatives too.
	ups, downs, totals := make([]*big.Rat, n), make([]*big.Rat, n), make([]*big.Rat, n)
	for i := range n {
		ups[i], downs[i], totals[i] = new(big.Rat), new(big.Rat), new(big.Rat)
		for _, se := range c.Series {
			if v := at(se.Values, i); v.Ok() {
				if v.r.Sign() >= 0 {
					ups[i].Add(ups[i], v.r)
				} else {
					downs[i].Add(downs[i], v.r)
				}
				totals[i].Add(totals[i], v.r)
			}
		}
	}
	var s svg
	s.open("bars", c.Title)
	top := padTop + c.legend(&s)
	lo, hi, whole := bounds(ups, downs)
	y := newScale(lo, hi, whole, height-padBottom, top)
	c.yAxis(&s, y)
	slot := (width - padLeft - padRight) / float64(n)
	bw := slot * 0.6
	for i := range n {
		x := padLeft + slot*float64(i) + (slot-bw)/2
		up, down := new(big.Rat), new(big.Rat) // where the next positive / negative piece starts
		for _, se := range c.Series {
			v := at(se.Values, i)
			if !v.Ok() {
				continue
			}
			base := up
			if v.r.Sign() < 0 {
				base = down
			}
			end := new(big.Rat).Add(base, v.r)
			y0, y1 := y.px(Value{base}), y.px(Value{end})
			s.raw(`<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				esc(se.class(i)), num(x), num(math.Min(y0, y1)), num(bw), num(math.Abs(y1-y0)), c.mark(i, se, v.r))
			base.Set(end)
		}
		ty := y.px(Value{ups[i]}) - 4
		if ups[i].Sign() == 0 && downs[i].Sign() < 0 {
			ty = y.px(Value{downs[i]}) + 14
		}
		if t := c.text(totals[i]); fitsWhole(t, slot) { // else too many bars: the table and the tooltip have it
			s.raw(`<text class="value" x="%s" y="%s" text-anchor="middle">%s</text>`, num(x+bw/2), num(ty), esc(t))
		}
		c.xLabel(&s, i, x+bw/2, height-padBottom+16, slot)
	}
	s.raw(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(padLeft), num(y.pxf(0)), num(width-padRight), num(y.pxf(0)))
	return s.close()
}

// Grouped draws the series' bars side by side in each label's slot; a series
// with Low and High gets a whisker from low to high over its bar (an error band).
func (c Chart) Grouped() template.HTML {
	if !c.hasData() {
		return c.empty("grouped")
	}
	n := len(c.Labels)
	var all [][]*big.Rat
	for _, se := range c.Series {
		all = append(all, rats(se.Values, n), rats(se.Low, n), rats(se.High, n))
	}
	var s svg
	s.open("grouped", c.Title)
	top := padTop + c.legend(&s)
	lo, hi, whole := bounds(all...)
	y := newScale(lo, hi, whole, height-padBottom, top)
	c.yAxis(&s, y)
	slot := (width - padLeft - padRight) / float64(n)
	group := slot * 0.7
	bw := group / float64(len(c.Series))
	zero := y.pxf(0)
	for i := range n {
		x0 := padLeft + slot*float64(i) + (slot-group)/2
		for k, se := range c.Series {
			x := x0 + bw*float64(k)
			if v := at(se.Values, i); v.Ok() {
				py := y.px(v)
				s.raw(`<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
					esc(se.class(i)), num(x), num(math.Min(zero, py)), num(bw*0.9), num(math.Abs(zero-py)), c.mark(i, se, v.r))
			}
			l, h := at(se.Low, i), at(se.High, i)
			if l.Ok() && h.Ok() {
				cx := x + bw*0.45
				s.raw(`<g class="band"><title>%s</title><line x1="%s" y1="%s" x2="%s" y2="%s"/><line x1="%s" y1="%s" x2="%s" y2="%s"/><line x1="%s" y1="%s" x2="%s" y2="%s"/></g>`,
					esc(c.Labels[i]+" · "+se.Name+": "+c.text(l.r)+" – "+c.text(h.r)),
					num(cx), num(y.px(l)), num(cx), num(y.px(h)),
					num(cx-bw*0.2), num(y.px(l)), num(cx+bw*0.2), num(y.px(l)),
					num(cx-bw*0.2), num(y.px(h)), num(cx+bw*0.2), num(y.px(h)))
			}
		}
		c.xLabel(&s, i, x0+group/2, height-padBottom+16, slot)
	}
	s.raw(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(padLeft), num(zero), num(width-padRight), num(zero))
	return s.close()
}

// Line draws each series as a line through its values (a missing value
// breaks it), a dot with its value's tooltip at each point, the last value
// written beside it, and a shaded band where Low and High are given.
func (c Chart) Line() template.HTML {
	if !c.hasData() {
		return c.empty("line")
	}
	n := len(c.Labels)
	var all [][]*big.Rat
	for _, se := range c.Series {
		all = append(all, rats(se.Values, n), rats(se.Low, n), rats(se.High, n))
	}
	var s svg
	s.open("line", c.Title)
	top := padTop + c.legend(&s)
	lo, hi, whole := bounds(all...)
	y := newScale(lo, hi, whole, height-padBottom, top)
	c.yAxis(&s, y)
	slot := (width - padLeft - padRight) / float64(n)
	cx := func(i int) float64 { return padLeft + slot*float64(i) + slot/2 }
	for _, se := range c.Series {
		// The band: one polygon per run of points that have both bounds.
		for i := 0; i < n; {
			j := i
			for j < n && at(se.Low, j).Ok() && at(se.High, j).Ok() {
				j++
			}
			if j > i {
				s.raw(`<polygon class="band %s" points="`, esc(se.Class))
				for k := i; k < j; k++ {
					s.raw(`%s,%s `, num(cx(k)), num(y.px(at(se.High, k))))
				}
				for k := j - 1; k >= i; k-- {
					s.raw(`%s,%s `, num(cx(k)), num(y.px(at(se.Low, k))))
				}
				s.raw(`"/>`)
				i = j
			} else {
				i++
			}
		}
		// The line: one polyline per run of present values.
		for i := 0; i < n; {
			j := i
			for j < n && at(se.Values, j).Ok() {
				j++
			}
			if j-i > 1 {
				s.raw(`<polyline class="line %s" points="`, esc(se.Class))
				for k := i; k < j; k++ {
					s.raw(`%s,%s `, num(cx(k)), num(y.px(at(se.Values, k))))
				}
				s.raw(`"/>`)
			}
			i = max(j, i+1)
		}
		last := -1
		for i := range n {
			if v := at(se.Values, i); v.Ok() {
				s.raw(`<circle class="dot %s" cx="%s" cy="%s" r="3.5"><title>%s</title></circle>`,
					esc(se.Class), num(cx(i)), num(y.px(v)), c.mark(i, se, v.r))
				last = i
			}
		}
		if last >= 0 {
			v := at(se.Values, last)
			s.raw(`<text class="value" x="%s" y="%s" text-anchor="middle">%s</text>`, num(cx(last)), num(y.px(v)-8), esc(c.text(v.r)))
		}
	}
	for i := range n {
		c.xLabel(&s, i, cx(i), height-padBottom+16, slot)
	}
	s.raw(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(padLeft), num(y.pxf(0)), num(width-padRight), num(y.pxf(0)))
	return s.close()
}

// HBars draws the first series as horizontal bars, one row per label (long
// labels read better across), each with its value written after it. Its
// height grows with the rows.
func (c Chart) HBars() template.HTML {
	if !c.hasData() {
		return c.empty("hbars")
	}
	const row, left, right = 26.0, 150.0, 90.0
	se := c.Series[0]
	n := len(c.Labels)
	h := padTop + row*float64(n) + 8
	lo, hi, whole := bounds(rats(se.Values, n))
	x := newScale(lo, hi, whole, left, width-right)
	var s svg
	s.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-hbars" viewBox="0 0 %s %s" role="img" aria-label="%s">`,
		num(width), num(h), esc(c.Title))
	s.raw(`<title>%s</title>`, esc(c.Title))
	zero := x.pxf(0)
	for i := range n {
		py := padTop + row*float64(i)
		l := c.Labels[i]
		s.raw(`<text class="label" x="%s" y="%s" text-anchor="end"><title>%s</title>%s</text>`, num(left-6), num(py+row*0.6), esc(l), esc(fits(l, left-10)))
		v := at(se.Values, i)
		if !v.Ok() {
			continue
		}
		px := x.px(v)
		s.raw(`<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
			esc(se.class(i)), num(math.Min(zero, px)), num(py+3), num(math.Abs(px-zero)), num(row-8), c.mark(i, se, v.r))
		s.raw(`<text class="value" x="%s" y="%s">%s</text>`, num(math.Max(zero, px)+4), num(py+row*0.6), esc(c.text(v.r)))
	}
	s.raw(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(zero), num(padTop), num(zero), num(h-8))
	return s.close()
}

func shortTo(l string, n int) string {
	r := []rune(l)
	if len(r) <= n {
		return l
	}
	return string(r[:n-1]) + "…"
}
