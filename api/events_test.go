package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The feed answers as the OpenAPI document says; asked from before what
// retention deleted, it answers 410 Gone with which ids and where to start
// again; from there, the events that follow.
func TestTheFeedAnswersGoneBehindTheRetentionHorizon(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var last int64
	require.NoError(t, b.store.Pool.QueryRow(ctx, `SELECT max(last_id) FROM event_commits`).Scan(&last))
	require.Positive(t, last, "the setup's import wrote events")
	_, err := b.store.Pool.Exec(ctx, `UPDATE events SET occurred_at = now() - interval '100 days'`)
	require.NoError(t, err)
	_, through, err := b.store.DeleteOldEvents(ctx, time.Now().AddDate(0, 0, -90))
	require.NoError(t, err)
	require.Equal(t, last, through)
	_, err = b.store.Pool.Exec(ctx, `UPDATE customers SET on_hold = NOT on_hold WHERE external_id = 'C1'`)
	require.NoError(t, err)

	gone := decode[struct {
		Error struct{ Code, Message string }
	}](t, b.do(t, http.MethodGet, "/api/v1/events?after=0", "", "", http.StatusGone))
	require.Equal(t, "gone", gone.Error.Code)
	require.Contains(t, gone.Error.Message, "events 1 to "+itoa64(last)+" were deleted by retention")
	require.Contains(t, gone.Error.Message, "read from after="+itoa64(last))

	page := decode[struct {
		Items []struct{ ID int64 }
	}](t, b.do(t, http.MethodGet, "/api/v1/events?after="+itoa64(last), "", "", http.StatusOK))
	require.Len(t, page.Items, 1)
	require.Equal(t, last+1, page.Items[0].ID)
}
