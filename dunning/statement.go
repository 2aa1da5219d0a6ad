package dunning

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/domain"
	"recoup/money"
)

// Machine codes of Plan.WaitCodes.
const (
	WaitMessages   = "messages_wait"   // Account.MessagesWait is set
	WaitCredits    = "credits_cover"   // credits cover what is chased in a currency
	WaitThreshold  = "below_threshold" // the net amount due is below Account.MinChaseMinor
	WaitContactGap = "contact_gap"     // a message on the channel went out less than MinDaysBetween ago
	WaitHold       = "invoice_hold"    // an invoice is held (Item.Hold)
)

// reminderChannels are the customer-facing channels, in the order merged
// messages are listed.
var reminderChannels = []domain.Channel{domain.ChannelEmail, domain.ChannelSMS, domain.ChannelVoice}

// planStatement is PlanAt under RulesStatement. It differs from the rules
// before in six ways:
//
//   - One message per channel: every reminder (email, sms, voice) due at this
//     evaluation, for any invoice, step or repeat, is one Action per channel.
//     Its Step (tone, template) is the most advanced among them: the highest
//     OffsetDays, then the highest repeat, then the later step, then the
//     higher scenario id. Action.Covered lists what it covers; its key is
//     derived from that set ("dunning/v2|"). Tasks and escalations stay one
//     Action per step.
//   - Contact pressure: after a message on a channel, reminders on it wait
//     (neither fire nor pass) for MinDaysBetween days, then go out merged.
//     When invoices of scenarios with different gaps share a channel, the
//     largest gap applies: the customer is one person.
//   - Netting: per currency, what is chased is the overdue amount (the open
//     amount when nothing is overdue yet) of open, undisputed, unheld
//     invoices minus the credits. When credits cover it, or (account
//     currency) it is below MinChaseMinor, that currency's reminders wait.
//     Tasks and escalations keep their conditions as before (gross amounts):
//     they are work for people, who see the credits.
//   - MessagesWait: reminders wait; tasks and escalations go on.
//   - Item.Hold holds its invoice like a promise, through Until (or until
//     released); the day after Until is a wake-up.
//   - Steps are known by id (Stage.Done, Stage.Waiting, Cycle.StepID): a
//     step moved later does not fire again, a removed one stops, an added
//     one at an offset already passed does not catch up.
func planStatement(a Account, s State, now time.Time) Plan {
	e := newEval(&a, now)
	items := e.sortedItems(a.Items)
	e.overdue = overdueTotal(items, e.today)
	r := newRules(e, items, s)

	out := State{LastContact: maps.Clone(s.LastContact)}
	var (
		fires []firing
		next  time.Time
	)
	for i := range items {
		it := &items[i]
		sc, st, had, ok := e.stage(it, s, &out, len(items))
		if !ok {
			continue
		}
		if had {
			st.adoptIDs(sc)
		}
		promised := it.promised(e.today)
		onHold := it.held(e.today)
		if onHold {
			until := "released"
			if it.Hold.Until != nil {
				until = it.Hold.Until.String()
			}
			r.note(WaitHold, fmt.Sprintf("invoice %s held until %s: %s", invoiceName(it), until, it.Hold.Reason))
		}
		esc := it.Escalated
		if e.canFire && !promised && !onHold {
			fires, esc = r.advance(it, sc, &st, &had, esc, fires)
		}
		ev := r.nextEvent(it, sc, &st, had, esc)
		if promised || onHold {
			ev = time.Time{}
			if promised {
				ev = it.PromiseUntil.AddDays(1).In(e.loc)
			}
			if onHold && it.Hold.Until != nil {
				if t := it.Hold.Until.AddDays(1).In(e.loc); ev.IsZero() || t.After(ev) {
					ev = t // held through the later of the two
				}
			}
		}
		if !ev.IsZero() && (next.IsZero() || ev.Before(next)) {
			next = ev
		}
		if had {
			out.keep(it.InvoiceID, st, len(items))
		}
	}

	next = e.wakeAt(next)
	due := r.actions(fires, &out)
	p := Plan{Due: due, Next: next, State: out, Warnings: e.warnings()}
	p.Waiting, p.WaitCodes = r.reasons()
	return p
}

