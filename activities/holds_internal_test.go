package activities

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// The credit hold lifts on its own only when the scenario that put it says
// so and nothing of the account is overdue; running it twice is harmless.
func TestReleaseSettledCreditHold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	scenario, err := st.EnsureDefaultScenario(ctx, "Default", json.RawMessage(`[{"offset_days": 0, "channel": "credit_hold"}]`))
	require.NoError(t, err)
	now := time.Now().UTC()
	today := dunning.DateOf(now)
	eur := money.Money{Minor: 100, Currency: money.MustCurrency("EUR")}

	tests := []struct {
		name     string
		release  bool
		due      *dunning.Date // an open invoice due then; nil: nothing open
		released bool
	}{
		{"nothing open, the scenario releases", true, nil, true},
		{"open but not overdue, the scenario releases", true, ptr(today.AddDays(5)), true},
		{"still overdue", true, ptr(today.AddDays(-1)), false},
		{"the scenario does not release", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			customer := rows.Customer(t, storetest.Customer{Name: tt.name, TimeZone: "UTC"})
			require.NoError(t, st.PutOnHold(ctx, customer, scenario, "k-"+tt.name, "dunning/x"))
			if tt.due != nil {
				rows.Invoice(t, storetest.Invoice{Customer: customer, DueDate: *tt.due, Amount: eur})
			}
			a := &Accounts{Store: st}
			snap, err := a.LoadAccount(ctx, customer)
			require.NoError(t, err)
			sc := snap.Account.Scenarios[scenario]
			sc.Settings.ReleaseCreditHold = tt.release // stored with the version by the scenario editor
			snap.Account.Scenarios[scenario] = sc
			snap.Meta.CreditHold = &store.CreditHoldMeta{OnHold: true, ScenarioID: scenario}

			require.NoError(t, a.releaseSettledCreditHold(ctx, &snap, now))
			snap.Meta.CreditHold = &store.CreditHoldMeta{OnHold: true, ScenarioID: scenario} // a retry of the same evaluation
			require.NoError(t, a.releaseSettledCreditHold(ctx, &snap, now), "twice is harmless")
			c, err := st.GetCustomer(ctx, store.Everything, customer)
			require.NoError(t, err)
			require.Equal(t, !tt.released, c.OnHold)
		})
	}
}

func ptr[T any](v T) *T { return &v }
