package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/risk"
	"recoup/store"
	"recoup/store/storetest"
)

type riskBundle struct {
	st   *store.Store
	ctx  context.Context
	rows *storetest.Factory
}

func riskSetup(t *testing.T) riskBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	return riskBundle{st: &store.Store{Pool: pool}, ctx: context.Background(), rows: storetest.NewFactory(pool)}
}

// customer makes a customer with these identifiers, normalised as the customers import stores them.
func (b riskBundle) customer(t *testing.T, externalID, registration, vat string) int64 {
	t.Helper()
	id := b.rows.Customer(t, storetest.Customer{ExternalID: externalID})
	_, err := b.st.Pool.Exec(b.ctx, `UPDATE customers SET registration_number = $2, vat_number = $3 WHERE id = $1`, id,
		risk.NormaliseCompanyID(risk.IDRegistration, registration), risk.NormaliseCompanyID(risk.IDVAT, vat))
	require.NoError(t, err)
	return id
}

func (b riskBundle) ingest(t *testing.T, signals ...risk.Signal) store.Ingested {
	t.Helper()
	got, err := b.st.IngestRiskSignals(b.ctx, store.RiskIngest{Provider: "acme", Source: "webhook", Actor: "risk/acme", Signals: signals})
	require.NoError(t, err)
	return got
}

func (b riskBundle) latest(t *testing.T, customer int64) store.RiskLatest {
	t.Helper()
	l, err := b.st.RiskLatest(b.ctx, store.Everything, customer)
	require.NoError(t, err)
	return l
}

var riskDay = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// signal is an observation of the company named by id (kind, raw as a provider writes it).
func signal(event string, kind risk.IDKind, id string, at time.Time, score int) risk.Signal {
	return risk.Signal{EventID: event, CompanyIDKind: kind, CompanyID: risk.NormaliseCompanyID(kind, id), CompanyName: "Dupont SA",
		ObservedAt: at, Score: &score}
}

func TestRiskSignalsMatchByEachKind(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	dupont := b.customer(t, "C-DUPONT", "303 265 045", "FR 40 303 265 045")
	martin := b.customer(t, "C-MARTIN", "552.100.554", "")
	for _, tc := range []struct {
		name     string
		kind     risk.IDKind
		id       string
		customer int64
	}{
		{"registration with spaces", risk.IDRegistration, "303265045", dupont},
		{"registration with dots", risk.IDRegistration, " 552 100 554 ", martin},
		{"VAT as printed", risk.IDVAT, "fr40.303.265.045", dupont},
		{"external id", risk.IDExternal, "C-MARTIN", martin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := b.ingest(t, signal("e-"+tc.name, tc.kind, tc.id, riskDay, 50))
			require.Equal(t, store.Ingested{Received: 1, Inserted: 1, Matched: 1}, withoutUpdates(got))
			page, err := b.st.RiskHistory(b.ctx, store.Everything, tc.customer, 50, 0)
			require.NoError(t, err)
			var found bool
			for _, g := range page.Items {
				if g.EventID == "e-"+tc.name {
					found = true
					require.Equal(t, string(tc.kind), g.MatchedBy)
				}
			}
			require.True(t, found, "the signal is in the customer's history")
		})
	}
}

func withoutUpdates(in store.Ingested) store.Ingested { in.CustomersUpdated = 0; return in }

func TestRiskSignalsUnmatchedAndAmbiguous(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	b.customer(t, "C-1", "303265045", "")
	b.customer(t, "C-2", "303265045", "") // the same company, customer of two entities
	got := b.ingest(t,
		signal("e-unknown", risk.IDRegistration, "999999999", riskDay, 40),
		signal("e-ambiguous", risk.IDRegistration, "303265045", riskDay, 40),
		signal("e-external-case", risk.IDExternal, "c-1", riskDay, 40)) // external ids are case-sensitive
	require.Equal(t, store.Ingested{Received: 3, Inserted: 3, Unmatched: 3}, got)
	page, err := b.st.UnmatchedRiskSignals(b.ctx, 50, 0)
	require.NoError(t, err)
	require.EqualValues(t, 3, page.Total)
	candidates := map[string]int{}
	for _, g := range page.Items {
		require.Nil(t, g.CustomerID)
		candidates[g.EventID] = g.Candidates
	}
	require.Equal(t, map[string]int{"e-unknown": 0, "e-ambiguous": 2, "e-external-case": 0}, candidates)
}

