package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/store"
	"recoup/store/storetest"
)

func TestDeliveryReportsKeepTheFinalOutcome(t *testing.T) {
	t.Parallel()
	st := &store.Store{Pool: storetest.NewPool(t)}
	ctx := context.Background()
	tests := []struct {
		reports []string
		want    string
	}{
		{[]string{"queued", "sent", "delivered"}, "delivered"},
		{[]string{"undelivered", "sent"}, "undelivered"}, // a late intermediate report does not erase a failure
		{[]string{"ringing", "no-answer"}, "no-answer"},
		{[]string{"sent", "failed", "delivered"}, "delivered"}, // final reports follow each other
	}
	for i, tt := range tests {
		ref := "SM" + string(rune('a'+i))
		for _, r := range tt.reports {
			require.NoError(t, st.RecordDelivery(ctx, ref, r, ""))
		}
		got, err := st.DeliveryOutcome(ctx, ref)
		require.NoError(t, err)
		require.Equal(t, tt.want, got, tt.reports)
	}
	got, err := st.DeliveryOutcome(ctx, "SMunknown")
	require.NoError(t, err)
	require.Empty(t, got)
	require.True(t, store.FailedDelivery("busy"))
	require.False(t, store.FailedDelivery("delivered"))
}