// rules holds what planStatement computes once per evaluation.
type rules struct {
	e     *eval
	s     State
	gap   map[domain.Channel]int
	chase map[money.Currency]int64 // net amount chased, per currency
	cred  map[money.Currency]int64
	wait  map[string]string // reason text → code, for the reasons that applied
	// memo: blocked's answer per currency and channel (it does not change
	// within an evaluation); index: step id → index, per scenario.
	memo  map[blockKey]string
	gapAt map[domain.Channel]time.Time
	index map[*Scenario]map[string]int
	// nextDue is the next due date of an open item: the day after, what is
	// overdue grows, which may end a wait for credits or the threshold.
	nextDue Date
}

func newRules(e *eval, items []Item, s State) *rules {
	r := &rules{e: e, s: s, gap: maps.Clone(DefaultMinDaysBetween), chase: map[money.Currency]int64{},
		cred: map[money.Currency]int64{}, wait: map[string]string{}}
	overdue := map[money.Currency]int64{}
	open := map[money.Currency]int64{}
	seenScenario := map[int64]bool{}
	for i := range items {
		it := &items[i]
		if it.Status != domain.StatusOpen || it.OpenMinor <= 0 {
			continue
		}
		seenScenario[it.ScenarioID] = true
		if it.promised(e.today) || it.held(e.today) {
			continue
		}
		c := r.currency(it.Currency)
		open[c] = satAdd(open[c], it.OpenMinor)
		if it.DueDate.Before(e.today) {
			overdue[c] = satAdd(overdue[c], it.OpenMinor)
		} else if r.nextDue.IsZero() || it.DueDate.Before(r.nextDue) {
			r.nextDue = it.DueDate
		}
	}
	r.gaps(seenScenario)
	for _, cr := range e.a.Credits {
		if cr.Minor > 0 {
			c := r.currency(cr.Currency)
			r.cred[c] = satAdd(r.cred[c], cr.Minor)
		}
	}
	for c, o := range open {
		base := overdue[c]
		if base == 0 {
			base = o // nothing overdue yet: a courtesy reminder asks for what is open
		}
		r.chase[c] = base - r.cred[c]
	}
	return r
}

// gaps sets each channel's gap to the largest value the account's
// scenarios give it (a scenario without a setting gives the default).
func (r *rules) gaps(used map[int64]bool) {
	ids := slices.Sorted(maps.Keys(used))
	for _, ch := range reminderChannels {
		g, any := 0, false
		for _, id := range ids {
			sc, ok := r.e.a.Scenarios[id]
			if !ok {
				continue
			}
			d, set := sc.Settings.MinDaysBetween[ch]
			if !set {
				d = DefaultMinDaysBetween[ch]
			}
			if !any || d > g {
				g, any = d, true
			}
		}
		if !any {
			g = DefaultMinDaysBetween[ch]
		}
		r.gap[ch] = max(g, 0)
	}
}

func (r *rules) currency(c money.Currency) money.Currency {
	if c.IsZero() {
		return r.e.a.Currency
	}
	return c
}

type blockKey struct {
	c  money.Currency
	ch domain.Channel
}

// blocked says why reminders of the invoice on ch cannot go out now, or "".
// It records the reason for Plan.Waiting.
func (r *rules) blocked(it *Item, ch domain.Channel) string {
	k := blockKey{r.currency(it.Currency), ch}
	if code, ok := r.memo[k]; ok {
		return code
	}
	code := r.whyBlocked(it, ch)
	if r.memo == nil {
		r.memo = make(map[blockKey]string, 4)
	}
	r.memo[k] = code
	return code
}

// findID is the index of the step with that id in sc, -1 when none.
func (r *rules) findID(sc *Scenario, id string) int {
	idx, ok := r.index[sc]
	if !ok {
		idx = make(map[string]int, len(sc.Steps))
		for i := range sc.Steps {
			idx[sc.Steps[i].ID] = i
		}
		if r.index == nil {
			r.index = make(map[*Scenario]map[string]int, 2)
		}
		r.index[sc] = idx
	}
	if i, ok := idx[id]; ok {
		return i
	}
	return -1
}