func TestRiskSignalsDuplicateEventIsANoOp(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	c := b.customer(t, "C-1", "303265045", "")
	first := b.ingest(t, signal("e-1", risk.IDRegistration, "303265045", riskDay, 40))
	require.Equal(t, store.Ingested{Received: 1, Inserted: 1, Matched: 1, CustomersUpdated: 1}, first)
	// The provider redelivers it, with a different body even: the first one stands.
	again := b.ingest(t, signal("e-1", risk.IDRegistration, "303265045", riskDay.Add(time.Hour), 10),
		signal("e-2", risk.IDRegistration, "303265045", riskDay.Add(-time.Hour), 45),
		signal("e-2", risk.IDRegistration, "303265045", riskDay.Add(-time.Hour), 45))
	require.Equal(t, store.Ingested{Received: 3, Inserted: 1, Duplicates: 2, Matched: 1}, again)
	require.Equal(t, 40, *b.latest(t, c).Score)
	var n int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*) FROM risk_signals`).Scan(&n))
	require.Equal(t, 2, n)
}

func TestRiskSignalsLatestMovesOnlyForward(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	c := b.customer(t, "C-1", "303265045", "")
	eur := money.MustCurrency("EUR")
	at := func(h int) time.Time { return riskDay.Add(time.Duration(h) * time.Hour) }

	s := signal("e-1", risk.IDRegistration, "303265045", at(0), 70)
	s.Rating, s.Limit = "B", &money.Money{Minor: 5_000_000, Currency: eur}
	b.ingest(t, s)
	l := b.latest(t, c)
	require.Equal(t, 70, *l.Score)
	require.Equal(t, "B", l.Rating)
	require.Equal(t, int64(5_000_000), l.Limit.Minor)
	require.Equal(t, "acme", l.Provider)
	require.Equal(t, at(0), *l.ObservedAt)

	// An older observation arriving late is history only.
	b.ingest(t, signal("e-old", risk.IDRegistration, "303265045", at(-48), 20))
	require.Equal(t, 70, *b.latest(t, c).Score)

	// A newer one without a score (a legal status) keeps the score, moves the status.
	legal := risk.Signal{EventID: "e-legal", CompanyIDKind: risk.IDRegistration, CompanyID: "303265045", ObservedAt: at(24),
		LegalStatus: domain.LegalReceivership, PublishedOn: dunning.NewDate(2026, 11, 29)}
	b.ingest(t, legal)
	l = b.latest(t, c)
	require.Equal(t, 70, *l.Score)
	require.Equal(t, "receivership", l.LegalStatus)
	require.Equal(t, dunning.NewDate(2026, 11, 29), *l.LegalStatusSince)
	require.Equal(t, at(24), *l.ObservedAt)

	// In one batch, the newest of each field wins; a limit in another currency is not the customer's.
	s1 := signal("e-b1", risk.IDRegistration, "303265045", at(30), 60)
	s2 := signal("e-b2", risk.IDRegistration, "303265045", at(31), 55)
	s2.Limit = &money.Money{Minor: 100, Currency: money.MustCurrency("USD")}
	same := risk.Signal{EventID: "e-b3", CompanyIDKind: risk.IDRegistration, CompanyID: "303265045", ObservedAt: at(29),
		LegalStatus: domain.LegalReceivership, PublishedOn: dunning.NewDate(2026, 12, 1)}
	b.ingest(t, s1, s2, same)
	l = b.latest(t, c)
	require.Equal(t, 55, *l.Score)
	require.Equal(t, int64(5_000_000), l.Limit.Minor)
	require.Equal(t, dunning.NewDate(2026, 11, 29), *l.LegalStatusSince, "the same status again keeps its date")
	require.Equal(t, at(31), *l.ObservedAt)

	page, err := b.st.RiskHistory(b.ctx, store.Everything, c, 2, 0)
	require.NoError(t, err)
	require.EqualValues(t, 6, page.Total)
	require.Equal(t, []string{"e-b2", "e-b1"}, []string{page.Items[0].EventID, page.Items[1].EventID}, "newest first")
	page, err = b.st.RiskHistory(b.ctx, store.Everything, c, 2, 4)
	require.NoError(t, err)
	require.Equal(t, []string{"e-1", "e-old"}, []string{page.Items[0].EventID, page.Items[1].EventID})
}

func TestRiskSignalsMatchAndDismissByHand(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	c := b.customer(t, "C-1", "", "")
	b.ingest(t, signal("e-1", risk.IDVAT, "FR40303265045", riskDay, 35), signal("e-2", risk.IDVAT, "FR00111111111", riskDay, 90))
	page, err := b.st.UnmatchedRiskSignals(b.ctx, 50, 0)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	ids := map[string]int64{}
	for _, g := range page.Items {
		ids[g.EventID] = g.ID
	}

	g, err := b.st.MatchRiskSignal(b.ctx, ids["e-1"], c, "agent@example.com")
	require.NoError(t, err)
	require.Equal(t, c, *g.CustomerID)
	require.Equal(t, store.MatchedManual, g.MatchedBy)
	require.Equal(t, 35, *b.latest(t, c).Score, "applied as ingestion would have")
	var vat string
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT vat_number FROM customers WHERE id = $1`, c).Scan(&vat))
	require.Equal(t, "FR40303265045", vat, "the customer learns the number it was matched by")
	got := b.ingest(t, signal("e-3", risk.IDVAT, "FR40303265045", riskDay.AddDate(0, 0, 1), 30))
	require.EqualValues(t, 1, got.Matched, "the company's next signal matches by itself")

	_, err = b.st.DismissRiskSignal(b.ctx, ids["e-2"], "agent@example.com")
	require.NoError(t, err)
	page, err = b.st.UnmatchedRiskSignals(b.ctx, 50, 0)
	require.NoError(t, err)
	require.Empty(t, page.Items)

	for _, tc := range []struct {
		name string
		do   func() error
		code domain.Code
	}{
		{"match a matched one", func() error { _, err := b.st.MatchRiskSignal(b.ctx, ids["e-1"], c, "x"); return err }, domain.CodeConflict},
		{"match a dismissed one", func() error { _, err := b.st.MatchRiskSignal(b.ctx, ids["e-2"], c, "x"); return err }, domain.CodeConflict},
		{"dismiss a matched one", func() error { _, err := b.st.DismissRiskSignal(b.ctx, ids["e-1"], "x"); return err }, domain.CodeConflict},
		{"match none", func() error { _, err := b.st.MatchRiskSignal(b.ctx, 999, c, "x"); return err }, domain.CodeNotFound},
	} {
		var de *domain.Error
		require.ErrorAs(t, tc.do(), &de, tc.name)
		require.Equal(t, tc.code, de.Code, tc.name)
	}
	var n int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx,
		`SELECT count(*) FROM audit_journal WHERE action IN ('risk_signal.match', 'risk_signal.dismiss')`).Scan(&n))
	require.Equal(t, 2, n)
}

func TestRiskSignalsBatchIsOneTransaction(t *testing.T) {
	t.Parallel()
	b := riskSetup(t)
	good := signal("e-1", risk.IDRegistration, "303265045", riskDay, 40)
	bad := signal("e-2", risk.IDRegistration, "303265045", riskDay, 400) // the database refuses it
	_, err := b.st.IngestRiskSignals(b.ctx, store.RiskIngest{Provider: "acme", Source: "webhook", Actor: "x", Signals: []risk.Signal{good, bad}})
	require.Error(t, err)
	var n int
	require.NoError(t, b.st.Pool.QueryRow(b.ctx, `SELECT count(*) FROM risk_signals`).Scan(&n))
	require.Zero(t, n)
}
