package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/money"
)

// behaviour is how a customer pays; it drives its open amounts and payments.
type behaviour int

const (
	early behaviour = iota
	onTime
	late
	partial
	never
	nBehaviours
)

func (b behaviour) String() string {
	return [...]string{"early", "on_time", "late", "partial", "never"}[b]
}

// behaviourDeck, like entityDeck, is dealt per block so every behaviour shows
// up even in a small data set.
var behaviourDeck = []behaviour{
	early, early, early,
	onTime, onTime, onTime, onTime, onTime, onTime, onTime,
	late, late, late, late, late,
	partial, partial, partial,
	never, never,
}

// remitterDeck: one customer in ten often pays without saying what for.
var remitterDeck = []bool{true, false, false, false, false, false, false, false, false, false}

const (
	retail     = "retail"
	wholesale  = "wholesale"
	public     = "public"
	keyAccount = "key_account"
)

var categories = []weighted[string]{{retail, 40}, {wholesale, 32}, {public, 13}, {keyAccount, 15}}

// amountBands weights the decades an invoice amount falls in, in the
// currency's unit: [100, 1k), [1k, 10k), [10k, 100k), [100k, 1M). Most are small.
var amountBands = map[string][4]int{
	retail:     {60, 32, 7, 1},
	wholesale:  {30, 45, 20, 5},
	public:     {25, 45, 25, 5},
	keyAccount: {10, 35, 40, 15},
	"credit":   {70, 25, 5, 0},
}

// invoiceCounts is the range of invoices a customer of a category gets.
var invoiceCounts = map[string][2]int{
	retail: {1, 6}, wholesale: {3, 12}, public: {2, 8}, keyAccount: {8, 15},
}

// creditLimits is the range of credit limits, in thousands of the currency's unit.
var creditLimits = map[string][2]int64{
	retail: {5, 50}, wholesale: {20, 250}, public: {50, 500}, keyAccount: {250, 2000},
}

// riskClasses is how the credit team rated each behaviour: mostly right, not always.
var riskClasses = [nBehaviours][]weighted[string]{
	early:   {{"A", 85}, {"B", 15}},
	onTime:  {{"A", 55}, {"B", 40}, {"C", 5}},
	late:    {{"B", 45}, {"C", 45}, {"D", 10}},
	partial: {{"B", 20}, {"C", 60}, {"D", 20}},
	never:   {{"C", 25}, {"D", 75}},
}

// unitScale multiplies amounts of currencies whose unit is worth much less
// than the others', so a yen invoice is not a hundredth of a euro one.
var unitScale = map[string]int64{"JPY": 100}

const (
	historyDays = 183 // invoices are issued over the past six months
	maxDocs     = 15  // invoices and credit notes per customer
	// bookingLag is how far behind the ERP's cash application runs: payments
	// received in the last bookingLag days are not in its open amounts yet.
	bookingLag = 10
	// unmatchedDays: a payment without remittance advice stays unapplied in the
	// ERP for up to this long; older ones were matched by hand since.
	unmatchedDays = 45
)

// Random streams, so that each part of the data set draws from its own
// sequence and can be regenerated alone.
const (
	streamEntityDeck uint64 = iota + 1
	streamBehaviourDeck
	streamCustomer
	streamDocs
	streamRemitterDeck
)

func newRand(seed int64, stream, n uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(uint64(seed)^stream*0x9e3779b97f4a7c15), mix(n^stream<<56)))
}

// mix is SplitMix64's finalizer: neighbouring indexes get unrelated PCG states.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	panic("unreachable")
}

func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, percent int) bool { return r.IntN(100) < percent }

// deck deals a fixed multiset per block of customers, shuffled by the seed.
type deck[T any] struct {
	cards  []T
	seed   int64
	stream uint64
	block  int
	perm   []int
}

func (d *deck[T]) at(i int) T {
	if b := i / len(d.cards); d.perm == nil || b != d.block {
		d.block, d.perm = b, newRand(d.seed, d.stream, uint64(b)).Perm(len(d.cards))
	}
	return d.cards[d.perm[i%len(d.cards)]]
}

