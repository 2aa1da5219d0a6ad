package benchenv_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/benchenv"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		require.Equal(t, tc.want, benchenv.Median(tc.xs), "%v", tc.xs)
	}
}

func TestInt(t *testing.T) {
	t.Setenv("RECOUP_BENCHENV_TEST", "")
	require.Equal(t, 7, benchenv.Int(t, "RECOUP_BENCHENV_TEST", 7), "unset: the default")
	t.Setenv("RECOUP_BENCHENV_TEST", "1200")
	require.Equal(t, 1200, benchenv.Int(t, "RECOUP_BENCHENV_TEST", 7))
}
