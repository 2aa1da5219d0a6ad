package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/importer"
	"recoup/metrics"
)

// Not parallel: it reads the process's counters, which the parallel tests of
// the package (run after the sequential ones) would move too.
func TestImportCountsRowsByOutcomeAndRefusedFiles(t *testing.T) {
	b := setup(t)
	kind := map[string]string{"kind": string(importer.Users)}
	rows := func(outcome string) float64 {
		return metrics.Value(metrics.ImportRowsName, map[string]string{"kind": string(importer.Users), "outcome": outcome})
	}
	before := map[string]float64{}
	for _, o := range []string{"inserted", "updated", "unchanged", "rejected"} {
		before[o] = rows(o)
	}
	imports := metrics.Value(metrics.ImportsName, map[string]string{"kind": string(importer.Users), "result": "done"})
	refused := metrics.Value(metrics.ImportsName, map[string]string{"kind": string(importer.Users), "result": "refused"})
	durations := metrics.Value(metrics.ImportDurationName, kind)

	b.load(t, importer.Users, importer.CSV, "email,name,role\na@example.com,A,agent\nb@example.com,B,agent\n")
	b.load(t, importer.Users, importer.CSV, "email,name,role\na@example.com,A,agent\nb@example.com,Bea,agent\nnot-an-email,C,agent\n")
	_, err := b.im.Import(context.Background(), importer.Users, importer.CSV, strings.NewReader("nope\n"), importer.Source{Name: "t"})
	require.Error(t, err)

	require.Equal(t, before["inserted"]+2, rows("inserted"))
	require.Equal(t, before["updated"]+1, rows("updated"), "Bea")
	require.Equal(t, before["unchanged"]+1, rows("unchanged"), "a@example.com the second time")
	require.Equal(t, before["rejected"]+1, rows("rejected"))
	require.Equal(t, imports+2, metrics.Value(metrics.ImportsName, map[string]string{"kind": string(importer.Users), "result": "done"}))
	require.Equal(t, refused+1, metrics.Value(metrics.ImportsName, map[string]string{"kind": string(importer.Users), "result": "refused"}))
	require.Equal(t, durations+2, metrics.Value(metrics.ImportDurationName, kind))
}
