package dunning

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/domain"
)

// Window is the time of day steps may fire, in the account's time zone,
// [Start, End). The zero Window is DefaultWindow. AnyTime allows every hour of
// a business day (weekends and holidays still wait).
type Window struct {
	Start   time.Duration `json:"start,omitempty"` // wall-clock time of day, e.g. 9*time.Hour
	End     time.Duration `json:"end,omitempty"`
	AnyTime bool          `json:"any_time,omitempty"`
}

// DefaultWindow is 09:00–18:00.
var DefaultWindow = Window{Start: 9 * time.Hour, End: 18 * time.Hour}

// Plan is the outcome of one evaluation.
type Plan struct {
	// Due is what to do now, in a stable order.
	Due []Action
	// Next is when to evaluate again; zero when no timer is needed (nothing
	// left to schedule, or paused without an end: a signal will wake it).
	Next time.Time
	// State is the state after Due is executed.
	State State
	// Warnings are configuration problems the caller should log (once).
	Warnings []string
	// Waiting says why reminders that are due do not go out, or which
	// invoices are held (RulesStatement): human-readable, sorted; WaitCodes
	// are the same reasons as machine codes (WaitContactGap, ...), sorted.
	Waiting   []string `json:"waiting,omitempty"`
	WaitCodes []string `json:"wait_codes,omitempty"`
}

// PlanAt decides what is due at now for the account (everything whose time
// is at or before now, with catch-up), the state once it is done, and when
// to look again. It is pure: no I/O beyond the first load of a time zone,
// no clock, no map order; the same input gives the same Plan.
//
// Per invoice, at each evaluation:
//   - pending steps whose time (due date + offset in local calendar days,
//     moved to the next business day, at the window's start) has passed are
//     passed together; of them only those of the latest time fire, one per
//     channel, the latest that applies (catch-up: an invoice seen late, or
//     held, or paused, gets one step, not a burst). A step applies when its
//     conditions hold and it is not a reminder of an escalated invoice; if
//     none of the latest time applies, the time before is tried. Steps that
//     do not fire are passed for good.
//   - a repeating step that fired repeats RepeatEveryDays after the day it
//     last fired, up to MaxRepeats, until a later step on the same channel
//     fires (that one takes over). Missed repeats fire once.
//   - an escalation firing stops reminders at once, including any at the same
//     offset.
//
// Nothing fires while the account is paused, or when now is outside the
// contact window or not a business day (Next is then the window's next
// opening). Invoices due for the same step at the same evaluation share one
// Action.
//
// With a.Rules >= RulesStatement the rules of planStatement apply instead.
func PlanAt(a Account, s State, now time.Time) Plan {
	if a.Rules >= RulesStatement {
		return planStatement(a, s, now)
	}
	e := newEval(&a, now)
	items := e.sortedItems(a.Items)
	e.overdue = overdueTotal(items, e.today)

	var (
		out   State
		fires []firing
		next  time.Time
	)
	for i := range items {
		it := &items[i]
		sc, st, had, ok := e.stage(it, s, &out, len(items))
		if !ok {
			continue
		}
		held := it.promised(e.today)
		esc := it.Escalated
		if e.canFire && !held {
			fires, esc = e.advance(it, sc, &st, &had, esc, fires)
		}
		ev := e.nextEvent(it, sc, &st, had, esc)
		if held {
			// The hold's end is a wake-up of its own, even when no step
			// follows: the workflow checks the promise then.
			ev = it.PromiseUntil.AddDays(1).In(e.loc)
		}
		if !ev.IsZero() && (next.IsZero() || ev.Before(next)) {
			next = ev
		}
		if had {
			out.keep(it.InvoiceID, st, len(items))
		}
	}

	next = e.wakeAt(next)
	return Plan{Due: e.actions(fires), Next: next, State: out, Warnings: e.warnings()}
}

// wakeAt is when to evaluate again given the earliest event: after firing,
// every event is in the future; otherwise something may be due already and
// waits for the pause's end or the window. Zero when paused without an end
// (a message wakes the workflow) or when nothing is left.
func (e *eval) wakeAt(next time.Time) time.Time {
	if next.IsZero() || (e.paused && e.a.PausedUntil.IsZero()) {
		return time.Time{}
	}
	var floor time.Time
	switch {
	case e.paused:
		floor = e.a.PausedUntil
	case !e.canFire:
		floor = e.now
	}
	if next.Before(floor) {
		next = floor
	}
	return e.align(next)
}

