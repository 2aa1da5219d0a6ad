package web

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store/storetest"
)

// The home page by role: a manager sees what is owed by entity, an agent their
// portfolio and most overdue customers, an auditor a search box.
func TestHomeByRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fr := b.rows.Entity(t, storetest.Entity{Code: "FR01"})
	jp := b.rows.Entity(t, storetest.Entity{Code: "JP01", Country: "JP", Currency: money.MustCurrency("JPY"), TimeZone: "Asia/Tokyo", Language: "ja"})
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	alice := userID(t, b, "alice@example.com")
	late := dunning.NewDate(2026, time.January, 5)
	c1 := b.rows.Customer(t, storetest.Customer{Entity: fr, Name: "Boulangerie Martin", Agent: alice})
	b.rows.Invoice(t, storetest.Invoice{Customer: c1, DueDate: late, Amount: money.Money{Minor: 120050, Currency: money.MustCurrency("EUR")}})
	c2 := b.rows.Customer(t, storetest.Customer{Entity: jp, Name: "Yamada Shoji"})
	b.rows.Invoice(t, storetest.Invoice{Customer: c2, DueDate: late, Amount: money.Money{Minor: 50000, Currency: money.MustCurrency("JPY")}})

	manager := b.signIn(t, "claire@example.com", domain.RoleCreditManager)
	status, body := manager.get("/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Owed by entity")
	require.Contains(t, body, "FR01")
	require.Contains(t, body, "JP01", "every entity the manager sees, each in its own currency")
	require.Contains(t, body, "1,200.50")

	_, body = agent.get("/")
	require.Contains(t, body, "Your portfolio")
	require.Contains(t, body, "Boulangerie Martin")
	require.NotContains(t, body, "JP01", "only the agent's own customers")

	auditor := b.signIn(t, "ingrid@example.com", domain.RoleAuditor)
	_, body = auditor.get("/")
	require.Contains(t, body, `id="home-q"`, "an auditor starts from a search")
}
