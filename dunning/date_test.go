package dunning

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDateAddDaysIsPlainDayArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from Date
		days int
		want Date
	}{
		{"Jan 31 + 30 days is Mar 2, not Mar 3 (no month arithmetic)", d(1, 31), 30, d(3, 2)},
		{"Jan 31 + 30 days in a leap year is Mar 1", NewDate(2028, 1, 31), 30, NewDate(2028, 3, 1)},
		{"Jan 30 + 30 days is Mar 1", d(1, 30), 30, d(3, 1)},
		{"across the year end", d(12, 31), 1, NewDate(2027, 1, 1)},
		{"negative offsets go back", d(3, 2), -5, d(2, 25)},
		{"across DST in Europe changes nothing", d(3, 28), 2, d(3, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.from.AddDays(tt.days))
		})
	}
}

func TestDateJSONAndCompare(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct {
		D Date  `json:"d"`
		Z Date  `json:"z"`
		P *Date `json:"p"`
	}{D: d(3, 2)})
	require.NoError(t, err)
	require.JSONEq(t, `{"d":"2026-03-02","z":"","p":null}`, string(b))

	var back struct{ D, Z Date }
	require.NoError(t, json.Unmarshal([]byte(`{"D":"2026-03-02","Z":""}`), &back))
	require.Equal(t, d(3, 2), back.D)
	require.True(t, back.Z.IsZero())
	require.Error(t, json.Unmarshal([]byte(`{"D":"02/03/2026"}`), &back))

	require.True(t, d(3, 1).Before(d(3, 2)))
	require.True(t, d(3, 2).After(NewDate(2025, 12, 31)))
	require.Zero(t, d(3, 2).Compare(NewDate(2026, 2, 30)), "NewDate normalizes like time.Date")
	require.Equal(t, time.Monday, d(3, 2).Weekday())
	require.Equal(t, d(3, 2), DateOf(time.Date(2026, 3, 2, 23, 30, 0, 0, paris)), "DateOf uses t's own location")
}

func TestDayNumbersAgreeWithTimePackage(t *testing.T) {
	t.Parallel()
	// Every day from 1600 to 2400, and the far past, against time.Date.
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	for n := 0; n < 292_000; n += 1 {
		tm := start.AddDate(0, 0, n)
		want := DateOf(tm)
		days := int(tm.Unix() / 86400)
		require.Equal(t, days, want.days())
		require.Equal(t, want, dateFromDays(days))
		require.Equal(t, tm.Weekday(), want.Weekday())
		require.Equal(t, tm.YearDay(), want.YearDay())
	}
	require.Equal(t, NewDate(-1, 12, 31), Date{Year: 0, Month: 1, Day: 0}.AddDays(0), "days roll over like time.Date")
	require.Equal(t, NewDate(2027, 1, 5), Date{Year: 2026, Month: 13, Day: 5}.AddDays(0), "an out-of-range month too")
}