// stage is where the invoice stands at the start of the evaluation, with its
// scenario; ok is false when it is not dunned now. A disputed invoice, or
// one without a usable scenario or due date, keeps its stage in out as it
// was; a closed one (paid, credited, written off) leaves the scenario. An
// invoice moved to another scenario enters the new one afresh (with
// catch-up), like a new invoice: had is false.
func (e *eval) stage(it *Item, s State, out *State, n int) (sc *Scenario, st Stage, had, ok bool) {
	old, had := s.Stages[it.InvoiceID]
	switch {
	case it.Status == domain.StatusDisputed:
		if had {
			out.keep(it.InvoiceID, old.clone(), n)
		}
		return nil, Stage{}, false, false
	case it.Status != domain.StatusOpen || it.OpenMinor <= 0:
		return nil, Stage{}, false, false
	}
	sc = e.scenario(it.ScenarioID)
	if sc == nil || it.DueDate.IsZero() {
		if it.DueDate.IsZero() {
			e.warnf("invoice %d has no due date: not dunned", it.InvoiceID)
		}
		if had {
			out.keep(it.InvoiceID, old.clone(), n)
		}
		return nil, Stage{}, false, false
	}
	st = old.clone()
	if had && st.ScenarioID != sc.ID {
		st, had = Stage{}, false
	}
	return sc, st, had, true
}

// firing is one invoice's share of an action.
type firing struct {
	sc      *Scenario
	index   int
	invoice int64
	repeat  int
}

// eval holds what one PlanAt computes once.
type eval struct {
	a         *Account
	loc       *time.Location
	cal       *Calendar
	win       Window
	now       time.Time // in loc
	today     Date      // in loc
	paused    bool      // the account is paused at now
	canFire   bool      // not paused, and now is a business day inside the window
	overdue   int64
	scen      map[int64]*Scenario // validated scenarios; nil: unusable
	schedMemo map[int]time.Time   // day number → when a step of that day fires
	warnList  []string
}

func newEval(a *Account, now time.Time) *eval {
	e := &eval{a: a}
	loc, ok := location(a.TimeZone)
	if !ok {
		e.warnf("time zone %q unknown: using UTC", a.TimeZone)
	}
	e.loc = loc
	var known bool
	e.cal, known = NewCalendarWith(a.Country, a.Holidays)
	if !known {
		e.warnf("no public holidays known for country %q: business days are weekdays only; load its dates with the holidays import or PUT /api/v1/entities/{code}/holidays", a.Country)
	}
	e.win = a.Window
	switch {
	case e.win == Window{}:
		e.win = DefaultWindow
	case !e.win.AnyTime && (e.win.Start < 0 || e.win.End > 24*time.Hour || e.win.Start >= e.win.End):
		e.warnf("contact window %s–%s invalid: using 09:00–18:00", clock(e.win.Start), clock(e.win.End))
		e.win = DefaultWindow
	}
	e.now = now.In(loc)
	e.today = DateOf(e.now)
	e.paused = a.Paused && (a.PausedUntil.IsZero() || now.Before(a.PausedUntil))
	e.canFire = !e.paused && e.allowed(e.now)
	return e
}

func (e *eval) warnf(format string, args ...any) {
	e.warnList = append(e.warnList, fmt.Sprintf(format, args...))
}

func (e *eval) warnings() []string {
	slices.Sort(e.warnList)
	return slices.Compact(e.warnList)
}

// scenario returns the account's scenario id if it is valid, nil otherwise
// (with a warning): a scenario out of order would break the offset cursor.
func (e *eval) scenario(id int64) *Scenario {
	if sc, ok := e.scen[id]; ok {
		return sc
	}
	if e.scen == nil {
		e.scen = make(map[int64]*Scenario)
	}
	sc, ok := e.a.Scenarios[id]
	var p *Scenario
	var err error
	if ok {
		err = sc.Validate()
	}
	switch {
	case !ok:
		e.warnf("scenario %d not found: its invoices are not dunned", id)
	case err != nil:
		e.warnf("scenario %d version %d invalid: its invoices are not dunned: %s", id, sc.Version,
			strings.ReplaceAll(err.Error(), "\n", "; "))
	default:
		sc.ID = id // the map key is what items refer to
		if e.a.Rules >= RulesStatement {
			sc.AssignStepIDs() // a version saved before ids: derived ones
		}
		p = &sc
	}
	e.scen[id] = p
	return p
}

