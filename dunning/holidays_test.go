package dunning

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Countries the built-in library lacks work once their dates are loaded
// (Account.Holidays): a step due on a holiday waits for the next business
// day of the country's own week, and the warning is not given.
func TestLoadedHolidaysMoveSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, country, zone string
		due                 Date
		holidays            []Date
		without, with       Date // the day the step fires without and with the loaded dates
	}{
		{"Portugal: Dia de Portugal, Wednesday", "PT", "Europe/Lisbon", d(6, 10), []Date{d(6, 10)}, d(6, 10), d(6, 11)},
		{"Mexico: Independence Day, Wednesday", "MX", "America/Mexico_City", d(9, 16), []Date{d(9, 16)}, d(9, 16), d(9, 17)},
		{"Kuwait: National and Liberation Days, then the Friday–Saturday weekend", "KW", "Asia/Kuwait", d(2, 25),
			[]Date{d(2, 25), d(2, 26)}, d(2, 25), d(3, 1)},
		{"Bahrain: National Day, then the Friday–Saturday weekend", "BH", "Asia/Bahrain", d(12, 16),
			[]Date{d(12, 16), d(12, 17)}, d(12, 16), d(12, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			a := account(scenario(email(0, "reminder_due")), inv(1, tt.due, 100))
			a.Country, a.TimeZone = tt.country, tt.zone
			from := tt.due.In(loc)

			acts, _ := run(a, State{}, from, from.AddDate(0, 0, 10))
			require.NotEmpty(t, acts)
			require.Equal(t, tt.without, DateOf(acts[0].At.In(loc)), "without loaded dates: weekdays only")
			require.Contains(t, PlanAt(a, State{}, from).Warnings[0], "load its dates with the holidays import")

			a.Holidays = tt.holidays
			acts, _ = run(a, State{}, from, from.AddDate(0, 0, 10))
			require.NotEmpty(t, acts)
			require.Equal(t, tt.with, DateOf(acts[0].At.In(loc)), "a loaded holiday is skipped")
			require.Empty(t, PlanAt(a, State{}, from).Warnings, "no warning once dates are loaded")
		})
	}
}

func TestCalendarWithAddsToTheBuiltIn(t *testing.T) {
	t.Parallel()
	c, known := NewCalendarWith("FR", []Date{d(6, 10)})
	require.True(t, known)
	require.False(t, c.IsBusinessDay(d(6, 10)), "the added date")
	require.False(t, c.IsBusinessDay(d(11, 11)), "the built-in Armistice stays")
	require.True(t, c.IsBusinessDay(d(6, 11)))
	base, _ := NewCalendar("FR")
	require.True(t, base.IsBusinessDay(d(6, 10)), "the shared calendar is not changed")
}
