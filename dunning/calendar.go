package dunning

import (
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	calat "github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/mw"
	"github.com/rickar/cal/v2/nc"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/ua"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"
)

// nationalHolidays maps an ISO 3166-1 alpha-2 code to the national holidays
// rickar/cal knows for it (its Holidays list: national, not regional).
var nationalHolidays = map[string][]*cal.Holiday{
	"AR": ar.Holidays, "AT": calat.Holidays, "BE": be.Holidays, "BG": bg.Holidays,
	"BR": br.Holidays, "CA": ca.Holidays, "CH": ch.Holidays, "CZ": cz.Holidays,
	"DE": de.Holidays, "DK": dk.Holidays, "ES": es.Holidays, "FR": fr.Holidays,
	"GB": gb.Holidays, "GR": gr.Holidays, "HR": hr.Holidays, "IE": ie.Holidays,
	"IT": it.Holidays, "JP": jp.Holidays, "LT": lt.Holidays, "LV": lv.Holidays,
	"MW": mw.Holidays, "NC": nc.Holidays, "NL": nl.Holidays, "NO": no.Holidays,
	"NZ": nz.Holidays, "PL": pl.Holidays, "RO": ro.Holidays, "RU": ru.Holidays,
	"SE": se.Holidays, "SI": si.Holidays, "SK": sk.Holidays, "UA": ua.Holidays,
	"US": us.Holidays, "ZA": za.Holidays,
	// rickar/cal has only per-state lists for Australia; these are the days
	// every state observes.
	"AU": {au.NewYear, au.AustraliaDay, au.GoodFriday, au.EasterMonday, au.AnzacDay, au.ChristmasDay, au.BoxingDay},
}

// countryAliases maps codes people use for a country to its ISO code.
var countryAliases = map[string]string{"UK": "GB", "EL": "GR"}

// fridaySaturday lists countries whose weekend is Friday and Saturday. The
// United Arab Emirates moved to a Saturday–Sunday weekend on 2022-01-01, so
// AE is not here.
var fridaySaturday = map[string]bool{
	"BH": true, "KW": true, "OM": true, "QA": true, "SA": true, // Gulf
	"BD": true, "DZ": true, "EG": true, "IL": true, "IQ": true, "JO": true,
	"LY": true, "MV": true, "SD": true, "SY": true, "YE": true,
}

// saturdayOnly lists countries whose weekend is Saturday alone.
var saturdayOnly = map[string]bool{"NP": true}

// Calendar tells business days of one country: its weekend and its public
// holidays. It is safe for concurrent use; holidays are computed once per year
// and kept.
type Calendar struct {
	base     *Calendar        // set on a calendar with extra dates: the shared one it adds to
	extra    map[int]struct{} // day numbers of the extra dates
	country  string
	known    bool
	weekend  [7]bool
	holidays []*cal.Holiday
	years    sync.Map // year → *yearSet
}

// yearSet has bit n set when day-of-year n is a holiday.
type yearSet [6]uint64

var calendars sync.Map // normalized country → *Calendar

// NewCalendar returns the (shared, cached) calendar of an ISO 3166-1 alpha-2
// country code. known is false when no public holidays are known for the
// country: its calendar then has weekends only, and the caller should say so
// once (PlanAt reports it as a warning).
func NewCalendar(country string) (c *Calendar, known bool) {
	code := strings.ToUpper(strings.TrimSpace(country))
	if alias, ok := countryAliases[code]; ok {
		code = alias
	}
	if v, ok := calendars.Load(code); ok {
		c := v.(*Calendar)
		return c, c.known
	}
	c = &Calendar{country: code}
	c.holidays, c.known = nationalHolidays[code]
	switch {
	case fridaySaturday[code]:
		c.weekend[time.Friday], c.weekend[time.Saturday] = true, true
	case saturdayOnly[code]:
		c.weekend[time.Saturday] = true
	default:
		c.weekend[time.Saturday], c.weekend[time.Sunday] = true, true
	}
	v, _ := calendars.LoadOrStore(code, c)
	c = v.(*Calendar)
	return c, c.known
}

// NewCalendarWith is the country's calendar with extra holidays (dates
// loaded for the country or the account's entity). known is also true when
// extra dates are given: someone loaded the country's holidays.
func NewCalendarWith(country string, extra []Date) (c *Calendar, known bool) {
	base, known := NewCalendar(country)
	if len(extra) == 0 {
		return base, known
	}
	c = &Calendar{base: base, country: base.country, known: true, weekend: base.weekend,
		extra: make(map[int]struct{}, len(extra))}
	for _, d := range extra {
		c.extra[d.days()] = struct{}{}
	}
	return c, true
}

// Country is the normalized country code.
func (c *Calendar) Country() string { return c.country }

// IsWeekend reports whether d falls on the country's weekend.
func (c *Calendar) IsWeekend(d Date) bool { return c.weekend[d.Weekday()] }

// IsHoliday reports whether d is a public holiday (the observed day, when a
// holiday on a weekend is observed on another day).
func (c *Calendar) IsHoliday(d Date) bool { return c.holiday(d.days()) }

// IsBusinessDay reports whether d is neither weekend nor holiday.
func (c *Calendar) IsBusinessDay(d Date) bool { return c.business(d.days()) }

// NextBusinessDay is d when d is a business day, else the first one after it.
func (c *Calendar) NextBusinessDay(d Date) Date { return dateFromDays(c.nextBusiness(d.days())) }

func (c *Calendar) business(n int) bool { return !c.weekend[weekdayOf(n)] && !c.holiday(n) }

func (c *Calendar) nextBusiness(n int) int {
	// A year has no run of 30 non-business days; the bound only guards a
	// malformed calendar against an endless loop.
	for i := 0; i < 30 && !c.business(n); i++ {
		n++
	}
	return n
}

func (c *Calendar) holiday(n int) bool {
	if c.base != nil {
		_, ok := c.extra[n]
		return ok || c.base.holiday(n)
	}
	if len(c.holidays) == 0 {
		return false
	}
	// The year of day n, without a full civil conversion: n/365 can only
	// overshoot (years have 365 days or more), by a day every four years.
	y := 1970 + n/365
	if n < 0 {
		y = 1970 + (n-365)/365
	}
	start := daysFromCivil(y, 1, 1)
	for start > n {
		y--
		start = daysFromCivil(y, 1, 1)
	}
	yd := n - start + 1
	return c.year(y)[yd/64]&(1<<(yd%64)) != 0
}

func (c *Calendar) year(y int) *yearSet {
	if v, ok := c.years.Load(y); ok {
		return v.(*yearSet)
	}
	set := new(yearSet)
	// An observed day can fall in the neighbouring year (New Year's Day on a
	// Saturday observed on Friday Dec 31), so look at both neighbours too.
	for _, h := range c.holidays {
		for yy := y - 1; yy <= y+1; yy++ {
			_, observed := h.Calc(yy)
			// Calc returns midnight in cal.DefaultLoc; the date fields are
			// the holiday's whatever that location is.
			if observed.IsZero() || observed.Year() != y {
				continue
			}
			n := observed.YearDay()
			set[n/64] |= 1 << (n % 64)
		}
	}
	v, _ := c.years.LoadOrStore(y, set)
	return v.(*yearSet)
}