// sortedItems copies items in invoice order, so the output does not depend on
// the order rows came from the database, and drops duplicates.
func (e *eval) sortedItems(in []Item) []Item {
	ordered := true
	for i := 1; i < len(in) && ordered; i++ {
		ordered = in[i-1].InvoiceID < in[i].InvoiceID
	}
	if ordered {
		return in // the usual case (rows ordered by id): only ever read
	}
	items := slices.Clone(in)
	slices.SortStableFunc(items, func(x, y Item) int { return cmp.Compare(x.InvoiceID, y.InvoiceID) })
	return slices.CompactFunc(items, func(x, y Item) bool {
		if x.InvoiceID == y.InvoiceID {
			e.warnf("invoice %d listed more than once: the first is used", x.InvoiceID)
			return true
		}
		return false
	})
}

// overdueTotal is the account's overdue amount for MinOverdueMinor: open,
// undisputed invoices past their due date (an invoice due today is not
// overdue yet). It saturates rather than overflow.
func overdueTotal(items []Item, today Date) int64 {
	var sum int64
	for _, it := range items {
		if it.Status == domain.StatusOpen && it.OpenMinor > 0 && it.DueDate.Before(today) {
			sum = satAdd(sum, it.OpenMinor)
		}
	}
	return sum
}

// satAdd adds b >= 0 to a, saturating rather than overflowing.
func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// advance passes the due steps and repeats of one invoice, appending what
// fires. It returns whether the invoice is escalated afterwards.
func (e *eval) advance(it *Item, sc *Scenario, st *Stage, had *bool, esc bool, fires []firing) ([]firing, bool) {
	steps := sc.Steps
	p := firstPending(steps, st, *had)
	q := p
	for q < len(steps) && !e.stepTime(it, &steps[q]).After(e.now) {
		q++
	}
	if q > p {
		// Everything up to q is passed.
		var buf [16]int
		due := buf[:0]
		for j := p; j < q; j++ {
			due = append(due, j)
		}
		fires, esc = e.catchUp(it, sc, st, due, esc, fires)
		st.ScenarioID = sc.ID
		st.Through = steps[q-1].OffsetDays
		*had = true
	}

	fires = e.repeats(it, sc, st, esc, fires, func(c Cycle) *Step { return sc.find(c.Offset, c.Channel) }, nil)
	return fires, esc
}

// repeats fires the due repeats of the invoice's cycles: stepOf finds a
// cycle's step, waits (nil: none) says a reminder on a channel cannot go
// out now (the cycle stays, and goes out merged later). A fired repeat
// counts even when its conditions do not hold; a cycle with no repeats left,
// or whose step was edited away, ends. Under RulesStatement a cycle takes its
// step's id and offset.
func (e *eval) repeats(it *Item, sc *Scenario, st *Stage, esc bool, fires []firing,
	stepOf func(Cycle) *Step, waits func(domain.Channel) bool) []firing {
	cycles := st.Cycles[:0]
	for _, c := range st.Cycles {
		step := stepOf(c)
		if c.ended(step) {
			continue // the step was edited away or has no repeats left
		}
		if (esc && step.Channel.IsReminder()) || e.sched(c.Last.AddDays(step.RepeatEveryDays)).After(e.now) ||
			(waits != nil && step.Channel.IsReminder() && waits(step.Channel)) {
			cycles = append(cycles, c)
			continue
		}
		c.Done++
		c.Last = e.today
		if e.a.Rules >= RulesStatement {
			c.StepID, c.Offset = step.ID, step.OffsetDays
		}
		if e.conditionsHold(step) {
			fires = append(fires, firing{sc: sc, index: sc.indexOf(step), invoice: it.InvoiceID, repeat: c.Done})
		}
		if c.Done < step.MaxRepeats {
			cycles = append(cycles, c)
		}
	}
	st.setCycles(cycles)
	return fires
}

