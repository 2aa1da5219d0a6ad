package risk_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/risk"
)

func TestNormaliseCompanyID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind     risk.IDKind
		in, want string
	}{
		{risk.IDVAT, " fr 40 303 265 045 ", "FR40303265045"},
		{risk.IDRegistration, "303.265.045", "303265045"},
		{risk.IDRegistration, "SC-123 456", "SC123456"},
		{risk.IDExternal, " cust.a-1 ", "cust.a-1"},
	} {
		require.Equal(t, tc.want, risk.NormaliseCompanyID(tc.kind, tc.in), "%s %q", tc.kind, tc.in)
	}
}

func TestGenericParse(t *testing.T) {
	t.Parallel()
	body := `{"signals": [
	  {"event_id": "e-1", "company_id": "FR 40 303 265 045", "company_id_kind": "vat", "company_name": "Dupont SA",
	   "observed_at": "2026-11-30T09:00:00+01:00", "score": 42, "rating": "C",
	   "limit": {"amount": "50000.00", "currency": "EUR"}, "legal_status": "Safeguard", "published_on": "2026-11-29"},
	  {"event_id": "e-2", "company_id": "C-9", "company_id_kind": "external", "observed_at": "2026-11-30T08:00:00Z", "rating": "B"}
	]}`
	got, err := risk.Generic{}.Parse([]byte(body))
	require.NoError(t, err)
	require.Len(t, got, 2)
	score := 42
	first := got[0]
	first.Payload = nil
	require.Equal(t, risk.Signal{EventID: "e-1", CompanyID: "FR40303265045", CompanyIDKind: risk.IDVAT, CompanyName: "Dupont SA",
		ObservedAt: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Score: &score, Rating: "C",
		Limit: &money.Money{Minor: 5_000_000, Currency: money.MustCurrency("EUR")}, LegalStatus: domain.LegalSafeguard,
		PublishedOn: dunning.NewDate(2026, 11, 29)}, first)
	require.Equal(t, "C-9", got[1].CompanyID)
	require.JSONEq(t, `{"event_id": "e-2", "company_id": "C-9", "company_id_kind": "external", "observed_at": "2026-11-30T08:00:00Z", "rating": "B"}`, string(got[1].Payload))
}

func TestGenericParseRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, field string
	}{
		{"not JSON", `{"signals": [`, "body"},
		{"no signal", `{"signals": []}`, "signals"},
		{"unknown field", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "score": 1, "colour": "red"}]}`, "signals[0]"},
		{"score out of range", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "score": 101}]}`, "signals[0].score"},
		{"bad kind", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "duns", "observed_at": "2026-11-30T08:00:00Z", "score": 1}]}`, "signals[0].company_id_kind"},
		{"blank company id", `{"signals": [{"event_id": "e", "company_id": " . ", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "score": 1}]}`, "signals[0].company_id"},
		{"no event id", `{"signals": [{"company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "score": 1}]}`, "signals[0].event_id"},
		{"bad time", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "30/11/2026", "score": 1}]}`, "signals[0].observed_at"},
		{"float amount", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "limit": {"amount": "10.005", "currency": "EUR"}}]}`, "signals[0].limit"},
		{"bad legal status", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z", "legal_status": "bankrupt"}]}`, "signals[0].legal_status"},
		{"says nothing", `{"signals": [{"event_id": "e", "company_id": "1", "company_id_kind": "vat", "observed_at": "2026-11-30T08:00:00Z"}]}`, "signals[0].score"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := risk.Generic{}.Parse([]byte(tc.body))
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, domain.CodeInvalid, de.Code)
			require.Equal(t, tc.field, de.Field, de.Message)
		})
	}
}

