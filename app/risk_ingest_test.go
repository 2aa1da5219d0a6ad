package app_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/risk"
)

// From the webhook to the alert: a signed body is stored and evaluated before
// the answer; the provider's redelivery of the same event, and a new event
// saying the same thing, raise nothing more.
func TestAWebhookSignalIsEvaluatedOnceAndARedeliveryRaisesNothing(t *testing.T) {
	b := setupRisk(t)
	ctx := context.Background()
	b.exec(t, `UPDATE customers SET registration_number = '303265045' WHERE id = $1`, b.customer)
	b.rule(t, app.RiskRuleRequest{Kind: "limit_below_outstanding", Notify: true})
	provider, err := b.a.CreateRiskProvider(ctx, b.admin, app.RiskProviderRequest{Name: "watch", Adapter: "generic"})
	require.NoError(t, err)

	deliver := func(event string) (inserted, duplicates int64) {
		t.Helper()
		body := []byte(fmt.Sprintf(`{"signals": [{"event_id": %q, "company_id": "303 265 045", "company_id_kind": "registration",
		  "observed_at": %q, "limit": {"amount": "500.00", "currency": "EUR"}}]}`, event, time.Now().UTC().Format(time.RFC3339)))
		now := time.Now()
		got, err := b.a.ReceiveRiskWebhook(ctx, app.RiskWebhook{Provider: "watch", Timestamp: strconv.FormatInt(now.Unix(), 10),
			Signature: risk.Sign(provider.Secret, now, body), Body: body}, now)
		require.NoError(t, err)
		return got.Inserted, got.Duplicates
	}

	inserted, _ := deliver("e-1")
	require.EqualValues(t, 1, inserted)
	require.Len(t, b.alerts(t), 1, "the limit below the outstanding is alerted once the webhook answers")
	require.Zero(t, b.count(t, `SELECT count(*) FROM risk_signals WHERE evaluated_at IS NULL`), "evaluated before the answer")

	_, duplicates := deliver("e-1")
	require.EqualValues(t, 1, duplicates, "the provider's redelivery is a no-op")
	inserted, _ = deliver("e-2")
	require.EqualValues(t, 1, inserted)
	require.Len(t, b.alerts(t), 1, "neither a redelivery nor the same news again raises a second alert")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notifications WHERE kind = 'risk_alert' AND user_id = $1`, b.agent))
}