func (r *rules) whyBlocked(it *Item, ch domain.Channel) string {
	a := r.e.a
	if a.MessagesWait != "" {
		r.note(WaitMessages, "messages wait: "+a.MessagesWait)
		return WaitMessages
	}
	c := r.currency(it.Currency)
	if net := r.chase[c]; r.cred[c] > 0 && net <= 0 {
		r.note(WaitCredits, fmt.Sprintf("credits of %s %s cover what is due in %s: no reminder",
			money.FormatMinor(r.cred[c], c), c, c))
		return WaitCredits
	}
	if c == r.currency(money.Currency{}) && a.MinChaseMinor > 0 && r.chase[c] < a.MinChaseMinor {
		r.note(WaitThreshold, fmt.Sprintf("net amount due %s %s is below the minimum to chase (%s): no reminder",
			money.FormatMinor(max(r.chase[c], 0), c), c, money.FormatMinor(a.MinChaseMinor, c)))
		return WaitThreshold
	}
	if end, ok := r.gapEnd(ch); ok && r.e.today.Before(end) {
		r.note(WaitContactGap, fmt.Sprintf("last %s on %s: the next may go on %s (at least %d days between)",
			ch, r.s.LastContact[ch], end, r.gap[ch]))
		return WaitContactGap
	}
	return ""
}

// gapOpens is when a message on ch may go again (zero: now), once per evaluation.
func (r *rules) gapOpens(ch domain.Channel) time.Time {
	if t, ok := r.gapAt[ch]; ok {
		return t
	}
	var t time.Time
	if end, ok := r.gapEnd(ch); ok {
		t = r.e.sched(end)
	}
	if r.gapAt == nil {
		r.gapAt = make(map[domain.Channel]time.Time, 3)
	}
	r.gapAt[ch] = t
	return t
}

// gapEnd is the first date a message on ch may go again.
func (r *rules) gapEnd(ch domain.Channel) (Date, bool) {
	last, ok := r.s.LastContact[ch]
	if !ok || last.IsZero() || r.gap[ch] <= 0 {
		return Date{}, false
	}
	return last.AddDays(r.gap[ch]), true
}

func (r *rules) note(code, text string) { r.wait[text] = code }

func (r *rules) reasons() (texts, codes []string) {
	for t, c := range r.wait {
		texts = append(texts, t)
		codes = append(codes, c)
	}
	slices.Sort(texts)
	slices.Sort(codes)
	return texts, slices.Compact(codes)
}

// adoptIDs reads a Stage of the rules before ids: steps at or before Through
// are done, and so are steps whose id was derived from such an offset (the
// step was saved with its id, then moved later); cycles get their step's id.
func (st *Stage) adoptIDs(sc *Scenario) {
	if len(st.Done) == 0 && len(st.Waiting) == 0 {
		for i := range sc.Steps {
			o, derived := derivedOffset(sc.Steps[i].ID, sc.Steps[i].Channel)
			if sc.Steps[i].OffsetDays <= st.Through || derived && o <= st.Through {
				st.Done = append(st.Done, sc.Steps[i].ID)
			}
		}
		slices.Sort(st.Done)
	}
	for i := range st.Cycles {
		if st.Cycles[i].StepID == "" {
			if step := sc.find(st.Cycles[i].Offset, st.Cycles[i].Channel); step != nil {
				st.Cycles[i].StepID = step.ID
			}
		}
	}
}

func (st *Stage) pending(s *Step, had bool) bool {
	if !had {
		return true
	}
	// pending = not done, and after Through or waiting; the cheap tests first.
	if s.OffsetDays <= st.Through {
		if len(st.Waiting) == 0 {
			return false
		}
		if _, waiting := slices.BinarySearch(st.Waiting, s.ID); !waiting {
			return false
		}
	}
	_, done := slices.BinarySearch(st.Done, s.ID)
	return !done
}