// catchUp fires, of the due steps (indexes into sc.Steps, in order), those
// due at the latest moment (the latest per channel: two steps moved to the
// same Monday make one email, not two); if none of them applies, the moment
// before, and so on. A step that fires starts its repeats (named by id under
// RulesStatement). It returns whether the invoice is escalated afterwards.
func (e *eval) catchUp(it *Item, sc *Scenario, st *Stage, due []int, esc bool, fires []firing) ([]firing, bool) {
	steps := sc.Steps
	for hi := len(due); hi > 0; {
		at := e.stepTime(it, &steps[due[hi-1]])
		lo := hi - 1
		for lo > 0 && e.stepTime(it, &steps[due[lo-1]]).Equal(at) {
			lo--
		}
		escHere := false
		for _, j := range due[lo:hi] {
			if steps[j].Channel == domain.ChannelEscalation && e.conditionsHold(&steps[j]) {
				escHere = true
			}
		}
		n := len(fires)
		for k := hi - 1; k >= lo; k-- {
			j := due[k]
			step := &steps[j]
			if (step.Channel.IsReminder() && (esc || escHere)) || !e.conditionsHold(step) ||
				slices.ContainsFunc(fires[n:], func(f firing) bool { return steps[f.index].Channel == step.Channel }) {
				continue
			}
			fires = append(fires, firing{sc: sc, index: j, invoice: it.InvoiceID})
			st.dropCycles(step.Channel) // a later step on a channel takes over its cadence
			if step.RepeatEveryDays > 0 && step.MaxRepeats > 0 {
				c := Cycle{Offset: step.OffsetDays, Channel: step.Channel, Last: e.today}
				if e.a.Rules >= RulesStatement {
					c.StepID = step.ID
				}
				st.Cycles = append(st.Cycles, c)
			}
		}
		if len(fires) > n {
			return fires, esc || escHere
		}
		hi = lo
	}
	return fires, esc
}

// nextEvent is the earliest time something of the invoice could fire: its
// next pending step or repeat (reminders excluded when escalated); zero when
// nothing is left.
func (e *eval) nextEvent(it *Item, sc *Scenario, st *Stage, had bool, esc bool) time.Time {
	var ev time.Time
	for i := firstPending(sc.Steps, st, had); i < len(sc.Steps); i++ {
		if esc && sc.Steps[i].Channel.IsReminder() {
			continue // an escalated invoice gets no reminder: don't wake for one
		}
		ev = e.stepTime(it, &sc.Steps[i])
		break
	}
	for _, c := range st.Cycles {
		step := sc.find(c.Offset, c.Channel)
		if c.ended(step) || (esc && step.Channel.IsReminder()) {
			continue
		}
		if t := e.sched(c.Last.AddDays(step.RepeatEveryDays)); ev.IsZero() || t.Before(ev) {
			ev = t
		}
	}
	return ev
}

func firstPending(steps []Step, st *Stage, had bool) int {
	if !had {
		return 0
	}
	i := 0
	for i < len(steps) && steps[i].OffsetDays <= st.Through {
		i++
	}
	return i
}

func (e *eval) conditionsHold(s *Step) bool {
	if s.MinOverdueMinor > 0 && e.overdue < s.MinOverdueMinor {
		return false
	}
	if len(s.RiskClasses) > 0 {
		return slices.ContainsFunc(s.RiskClasses, func(rc string) bool {
			return strings.EqualFold(strings.TrimSpace(rc), strings.TrimSpace(e.a.RiskClass))
		})
	}
	return true
}

// stepTime is when a step of an invoice is due: due date + offset in
// calendar days, the next business day if that one is not, at the window's
// start.
func (e *eval) stepTime(it *Item, s *Step) time.Time {
	return e.schedDay(it.DueDate.days() + s.OffsetDays)
}

func (e *eval) sched(d Date) time.Time { return e.schedDay(d.days()) }

// schedDay is sched for a day number. Invoices share step days, so results
// are kept for the evaluation.
func (e *eval) schedDay(n int) time.Time {
	if t, ok := e.schedMemo[n]; ok {
		return t
	}
	t := e.win.startOn(dateFromDays(e.cal.nextBusiness(n)), e.loc)
	if e.schedMemo == nil {
		e.schedMemo = make(map[int]time.Time, 64)
	}
	e.schedMemo[n] = t
	return t
}

// allowed reports whether t (in loc) is a business day inside the window.
func (e *eval) allowed(t time.Time) bool {
	return e.cal.IsBusinessDay(DateOf(t)) && e.win.contains(t)
}

