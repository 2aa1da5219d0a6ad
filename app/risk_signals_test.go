package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/risk"
	"recoup/store"
	"recoup/store/storetest"
)

type riskSignalsBundle struct {
	a     *app.App
	st    *store.Store
	ctx   context.Context
	admin domain.Principal
}

func setupRiskSignals(t *testing.T) riskSignalsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	return riskSignalsBundle{a: app.New(st, nil, nil), st: st, ctx: context.Background(),
		admin: domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}}
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var de *domain.Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, domain.CodeInvalid, de.Code, de.Message)
	require.Equal(t, field, de.Field, de.Message)
}

func TestRiskProviderRequests(t *testing.T) {
	t.Parallel()
	b := setupRiskSignals(t)
	for _, tc := range []struct {
		req   app.RiskProviderRequest
		field string
	}{
		{app.RiskProviderRequest{Name: "Credit Safe", Adapter: "generic"}, "name"},
		{app.RiskProviderRequest{Name: "", Adapter: "generic"}, "name"},
		{app.RiskProviderRequest{Name: "creditsafe", Adapter: "creditsafe-xml"}, "adapter"},
	} {
		_, err := b.a.CreateRiskProvider(b.ctx, b.admin, tc.req)
		requireField(t, err, tc.field)
	}
	created, err := b.a.CreateRiskProvider(b.ctx, b.admin, app.RiskProviderRequest{Name: "creditsafe", Adapter: "generic"})
	require.NoError(t, err)
	require.True(t, created.Active)
	require.NotEmpty(t, created.Secret)
	_, err = b.a.UpdateRiskProvider(b.ctx, b.admin, "creditsafe", app.RiskProviderRequest{Name: "other"})
	requireField(t, err, "name")

	agent := domain.Principal{Role: domain.RoleAgent, Email: "agent@example.com", UserID: 7, AllEntities: true}
	_, err = b.a.CreateRiskProvider(b.ctx, agent, app.RiskProviderRequest{Name: "x", Adapter: "generic"})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
	_, err = b.a.RotateRiskProviderSecret(b.ctx, agent, "creditsafe")
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
}

func TestRiskMatchRequests(t *testing.T) {
	t.Parallel()
	b := setupRiskSignals(t)
	customer := storetest.NewFactory(b.st.Pool).Customer(t, storetest.Customer{ExternalID: "C-1"})
	score := 50
	_, err := b.st.IngestRiskSignals(b.ctx, store.RiskIngest{Provider: "acme", Source: "webhook", Actor: "x", Signals: []risk.Signal{
		{EventID: "e-1", CompanyID: "999", CompanyIDKind: risk.IDRegistration, ObservedAt: time.Now(), Score: &score}}})
	require.NoError(t, err)
	queue, err := b.a.UnmatchedRiskSignals(b.ctx, b.admin, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, queue.Items, 1)
	id := queue.Items[0].ID

	for _, tc := range []struct {
		req   app.RiskMatchRequest
		field string
	}{
		{app.RiskMatchRequest{}, "customer_id"},
		{app.RiskMatchRequest{CustomerID: customer, CustomerExternalID: "C-1"}, "customer_external_id"},
		{app.RiskMatchRequest{CustomerID: -3}, "customer_id"},
		{app.RiskMatchRequest{CustomerID: customer + 100}, "customer_id"},
		{app.RiskMatchRequest{CustomerExternalID: "C-404"}, "customer_external_id"},
	} {
		_, err := b.a.MatchRiskSignal(b.ctx, b.admin, id, tc.req)
		requireField(t, err, tc.field)
	}
	g, err := b.a.MatchRiskSignal(b.ctx, b.admin, id, app.RiskMatchRequest{CustomerExternalID: " C-1 "})
	require.NoError(t, err)
	require.Equal(t, customer, *g.CustomerID)
	r, err := b.a.CustomerRisk(b.ctx, b.admin, customer, domain.Page{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 50, *r.Latest.Score)

	rep := domain.Principal{Role: domain.RoleSalesRep, Email: "rep@example.com", UserID: 9, AllEntities: true}
	_, err = b.a.UnmatchedRiskSignals(b.ctx, rep, domain.Page{Limit: 10})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err))
	_, err = b.a.CustomerRisk(b.ctx, rep, customer, domain.Page{Limit: 10})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "a sales rep reads risk, of their own customers only")
}
