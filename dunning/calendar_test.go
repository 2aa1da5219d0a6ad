package dunning

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCalendarBusinessDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		country  string
		day      Date
		business bool
	}{
		{"France: Armistice 2026-11-11 (Wednesday) is a holiday", "FR", d(11, 11), false},
		{"France: the day after is a business day", "FR", d(11, 12), true},
		{"France: Easter Monday 2026-04-06", "FR", d(4, 6), false},
		{"France: Ascension 2026-05-14", "FR", d(5, 14), false},
		{"France: Saturday", "FR", d(11, 7), false},
		{"France: Sunday", "FR", d(11, 8), false},
		{"lower case and spaces are accepted", " fr ", d(11, 11), false},
		{"Germany: Day of German Unity 2025-10-03 (Friday)", "DE", NewDate(2025, 10, 3), false},
		{"UK alias of GB: Boxing Day 2026 (Saturday) observed Monday Dec 28", "UK", d(12, 28), false},
		{"US: Independence Day 2026 (Saturday) observed Friday Jul 3", "US", d(7, 3), false},
		{"US: New Year 2028 (Saturday) observed Friday 2027-12-31", "US", NewDate(2027, 12, 31), false},
		{"Japan: Constitution Day 2026-05-03 is Sunday, substitute May 6", "JP", d(5, 6), false},
		{"Australia: ANZAC Day 2025-04-25 (Friday)", "AU", NewDate(2025, 4, 25), false},
		{"Saudi Arabia: Friday is weekend", "SA", d(3, 6), false},
		{"Saudi Arabia: Saturday is weekend", "SA", d(3, 7), false},
		{"Saudi Arabia: Sunday is a business day", "SA", d(3, 8), true},
		{"Qatar: Friday is weekend", "QA", d(3, 6), false},
		{"UAE: weekend is Saturday–Sunday since 2022, Friday works", "AE", d(3, 6), true},
		{"UAE: Sunday is weekend", "AE", d(3, 8), false},
		{"unknown country: weekdays are business days", "XX", d(12, 25), true},
		{"unknown country: weekend still is", "XX", d(12, 26), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := NewCalendar(tt.country)
			require.Equal(t, tt.business, c.IsBusinessDay(tt.day), "%s %s (%s)", tt.country, tt.day, tt.day.Weekday())
		})
	}
}

func TestCalendarKnownCountries(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"FR", "DE", "GB", "UK", "US", "JP", "ES", "IT", "NL", "BE", "CH", "AU", "CA"} {
		_, known := NewCalendar(c)
		require.True(t, known, c)
	}
	for _, c := range []string{"SA", "AE", "CN", "", "XX"} {
		_, known := NewCalendar(c)
		require.False(t, known, "%q has no holiday list: the caller must be told", c)
	}
}

func TestNextBusinessDay(t *testing.T) {
	t.Parallel()
	fr, _ := NewCalendar("FR")
	sa, _ := NewCalendar("SA")
	require.Equal(t, d(11, 9), fr.NextBusinessDay(d(11, 7)), "Saturday → Monday")
	require.Equal(t, d(11, 12), fr.NextBusinessDay(d(11, 11)), "holiday → next day")
	require.Equal(t, d(11, 12), fr.NextBusinessDay(d(11, 12)), "a business day stays")
	require.Equal(t, d(12, 28), fr.NextBusinessDay(d(12, 25)), "Christmas Friday → Monday")
	require.Equal(t, d(3, 8), sa.NextBusinessDay(d(3, 6)), "Gulf Friday → Sunday")
}

func TestNewCalendarIsCachedAndSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	a, _ := NewCalendar("NL")
	b, _ := NewCalendar("nl")
	require.Same(t, a, b)

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			c, _ := NewCalendar([]string{"NL", "IT", "ES", "PL"}[g%4])
			for y := 2020; y < 2040; y++ {
				c.IsBusinessDay(NewDate(y, time.December, 25))
			}
		})
	}
	wg.Wait()
	require.False(t, a.IsBusinessDay(d(12, 25)))
}
