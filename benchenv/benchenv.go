// Package benchenv is what the benchmarks share: their sizes read from the
// environment, and the median of their rounds (README: benchmarks alternate
// their two sides and quote medians). Every benchmark reads its settings
// here, those on the shared book (store/storetest/benchbook) too.
package benchenv

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Int is the positive integer in the environment variable name, or def when
// it is unset; any other value fails the benchmark, naming the variable.
func Int(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(tb, err, name)
	require.Positive(tb, n, name)
	return n
}

// Median is the median of xs (the mean of the two middle values of an even
// count); 0 for none.
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	switch {
	case len(s) == 0:
		return 0
	case len(s)%2 == 1:
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