type generator struct {
	seed       int64
	customers  int
	today      time.Time
	entities   deck[int]
	behaviours deck[behaviour]
	remitters  deck[bool]
	currencies map[string]money.Currency
}

func newGenerator(opts Options) (*generator, error) {
	if opts.Customers < 0 {
		return nil, fmt.Errorf("demo: customers must not be negative, got %d", opts.Customers)
	}
	if opts.Today.IsZero() {
		// A default of time.Now would make the output depend on the day it runs.
		return nil, fmt.Errorf("demo: Today is required")
	}
	y, m, d := opts.Today.UTC().Date()
	g := &generator{
		seed:       opts.Seed,
		customers:  opts.Customers,
		today:      time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		entities:   deck[int]{cards: entityDeck, seed: opts.Seed, stream: streamEntityDeck},
		behaviours: deck[behaviour]{cards: behaviourDeck, seed: opts.Seed, stream: streamBehaviourDeck},
		remitters:  deck[bool]{cards: remitterDeck, seed: opts.Seed, stream: streamRemitterDeck},
		currencies: map[string]money.Currency{},
	}
	for _, e := range entities {
		for _, l := range append([]*locale{e.home}, e.abroad...) {
			g.currencies[l.currency] = money.MustCurrency(l.currency)
		}
	}
	return g, nil
}

// customer is one generated customer; everything about it follows from the
// seed and its index.
type customer struct {
	idx        int
	externalID string
	entity     *entity
	loc        *locale
	cur        money.Currency
	name       string
	category   string
	email      string
	phone      string
	timezone   string
	limit      int64 // minor units; -1: no credit limit
	agent      string
	rep        string
	risk       string
	behaviour  behaviour
	terms      int
	// poorRemitter often pays without saying which invoice, which leaves the
	// payment unallocated.
	poorRemitter bool
}

func (g *generator) customer(i int) customer {
	r := newRand(g.seed, streamCustomer, uint64(i))
	c := customer{
		idx:        i,
		externalID: fmt.Sprintf("C%06d", i+1),
		entity:     entities[g.entities.at(i)],
		behaviour:  g.behaviours.at(i),
	}
	c.loc = c.entity.home
	if len(c.entity.abroad) > 0 && chance(r, 7) {
		c.loc = one(r, c.entity.abroad)
	}
	c.cur = g.currencies[c.loc.currency]
	c.category = pick(r, categories)
	where := one(r, c.loc.cities)
	c.timezone = c.loc.tz
	if where.tz != "" {
		c.timezone = where.tz
	}
	var slug string
	c.name, slug = companyName(r, c.loc, c.category, where.name)
	if !chance(r, 4) {
		c.email = one(r, c.loc.mailboxes) + "@" + slug + ".example"
	}
	if chance(r, 82) {
		c.phone = one(r, c.loc.phones) + digits(r, c.loc.phoneDigits)
	}
	c.terms = one(r, c.entity.terms)
	if c.category == public {
		c.terms = 60 // public buyers pay at the legal maximum
	}
	if chance(r, 95) {
		c.agent = one(r, c.entity.agents)
	}
	if chance(r, 85) {
		c.rep = one(r, c.entity.reps)
	}
	c.limit = -1
	withLimit := 92
	if c.category == public {
		withLimit = 60 // the public sector is rarely given a limit
	}
	if chance(r, withLimit) {
		lim := creditLimits[c.category]
		const step = 5 // thousands
		k := lim[0] + r.Int64N((lim[1]-lim[0])/step+1)*step
		c.limit = k * 1000 * unit(c.cur)
	}
	c.risk = pick(r, riskClasses[c.behaviour])
	c.poorRemitter = c.behaviour != never && g.remitters.at(i)
	return c
}