// align is the first moment at or after t when a step may fire.
func (e *eval) align(t time.Time) time.Time {
	t = t.In(e.loc)
	d := DateOf(t)
	if e.cal.IsBusinessDay(d) {
		if e.win.contains(t) {
			return t
		}
		// The opening must lie after t: it may not when the window opens in
		// a DST gap (02:30 on a spring-forward night) and time.Date picks
		// the earlier reading; then the next day's opening is the answer.
		if s := e.win.startOn(d, e.loc); !e.win.AnyTime && wallClock(t) < e.win.Start && s.After(t) {
			return s
		}
	}
	return e.win.startOn(e.cal.NextBusinessDay(d.AddDays(1)), e.loc)
}

// startOn is the window's opening on d. It is built with time.Date from the
// wall clock, never by adding a duration to midnight, so 09:00 stays 09:00 on
// DST change days.
func (w Window) startOn(d Date, loc *time.Location) time.Time {
	if w.AnyTime {
		return d.In(loc)
	}
	s := w.Start
	return time.Date(d.Year, d.Month, d.Day, int(s/time.Hour), int(s%time.Hour/time.Minute),
		int(s%time.Minute/time.Second), int(s%time.Second), loc)
}

// contains reports whether the wall-clock time of t is inside the window.
func (w Window) contains(t time.Time) bool {
	if w.AnyTime {
		return true
	}
	c := wallClock(t)
	return c >= w.Start && c < w.End
}

func wallClock(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// actions groups firings into one Action per scenario step.
func (e *eval) actions(fires []firing) []Action {
	if len(fires) == 0 {
		return nil
	}
	slices.SortFunc(fires, func(x, y firing) int {
		return cmp.Or(cmp.Compare(x.sc.ID, y.sc.ID), cmp.Compare(x.index, y.index), cmp.Compare(x.invoice, y.invoice))
	})
	var out []Action
	for i := 0; i < len(fires); {
		j := i + 1
		for j < len(fires) && fires[j].sc == fires[i].sc && fires[j].index == fires[i].index {
			j++
		}
		f := fires[i]
		ac := e.action(f)
		step := ac.Step
		ac.InvoiceIDs, ac.Repeats = make([]int64, 0, j-i), make([]int, 0, j-i)
		for _, g := range fires[i:j] {
			ac.InvoiceIDs = append(ac.InvoiceIDs, g.invoice)
			ac.Repeats = append(ac.Repeats, g.repeat)
			ac.Repeat = max(ac.Repeat, g.repeat)
		}
		ac.Key = actionKey(e.a.CustomerID, f.sc.ID, &step, ac.InvoiceIDs, ac.Repeats)
		if step.TaskDueHours > 0 {
			ac.TaskDue = e.now.Add(time.Duration(step.TaskDueHours) * time.Hour)
		}
		out = append(out, ac)
		i = j
	}
	return out
}

// action is the Action of f's step, before its invoices: Fallback is set
// when the account has no address for the step's channel.
func (e *eval) action(f firing) Action {
	step := f.sc.Steps[f.index]
	step.RiskClasses = slices.Clone(step.RiskClasses)
	ac := Action{At: e.now, ScenarioID: f.sc.ID, ScenarioVersion: f.sc.Version, StepIndex: f.index,
		Step: step, Channel: step.Channel}
	switch step.Channel {
	case domain.ChannelEmail:
		ac.Fallback = !e.a.HasEmail
	case domain.ChannelSMS, domain.ChannelVoice:
		ac.Fallback = !e.a.HasPhone
	}
	return ac
}

// actionKey derives the idempotency key from the customer, the scenario, the
// step's identity (offset and channel, stable across scenario edits) and the
// sorted invoices with their repeat numbers: 32 hex digits of a SHA-256.
// Changing this format re-sends messages in flight: bump the "v1" prefix only
// with a migration of the message log in mind.
func actionKey(customerID, scenarioID int64, s *Step, invoices []int64, repeats []int) string {
	b := make([]byte, 0, 64+24*len(invoices))
	b = append(b, "dunning/v1|"...)
	b = strconv.AppendInt(b, customerID, 10)
	b = append(b, '|')
	b = strconv.AppendInt(b, scenarioID, 10)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(s.OffsetDays), 10)
	b = append(b, '|')
	b = append(b, s.Channel...)
	for i, id := range invoices {
		b = append(b, '|')
		b = strconv.AppendInt(b, id, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(repeats[i]), 10)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