// advance is eval.advance with step ids and waiting reminders.
func (r *rules) advance(it *Item, sc *Scenario, st *Stage, had *bool, esc bool, fires []firing) ([]firing, bool) {
	e := r.e
	steps := sc.Steps
	var due, cand []int
	var waiting []string
	for i := range steps {
		if !st.pending(&steps[i], *had) {
			continue
		}
		if e.stepTime(it, &steps[i]).After(e.now) {
			break // steps are in order: the rest are later still
		}
		due = append(due, i)
	}
	for _, j := range due {
		if steps[j].Channel.IsReminder() && !esc && r.blocked(it, steps[j].Channel) != "" {
			waiting = append(waiting, steps[j].ID)
		} else {
			cand = append(cand, j)
		}
	}
	if len(due) > 0 {
		// Catch-up over the steps that may go out; the waiting ones stay.
		fires, esc = e.catchUp(it, sc, st, cand, esc, fires)
		through := steps[due[len(due)-1]].OffsetDays // steps are in offset order
		if *had {
			through = max(through, st.Through)
		}
		st.Done = slices.Clone(st.Done) // shared with the input state until now
		for _, j := range cand {
			st.Done = append(st.Done, steps[j].ID)
		}
		// Still waiting: what waits now, and earlier waiting steps not due
		// (moved later by an edit).
		for _, id := range st.Waiting {
			if r.findID(sc, id) >= 0 && !slices.ContainsFunc(due, func(j int) bool { return steps[j].ID == id }) {
				waiting = append(waiting, id)
			}
		}
		st.ScenarioID, st.Through, st.Waiting = sc.ID, through, waiting
		*had = true
		// Only ids of the version's steps are kept (a removed step is gone);
		// tidied when the stage changes, not at every evaluation.
		st.Done = slices.DeleteFunc(st.Done, func(id string) bool { return r.findID(sc, id) < 0 })
		slices.Sort(st.Done)
		st.Done = slices.Compact(st.Done)
		slices.Sort(st.Waiting)
		st.Waiting = slices.Compact(st.Waiting)
		if len(st.Done) == 0 {
			st.Done = nil
		}
		if len(st.Waiting) == 0 {
			st.Waiting = nil
		}
	}

	fires = e.repeats(it, sc, st, esc, fires, func(c Cycle) *Step { return r.cycleStep(sc, c) },
		func(ch domain.Channel) bool { return r.blocked(it, ch) != "" })
	return fires, esc
}

func (r *rules) cycleStep(sc *Scenario, c Cycle) *Step {
	if c.StepID != "" {
		if i := r.findID(sc, c.StepID); i >= 0 {
			return &sc.Steps[i]
		}
		return nil
	}
	return sc.find(c.Offset, c.Channel)
}

// nextEvent is the earliest time something of the invoice could go out:
// pending steps and repeats, a reminder waiting for a contact gap at the
// gap's end; one waiting for credits or the threshold at the next day an
// invoice becomes overdue (data changes wake the workflow on their own).
func (r *rules) nextEvent(it *Item, sc *Scenario, st *Stage, had bool, esc bool) time.Time {
	e := r.e
	var ev time.Time
	consider := func(t time.Time, step *Step) {
		if step.Channel.IsReminder() {
			if esc {
				return
			}
			if g := r.gapOpens(step.Channel); g.After(t) {
				t = g
			}
			if !t.After(e.now) {
				if code := r.blocked(it, step.Channel); code != "" && code != WaitContactGap {
					if code != WaitMessages && !r.nextDue.IsZero() {
						t = e.sched(r.nextDue.AddDays(1))
					} else {
						return
					}
				}
			}
		}
		if ev.IsZero() || t.Before(ev) {
			ev = t
		}
	}
	for i := range sc.Steps {
		if !st.pending(&sc.Steps[i], had) {
			continue
		}
		t := e.stepTime(it, &sc.Steps[i])
		if !ev.IsZero() && !t.Before(ev) {
			break // steps are in order and waits only push later: none is earlier
		}
		consider(t, &sc.Steps[i])
	}
	for _, c := range st.Cycles {
		step := r.cycleStep(sc, c)
		if c.ended(step) {
			continue
		}
		consider(e.sched(c.Last.AddDays(step.RepeatEveryDays)), step)
	}
	return ev
}