// unit is one unit of the currency (scaled for weak currencies) in minor units.
func unit(c money.Currency) int64 {
	u := int64(1)
	for range c.Exponent() {
		u *= 10
	}
	if s, ok := unitScale[c.Code()]; ok {
		u *= s
	}
	return u
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// companyName returns a name in the local style and the slug its mail domain uses.
func companyName(r *rand.Rand, l *locale, category, cityName string) (name, slug string) {
	st := l.style
	if category == public {
		name = fmt.Sprintf(one(r, st.public), cityName)
		return name, slugify(name)
	}
	surname := one(r, st.surnames)
	var base string
	if chance(r, 20) || (category == keyAccount && chance(r, 40)) {
		base = fmt.Sprintf(one(r, st.family), surname)
	} else if trade := one(r, st.trades); st.tradeFirst {
		base = trade + " " + surname
	} else {
		base = surname + " " + trade
	}
	return base + " " + one(r, l.legalForms()), slugify(base)
}

var transliterate = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue",
	"á", "a", "à", "a", "â", "a", "ã", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e", "É", "e",
	"í", "i", "î", "i", "ï", "i", "ñ", "n", "ó", "o", "ô", "o", "õ", "o", "ú", "u", "ù", "u", "û", "u",
	"'", "", "&", " ", ".", " ", ",", " ", "(", " ", ")", " ",
)

// slugify turns a name into a DNS label: ASCII, lower case, a few words at most.
func slugify(s string) string {
	var words []string
	n := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(transliterate.Replace(s)), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}) {
		if n > 0 && n+len(w) > 24 {
			break
		}
		words = append(words, w)
		n += len(w) + 1
	}
	return strings.Join(words, "-")
}

// doc is one invoice or credit note with the payments its customer makes on it.
type doc struct {
	seq      int
	credit   bool
	number   string
	issue    time.Time
	due      time.Time
	amount   int64
	applied  bool // credit note already offset in the ERP
	payments []installment
}

type installment struct {
	on       time.Time
	amount   int64
	remitted bool // the customer said which invoice it pays
}

// docs generates the customer's invoices and credit notes, oldest first. It
// draws from the customer's own stream, so the invoices and payments files
// each regenerate the same documents without keeping them.
func (g *generator) docs(c *customer, out []doc) []doc {
	r := newRand(g.seed, streamDocs, uint64(c.idx))
	cnt := invoiceCounts[c.category]
	invoices := cnt[0] + r.IntN(cnt[1]-cnt[0]+1)
	credits := 0
	if chance(r, 22) {
		credits = 1 + r.IntN(2)
	}
	invoices = min(invoices, maxDocs-credits)

	type slot struct {
		daysAgo int
		credit  bool
	}
	var slots [maxDocs]slot
	for k := range invoices + credits {
		slots[k] = slot{daysAgo: r.IntN(historyDays), credit: k >= invoices}
	}
	s := slots[:invoices+credits]
	slices.SortStableFunc(s, func(a, b slot) int { return b.daysAgo - a.daysAgo })

	out = out[:0]
	for k, sl := range s {
		d := doc{credit: sl.credit, issue: g.today.AddDate(0, 0, -sl.daysAgo)}
		// Numbers are unique across the data set, and carry no date so that a
		// load on a later day updates the same invoices rather than adding others.
		d.seq = c.idx*(maxDocs+1) + k + 1
		prefix := c.entity.invPrefix
		if d.credit {
			prefix = c.entity.cnPrefix
		}
		d.number = prefix + "-" + fmt.Sprintf("%06d", d.seq)
		if d.credit {
			d.due = d.issue
			d.amount = amount(r, amountBands["credit"], c.cur)
			// Recent credit notes wait to be offset against an invoice; half the older ones were.
			d.applied = sl.daysAgo > 45 && chance(r, 50)
		} else {
			terms := c.terms
			if chance(r, 10) {
				terms = one(r, []int{30, 45, 60})
			}
			d.due = d.issue.AddDate(0, 0, terms)
			d.amount = amount(r, amountBands[c.category], c.cur)
			d.payments = payPlan(r, c, d)
		}
		out = append(out, d)
	}
	return out
}

