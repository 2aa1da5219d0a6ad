package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/risk"
	"recoup/store"
)

type riskAPI struct {
	*testBundle
	secret string // acme's webhook secret
	c1     int64  // customer C1, SIREN 303265045
}

func riskAPISetup(t *testing.T) riskAPI {
	t.Helper()
	b := riskAPI{testBundle: setup(t)}
	created := decode[struct {
		Name, Secret string
		Active       bool
	}](t, b.do(t, http.MethodPost, "/api/v1/risk/providers", "application/json", `{"name": "acme", "adapter": "generic"}`, http.StatusCreated))
	require.True(t, created.Active)
	require.True(t, strings.HasPrefix(created.Secret, risk.SecretPrefix))
	b.secret = created.Secret
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`UPDATE customers SET registration_number = '303265045' WHERE external_id = 'C1' RETURNING id`).Scan(&b.c1))
	return b
}

// post sends a webhook request signed at ts with secret ("" for no signature headers).
func (b riskAPI) post(t *testing.T, provider, secret string, ts time.Time, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/risk/"+provider, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(risk.TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
		req.Header.Set(risk.SignatureHeader, risk.Sign(secret, ts, []byte(body)))
	}
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	return rec
}

func (b riskAPI) signals(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM risk_signals`).Scan(&n))
	return n
}

func riskBody(events ...string) string {
	var items []string
	for _, e := range events {
		items = append(items, `{"event_id": "`+e+`", "company_id": "303 265 045", "company_id_kind": "registration",
		  "company_name": "Boulangerie Martin", "observed_at": "2026-11-30T08:00:00Z", "score": 35, "rating": "C",
		  "limit": {"amount": "2000.00", "currency": "EUR"}}`)
	}
	return `{"signals": [` + strings.Join(items, ",") + `]}`
}

func TestRiskWebhookIngestsASignedBody(t *testing.T) {
	t.Parallel()
	b := riskAPISetup(t)
	rec := b.post(t, "acme", b.secret, time.Now(), riskBody("e-1", "e-2"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.JSONEq(t, `{"received": 2, "inserted": 2, "duplicates": 0, "matched": 2, "unmatched": 0, "customers_updated": 1}`, rec.Body.String())

	// Redelivered: a no-op.
	rec = b.post(t, "acme", b.secret, time.Now(), riskBody("e-2"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.JSONEq(t, `{"received": 1, "inserted": 0, "duplicates": 1, "matched": 0, "unmatched": 0, "customers_updated": 0}`, rec.Body.String())
	require.Equal(t, 2, b.signals(t))

	got := decode[struct {
		Latest struct {
			Score    int
			Rating   string
			Provider string
			Limit    struct{ Minor int64 }
		}
		History struct {
			Total int64
			Items []struct {
				EventID string `json:"event_id"`
			}
		}
	}](t, b.do(t, http.MethodGet, "/api/v1/customers/"+strconv.FormatInt(b.c1, 10)+"/risk", "", "", http.StatusOK))
	require.Equal(t, 35, got.Latest.Score)
	require.Equal(t, "C", got.Latest.Rating)
	require.Equal(t, "acme", got.Latest.Provider)
	require.Equal(t, int64(200000), got.Latest.Limit.Minor)
	require.EqualValues(t, 2, got.History.Total)
}

func TestRiskWebhookRefusesWithoutWriting(t *testing.T) {
	t.Parallel()
	b := riskAPISetup(t)
	b.do(t, http.MethodPost, "/api/v1/risk/providers", "application/json", `{"name": "off", "adapter": "generic", "active": false}`, http.StatusCreated)
	var offSecret string
	require.NoError(t, b.store.Pool.QueryRow(context.Background(), `SELECT secret FROM risk_providers WHERE name = 'off'`).Scan(&offSecret))
	body := riskBody("e-1")
	for _, tc := range []struct {
		name, provider, secret string
		at                     time.Time
		body                   string
		want                   int
	}{
		{"bad signature", "acme", b.secret + "x", time.Now(), body, http.StatusUnauthorized},
		{"no signature", "acme", "", time.Now(), body, http.StatusUnauthorized},
		{"stale timestamp", "acme", b.secret, time.Now().Add(-6 * time.Minute), body, http.StatusUnauthorized},
		{"timestamp ahead", "acme", b.secret, time.Now().Add(6 * time.Minute), body, http.StatusUnauthorized},
		{"unknown provider", "nobody", b.secret, time.Now(), body, http.StatusUnauthorized},
		{"inactive provider", "off", offSecret, time.Now(), body, http.StatusUnauthorized},
		{"not the format", "acme", b.secret, time.Now(), `{"records": []}`, http.StatusBadRequest},
		{"a bad signal sinks the batch", "acme", b.secret, time.Now(),
			`{"signals": [` + strings.TrimSuffix(strings.TrimPrefix(body, `{"signals": [`), `]}`) +
				`, {"event_id": "e-2", "company_id": "1", "company_id_kind": "registration", "observed_at": "2026-11-30T08:00:00Z", "score": 101}]}`,
			http.StatusBadRequest},
		{"too large", "acme", b.secret, time.Now(), `{"signals": [], "x": "` + strings.Repeat("x", 4<<20) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			journal := b.journalRows(t)
			rec := b.post(t, tc.provider, tc.secret, tc.at, tc.body)
			require.Equal(t, tc.want, rec.Code, rec.Body.String())
			var e struct{ Error struct{ Code string } }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
			require.NotEmpty(t, e.Error.Code)
			require.Zero(t, b.signals(t), "nothing written")
			require.Equal(t, journal, b.journalRows(t))
		})
	}
}