// actions makes one Action per reminder channel from the reminder firings,
// and one per step (eval.actions) from the rest; it records the contact.
func (r *rules) actions(fires []firing, out *State) []Action {
	e := r.e
	var people []firing
	byCh := map[domain.Channel][]firing{}
	for _, f := range fires {
		if ch := f.sc.Steps[f.index].Channel; ch.IsReminder() {
			byCh[ch] = append(byCh[ch], f)
		} else {
			people = append(people, f)
		}
	}
	var acts []Action
	for _, ch := range reminderChannels {
		fs := byCh[ch]
		if len(fs) == 0 {
			continue
		}
		best := fs[0]
		for _, f := range fs[1:] {
			if moreAdvanced(f, best) {
				best = f
			}
		}
		ac := e.action(best)
		for _, f := range fs {
			ac.Covered = append(ac.Covered, Covered{InvoiceID: f.invoice, ScenarioID: f.sc.ID,
				StepID: f.sc.Steps[f.index].ID, Repeat: f.repeat})
		}
		slices.SortFunc(ac.Covered, func(x, y Covered) int {
			return cmp.Or(cmp.Compare(x.InvoiceID, y.InvoiceID), cmp.Compare(x.ScenarioID, y.ScenarioID),
				strings.Compare(x.StepID, y.StepID), cmp.Compare(x.Repeat, y.Repeat))
		})
		for _, c := range ac.Covered {
			if n := len(ac.InvoiceIDs); n > 0 && ac.InvoiceIDs[n-1] == c.InvoiceID {
				ac.Repeats[n-1] = max(ac.Repeats[n-1], c.Repeat)
			} else {
				ac.InvoiceIDs = append(ac.InvoiceIDs, c.InvoiceID)
				ac.Repeats = append(ac.Repeats, c.Repeat)
			}
			ac.Repeat = max(ac.Repeat, c.Repeat)
		}
		ac.Key = coveredKey(e.a.CustomerID, ch, ac.Covered)
		if out.LastContact == nil {
			out.LastContact = make(map[domain.Channel]Date, 1)
		}
		out.LastContact[ch] = e.today
		acts = append(acts, ac)
	}
	return append(acts, e.actions(people)...)
}

// moreAdvanced orders the steps of a merged message: the highest offset,
// then repeat, then the later step, then the higher scenario id.
func moreAdvanced(f, g firing) bool {
	return cmp.Or(cmp.Compare(f.sc.Steps[f.index].OffsetDays, g.sc.Steps[g.index].OffsetDays),
		cmp.Compare(f.repeat, g.repeat), cmp.Compare(f.index, g.index), cmp.Compare(f.sc.ID, g.sc.ID)) > 0
}

// coveredKey is the idempotency key of a merged message: the customer, the
// channel and the sorted (invoice, scenario, step id, repeat) it covers, 32
// hex digits of a SHA-256. The same set gives the same key on a retry or a
// restart, so it is never sent twice.
func coveredKey(customerID int64, ch domain.Channel, cov []Covered) string {
	b := make([]byte, 0, 48+40*len(cov))
	b = append(b, "dunning/v2|"...)
	b = strconv.AppendInt(b, customerID, 10)
	b = append(b, '|')
	b = append(b, ch...)
	for _, c := range cov {
		b = append(b, '|')
		b = strconv.AppendInt(b, c.InvoiceID, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, c.ScenarioID, 10)
		b = append(b, ':')
		b = append(b, c.StepID...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(c.Repeat), 10)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// derivedOffset reads the offset out of an id DerivedStepID made (with or
// without AssignStepIDs' suffix).
func derivedOffset(id string, ch domain.Channel) (int, bool) {
	rest, ok := strings.CutPrefix(id, string(ch)+"-")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, "-")
	neg := strings.HasPrefix(num, "m")
	n, err := strconv.Atoi(strings.TrimPrefix(num, "m"))
	if err != nil || n < 0 || num == "" {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func invoiceName(it *Item) string {
	if it.Number != "" {
		return it.Number
	}
	return strconv.FormatInt(it.InvoiceID, 10)
}