func TestBODACCParse(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/bodacc_records.json")
	require.NoError(t, err)
	got, err := risk.BODACC{}.Parse(body)
	require.NoError(t, err)
	require.Len(t, got, 2, "the sale (familleavis vente) says nothing of the legal status")
	for i := range got {
		require.NotEmpty(t, got[i].Payload)
		got[i].Payload = nil
	}
	require.Equal(t, []risk.Signal{
		{EventID: "A202602281234", CompanyID: "303265045", CompanyIDKind: risk.IDRegistration, CompanyName: "DUPONT ET FILS",
			ObservedAt: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), LegalStatus: domain.LegalReceivership,
			PublishedOn: dunning.NewDate(2026, 11, 27)},
		{EventID: "A202602281236", CompanyID: "552100554", CompanyIDKind: risk.IDRegistration, CompanyName: "MARTIN SARL",
			ObservedAt: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), LegalStatus: domain.LegalLiquidation,
			PublishedOn: dunning.NewDate(2026, 11, 28)},
	}, got)
}

func TestBODACCJudgments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		famille, nature string
		want            domain.LegalStatus // "": skipped
	}{
		{"collective", "Jugement d'ouverture d'une procédure de sauvegarde", domain.LegalSafeguard},
		{"collective", "Jugement d'ouverture d'une procédure de sauvegarde accélérée", domain.LegalSafeguard},
		{"collective", "Jugement d'ouverture d'une procédure de redressement judiciaire", domain.LegalReceivership},
		{"collective", "Jugement d'ouverture de liquidation judiciaire", domain.LegalLiquidation},
		{"collective", "Jugement de clôture pour insuffisance d'actif", domain.LegalCeased},
		{"collective", "Jugement de clôture pour extinction du passif", domain.LegalActive},
		{"collective", "Dépôt de l'état des créances", ""},
		{"radiation", "", domain.LegalCeased},
		{"dpc", "", ""},
	} {
		body := `{"id": "X1", "dateparution": "2026-11-27", "familleavis": "` + tc.famille + `", "registre": "303 265 045,303265045",
		  "jugement": {"nature": "` + tc.nature + `"}}`
		got, err := risk.BODACC{}.Parse([]byte(body))
		require.NoError(t, err, tc.nature)
		if tc.want == "" {
			require.Empty(t, got, tc.nature)
			continue
		}
		require.Len(t, got, 1, tc.nature)
		require.Equal(t, tc.want, got[0].LegalStatus, tc.nature)
		require.Equal(t, "303265045", got[0].CompanyID)
	}
}

func TestBODACCRefusesARecordWithoutSIREN(t *testing.T) {
	t.Parallel()
	_, err := risk.BODACC{}.Parse([]byte(`[{"id": "X1", "dateparution": "2026-11-27", "familleavis": "radiation", "registre": ["n/a"]}]`))
	var de *domain.Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, "results[0].registre", de.Field)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	secret, err := risk.NewSecret()
	require.NoError(t, err)
	body := []byte(`{"signals": []}`)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ts := func(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }
	for _, tc := range []struct {
		name           string
		timestamp, sig string
		body           []byte
		want           error
	}{
		{"good", ts(now), risk.Sign(secret, now, body), body, nil},
		{"4 minutes old", ts(now.Add(-4 * time.Minute)), risk.Sign(secret, now.Add(-4*time.Minute), body), body, nil},
		{"6 minutes old", ts(now.Add(-6 * time.Minute)), risk.Sign(secret, now.Add(-6*time.Minute), body), body, risk.ErrStale},
		{"6 minutes ahead", ts(now.Add(6 * time.Minute)), risk.Sign(secret, now.Add(6*time.Minute), body), body, risk.ErrStale},
		{"timestamp changed", ts(now.Add(time.Second)), risk.Sign(secret, now, body), body, risk.ErrBadSignature},
		{"body changed", ts(now), risk.Sign(secret, now, body), []byte(`{"signals": [1]}`), risk.ErrBadSignature},
		{"other secret", ts(now), risk.Sign(secret+"x", now, body), body, risk.ErrBadSignature},
		{"no signature", ts(now), "", body, risk.ErrNoSignature},
		{"no timestamp", "", risk.Sign(secret, now, body), body, risk.ErrNoSignature},
	} {
		require.ErrorIs(t, risk.Verify(secret, tc.timestamp, tc.sig, tc.body, now), tc.want, tc.name)
	}
}
