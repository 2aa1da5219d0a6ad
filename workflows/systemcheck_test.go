package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/domain"
	"recoup/flow"
	"recoup/workflows"
)

func setup(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Store{})
	return env
}

func TestSystemCheckReturnsWhatTheActivityRead(t *testing.T) {
	t.Parallel()
	env := setup(t)
	store := &activities.Store{}
	env.OnActivity(store.Counts, mock.Anything).Return(domain.Counts{Customers: 3, Invoices: 7}, nil)
	env.SetStartTime(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))

	env.ExecuteWorkflow(workflows.SystemCheck)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res flow.SystemCheckResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, domain.Counts{Customers: 3, Invoices: 7}, res.Counts)
	require.Equal(t, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), res.WorkerAt)
}

func TestSystemCheckRetriesThenFails(t *testing.T) {
	t.Parallel()
	env := setup(t)
	store := &activities.Store{}
	calls := 0
	env.OnActivity(store.Counts, mock.Anything).Return(func(context.Context) (domain.Counts, error) {
		calls++
		return domain.Counts{}, errors.New("database down")
	})

	env.ExecuteWorkflow(workflows.SystemCheck)
	require.Error(t, env.GetWorkflowError())
	require.Equal(t, 3, calls, "the retry policy allows three attempts")
}
