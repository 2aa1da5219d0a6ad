package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/metrics"
	"recoup/store"
	"recoup/store/storetest"
)

// Not parallel: it reads the process's counters, which the parallel tests of
// the package (run after the sequential ones) would move too.
func TestTasksCountedWhenCreatedAndClosed(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	c := rows.Customer(t, storetest.Customer{Name: "C"})
	count := func(name string, l map[string]string) float64 { return metrics.Value(name, l) }
	calls := count(metrics.TasksCreatedName, map[string]string{"kind": "call"})
	closed := count(metrics.TasksClosedName, map[string]string{"how": "closed"})
	completed := count(metrics.TasksClosedName, map[string]string{"how": "completed"})

	task := func(key string) int64 {
		id, _, err := st.CreateTask(ctx, store.Task{Key: key, CustomerID: c, Kind: domain.TaskCall,
			AssigneeRole: domain.AssigneeAgent, DueAt: time.Now().Add(time.Hour), Note: "call"})
		require.NoError(t, err)
		return id
	}
	first, second := task("m/1"), task("m/2")
	task("m/1") // the same key: no second task
	require.Equal(t, calls+2, count(metrics.TasksCreatedName, map[string]string{"kind": "call"}))

	_, err := st.CloseTask(ctx, store.Everything, first, "done", "test")
	require.NoError(t, err)
	_, err = st.CloseTask(ctx, store.Everything, first, "done", "test") // already closed: refused, not counted
	require.Error(t, err)
	_, err = st.CompleteTask(ctx, store.Everything, second, "test", func(store.OpenTask) (store.Completion, error) {
		return store.Completion{Outcome: domain.OutcomeNoAnswer, Resolution: "no answer"}, nil
	})
	require.NoError(t, err)
	require.Equal(t, closed+1, count(metrics.TasksClosedName, map[string]string{"how": "closed"}))
	require.Equal(t, completed+1, count(metrics.TasksClosedName, map[string]string{"how": "completed"}))
}
