package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

// Without a running workflow (here, without Temporal at all) an account
// changes agent in Postgres, journaled in the name of who asked; an account
// that already has the agent does not move.
func TestMoveAccountWithoutAWorkflowWritesPostgresAndJournals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil)
	alice := rows.User(t, storetest.User{Email: "alice@example.com"})
	rows.User(t, storetest.User{Email: "bob@example.com"})
	c := rows.Customer(t, storetest.Customer{Agent: alice})

	moved, err := a.MoveAccount(ctx, c, "bob@example.com", "manager@example.com")
	require.NoError(t, err)
	require.True(t, moved)
	agent, err := st.CurrentAgent(ctx, c)
	require.NoError(t, err)
	require.Equal(t, "bob@example.com", agent)

	moved, err = a.MoveAccount(ctx, c, "bob@example.com", "manager@example.com")
	require.NoError(t, err)
	require.False(t, moved, "already Bob's")

	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action = 'customer.reassign'
		AND actor = 'manager@example.com' AND target = 'customer/' || $1::bigint`, c).Scan(&n))
	require.Equal(t, 1, n)

	_, err = a.MoveAccount(ctx, 999999, "bob@example.com", "manager@example.com")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}

func TestBulkAssignmentStaysInThePerimeter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	a := app.New(&store.Store{Pool: pool}, nil, nil)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01"})
	de := rows.Entity(t, storetest.Entity{Code: "DE01", Country: "DE"})
	alice := rows.User(t, storetest.User{Email: "alice@example.com"})
	rows.User(t, storetest.User{Email: "bob@example.com"})
	rows.Customer(t, storetest.Customer{Entity: fr, Agent: alice})
	rows.Customer(t, storetest.Customer{Entity: de, Agent: alice})
	manager := domain.Principal{Role: domain.RoleCreditManager, Email: "m@example.com", EntityIDs: []int64{fr}}

	out, err := a.AssignPortfolio(ctx, manager, app.AssignRequest{CurrentAgent: "alice@example.com", AgentEmail: "bob@example.com"})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Matched, "the German account is outside the manager's entities")
	require.Equal(t, 1, out.Moved)

	agent := domain.Principal{Role: domain.RoleAgent, Email: "alice@example.com", AllEntities: true}
	_, err = a.AssignPortfolio(ctx, agent, app.AssignRequest{CurrentAgent: "alice@example.com", AgentEmail: "bob@example.com", DryRun: true})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
}