// amount draws an amount in minor units: a decade by weight, then uniformly within it.
func amount(r *rand.Rand, bands [4]int, cur money.Currency) int64 {
	n := r.IntN(bands[0] + bands[1] + bands[2] + bands[3])
	lo := int64(100)
	for _, w := range bands {
		if n < w {
			break
		}
		n -= w
		lo *= 10
	}
	lo *= unit(cur)
	return lo + r.Int64N(9*lo)
}

// payPlan is when and how the customer pays an invoice, as if time went on
// forever; settle then cuts it at Today.
func payPlan(r *rand.Rand, c *customer, d doc) []installment {
	at := func(days int) time.Time {
		t := d.due.AddDate(0, 0, days)
		if first := d.issue.AddDate(0, 0, 1); t.Before(first) {
			t = first
		}
		return t
	}
	var p []installment
	pay := func(on time.Time, amt int64) {
		remitted := !chance(r, 2) && !(c.poorRemitter && chance(r, 50))
		p = append(p, installment{on: on, amount: amt, remitted: remitted})
	}
	switch c.behaviour {
	case early:
		pay(at(-2-r.IntN(13)), d.amount)
	case onTime:
		if chance(r, 8) { // even good payers lose an invoice now and then
			pay(at(20+r.IntN(41)), d.amount)
		} else {
			pay(at(-3+r.IntN(6)), d.amount)
		}
	case late:
		amt := d.amount
		if chance(r, 10) { // short payment: a deduction the customer disputes, left open
			amt -= max(1, d.amount*int64(1+r.IntN(8))/100)
		}
		pay(at(10+r.IntN(66)), amt)
	case partial:
		if chance(r, 20) {
			pay(at(20+r.IntN(41)), d.amount)
			break
		}
		first := d.amount * int64(one(r, []int{20, 25, 30, 40, 50, 60})) / 100
		pay(at(r.IntN(31)), first)
		if chance(r, 40) {
			pay(at(40+r.IntN(71)), d.amount-first)
		}
	case never:
	}
	return p
}

// payment is one row of the payments file.
type payment struct {
	// id names the payment by what it is (its date, invoice and instalment),
	// so a load on a later day, when dates have moved, adds new payments
	// instead of changing old ones, which the importer refuses.
	id            string
	on            time.Time
	amount        int64
	invoiceNumber string // empty: unallocated
}

// settle cuts a document's payment plan at Today, following the rule that
// keeps the two files coherent and the import free of rejections:
//
//   - the invoices file carries the ERP's open amount, which deducts the
//     payments the ERP has booked: those with remittance advice received up to
//     bookingLag days ago, and those without it older than unmatchedDays
//     (matched by hand since);
//   - the payments file carries the rest received up to Today: the last days'
//     bank receipts the ERP has not booked yet (allocated to their invoice) and
//     the unmatched ones (unallocated), so Recoup deducts each payment exactly once;
//   - payments planned after Today have not happened: the invoice stays open.
//
// So an allocated payment never exceeds the open amount the ERP sent, and
// every payment refers to an invoice of its customer, in its currency.
func (g *generator) settle(d *doc, rows []payment) (erpOpen int64, _ []payment) {
	if d.credit {
		if d.applied {
			return 0, rows
		}
		return d.amount, rows
	}
	booked := g.today.AddDate(0, 0, -bookingLag)
	matched := g.today.AddDate(0, 0, -unmatchedDays)
	erpOpen = d.amount
	for j, p := range d.payments {
		switch {
		case p.on.After(g.today):
		case p.remitted && !p.on.After(booked), !p.remitted && !p.on.After(matched):
			erpOpen -= p.amount
		default:
			row := payment{id: p.on.Format("20060102") + "-" + strconv.Itoa(d.seq) + "-" + strconv.Itoa(j+1),
				on: p.on, amount: p.amount}
			if p.remitted {
				row.invoiceNumber = d.number
			}
			rows = append(rows, row)
		}
	}
	return erpOpen, rows
}

func sortPayments(rows []payment) {
	slices.SortStableFunc(rows, func(a, b payment) int { return a.on.Compare(b.on) })
}
