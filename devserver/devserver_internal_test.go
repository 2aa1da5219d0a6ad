package devserver

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/server/common/dynamicconfig"
)

// The history cache is bounded by the option, not left at Temporal's
// 128,000 workflows that let the server's memory grow with the book.
func TestHistoryCacheIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  int
		want int
	}{
		{"default", 0, DefaultHistoryCacheSize},
		{"set", 2500, 2500},
	} {
		o := Options{DataDir: t.TempDir(), HistoryCacheSize: tc.set}
		require.NoError(t, o.setDefaults(), tc.name)
		dc := dynamicConfig(o)
		require.Equal(t, tc.want, dc[dynamicconfig.HistoryCacheHostLevelMaxSize.Key()], tc.name)
	}
	require.Less(t, DefaultHistoryCacheSize, 128_000, "Temporal's own default")
}