func TestRiskWebhookBODACC(t *testing.T) {
	t.Parallel()
	b := riskAPISetup(t)
	secret := decode[struct{ Secret string }](t, b.do(t, http.MethodPost, "/api/v1/risk/providers", "application/json",
		`{"name": "bodacc", "adapter": "bodacc"}`, http.StatusCreated)).Secret
	body := `{"total_count": 1, "results": [{"id": "A202611270001", "dateparution": "2026-11-27", "familleavis": "collective",
	  "familleavis_lib": "Procédures collectives", "commercant": "BOULANGERIE MARTIN", "registre": ["303 265 045", "303265045"],
	  "jugement": "{\"famille\": \"Jugement d'ouverture\", \"nature\": \"Jugement d'ouverture d'une procédure de sauvegarde\", \"date\": \"2026-11-20\"}"}]}`
	rec := b.post(t, "bodacc", secret, time.Now(), body)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var status string
	var since time.Time
	require.NoError(t, b.store.Pool.QueryRow(context.Background(),
		`SELECT legal_status, legal_status_since FROM customers WHERE id = $1`, b.c1).Scan(&status, &since))
	require.Equal(t, string(domain.LegalSafeguard), status)
	require.Equal(t, "2026-11-27", since.Format(time.DateOnly))
}

func TestRiskUnmatchedQueueAndProviders(t *testing.T) {
	t.Parallel()
	b := riskAPISetup(t)
	body := `{"signals": [{"event_id": "u-1", "company_id": "FR00999999999", "company_id_kind": "vat", "company_name": "Atelier Durand SAS",
	  "observed_at": "2026-11-30T08:00:00Z", "score": 20}, {"event_id": "u-2", "company_id": "X", "company_id_kind": "external",
	  "observed_at": "2026-11-30T08:00:00Z", "legal_status": "ceased"}]}`
	require.Equal(t, http.StatusOK, b.post(t, "acme", b.secret, time.Now(), body).Code)
	queue := decode[struct {
		Total int64
		Items []struct {
			ID      int64
			EventID string `json:"event_id"`
		}
	}](t, b.do(t, http.MethodGet, "/api/v1/risk/unmatched?limit=10", "", "", http.StatusOK))
	require.EqualValues(t, 2, queue.Total)
	ids := map[string]string{}
	for _, it := range queue.Items {
		ids[it.EventID] = strconv.FormatInt(it.ID, 10)
	}

	// Alice's perimeter is her portfolio: C2 (Bob's) does not exist for her.
	alice := b.tokenFor(t, store.UserSpec{Email: "alice@recoup.example", Role: domain.RoleAgent})
	b.doAs(t, alice, http.MethodPost, "/api/v1/risk/unmatched/"+ids["u-1"]+"/match", "application/json", `{"customer_external_id": "C2"}`, http.StatusBadRequest)
	matched := decode[struct {
		CustomerID int64  `json:"customer_id"`
		MatchedBy  string `json:"matched_by"`
	}](t, b.do(t, http.MethodPost, "/api/v1/risk/unmatched/"+ids["u-1"]+"/match", "application/json", `{"customer_external_id": "C2"}`, http.StatusOK))
	require.Equal(t, "manual", matched.MatchedBy)
	b.do(t, http.MethodPost, "/api/v1/risk/unmatched/"+ids["u-1"]+"/match", "application/json", `{"customer_external_id": "C2"}`, http.StatusConflict)
	b.do(t, http.MethodPost, "/api/v1/risk/unmatched/"+ids["u-2"]+"/dismiss", "", "", http.StatusOK)
	require.Zero(t, decode[struct{ Total int64 }](t, b.do(t, http.MethodGet, "/api/v1/risk/unmatched", "", "", http.StatusOK)).Total)

	// Providers: the secret is shown at creation and rotation only.
	list := b.do(t, http.MethodGet, "/api/v1/risk/providers", "", "", http.StatusOK)
	require.NotContains(t, string(list), b.secret)
	rotated := decode[struct{ Secret string }](t, b.do(t, http.MethodPost, "/api/v1/risk/providers/acme/rotate-secret", "", "", http.StatusOK)).Secret
	require.NotEqual(t, b.secret, rotated)
	require.Equal(t, http.StatusUnauthorized, b.post(t, "acme", b.secret, time.Now(), riskBody("r-1")).Code, "the old secret stops at once")
	require.Equal(t, http.StatusOK, b.post(t, "acme", rotated, time.Now(), riskBody("r-1")).Code)
	b.do(t, http.MethodPut, "/api/v1/risk/providers/acme", "application/json", `{"active": false}`, http.StatusOK)
	require.Equal(t, http.StatusUnauthorized, b.post(t, "acme", rotated, time.Now(), riskBody("r-2")).Code)
	b.do(t, http.MethodPost, "/api/v1/risk/providers", "application/json", `{"name": "acme", "adapter": "generic"}`, http.StatusConflict)
	b.do(t, http.MethodDelete, "/api/v1/risk/providers/acme", "", "", http.StatusNoContent)
	b.do(t, http.MethodGet, "/api/v1/risk/providers/acme", "", "", http.StatusNotFound)
}
