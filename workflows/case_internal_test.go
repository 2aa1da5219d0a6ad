package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/dunning"
)

// Business time counts whole business days of the entity's calendar, in its
// time zone: weekends and holidays (1 May 2026 is a Friday, a French
// holiday) do not count.
func TestBusinessTime(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	fr, _ := dunning.NewCalendar("FR")
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, paris)
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		from   time.Time
		add    time.Duration
		want   time.Time
		loaded []dunning.Date // holidays loaded for the entity
	}{
		{name: "within a week", from: at(time.March, 2, 9), add: 2 * day, want: at(time.March, 4, 9)},
		{name: "over a weekend", from: at(time.March, 6, 15), add: day, want: at(time.March, 9, 15)},
		{name: "from a Saturday", from: at(time.March, 7, 10), add: day / 2, want: at(time.March, 9, 12)},
		{name: "over a public holiday", from: at(time.April, 30, 12), add: day, want: at(time.May, 4, 12)},
		{name: "over a loaded holiday", from: at(time.March, 2, 9), add: day, want: at(time.March, 4, 9),
			loaded: []dunning.Date{dunning.NewDate(2026, time.March, 3)}},
		{name: "over the change to summer time", from: at(time.March, 27, 9), add: day, want: at(time.March, 30, 9)},
		{name: "nothing to add", from: at(time.March, 2, 9), add: 0, want: at(time.March, 2, 9)},
	} {
		cal := fr
		if tc.loaded != nil {
			cal, _ = dunning.NewCalendarWith("FR", tc.loaded)
		}
		got := addBusinessTime(cal, paris, tc.from, tc.add)
		require.True(t, tc.want.Equal(got), "%s: %s, want %s", tc.name, got.In(paris), tc.want)
		require.Equal(t, tc.add, businessTimeBetween(cal, paris, tc.from, got), "%s: the way back", tc.name)
	}
}
