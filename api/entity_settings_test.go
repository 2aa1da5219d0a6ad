package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type settingsItem struct {
	Entity, Currency, Sending string
	TestAddress               string `json:"test_address"`
	MaxDataAge                string `json:"max_data_age"`
	MinAmount                 string `json:"min_amount_to_chase"`
	MinAmountMinor            int64  `json:"min_amount_to_chase_minor"`
	SMSDefault                bool   `json:"sms_consent_default"`
	VoiceDefault              bool   `json:"voice_consent_default"`
}

func TestEntitySettingsAreValidatedAndJournaled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/entities/JP01/settings"
	require.Equal(t, settingsItem{Entity: "JP01", Currency: "JPY", Sending: "live", MaxDataAge: "1d", MinAmount: "0"},
		decode[settingsItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)))

	tests := []struct {
		name, body string
		want       settingsItem
	}{
		{"test mode with its address", `{"sending": "test", "test_address": "AR Test <ar-test@recoup.example>"}`,
			settingsItem{Entity: "JP01", Currency: "JPY", Sending: "test", TestAddress: "ar-test@recoup.example", MaxDataAge: "1d", MinAmount: "0"}},
		{"age, threshold in yen, consent", `{"max_data_age": "36h", "min_amount_to_chase": "5000", "sms_consent_default": true}`,
			settingsItem{Entity: "JP01", Currency: "JPY", Sending: "test", TestAddress: "ar-test@recoup.example", MaxDataAge: "36h",
				MinAmount: "5000", MinAmountMinor: 5000, SMSDefault: true}},
		{"days and hours", `{"max_data_age": "1d12h", "sending": "OFF"}`,
			settingsItem{Entity: "JP01", Currency: "JPY", Sending: "off", TestAddress: "ar-test@recoup.example", MaxDataAge: "36h",
				MinAmount: "5000", MinAmountMinor: 5000, SMSDefault: true}},
	}
	for _, tt := range tests {
		got := decode[settingsItem](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusOK))
		require.Equal(t, tt.want, got, tt.name)
		require.Equal(t, tt.want, decode[settingsItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)), tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.settings", "entity/JP01"))

	invalid := []struct {
		name, body, field, message string
	}{
		{"unknown mode", `{"sending": "paused"}`, "sending", "want live, test or off"},
		{"test without address", `{"sending": "test", "test_address": ""}`, "test_address", "required when sending is test"},
		{"bad address", `{"test_address": "nobody"}`, "test_address", "want an email address"},
		{"bad age", `{"max_data_age": "soon"}`, "max_data_age", "such as 24h"},
		{"age too short", `{"max_data_age": "1m"}`, "max_data_age", "between 5m and 366d"},
		{"yen have no decimals", `{"min_amount_to_chase": "10.50"}`, "min_amount_to_chase", "in JPY"},
		{"negative threshold", `{"min_amount_to_chase": "-1"}`, "min_amount_to_chase", "negative"},
		{"unknown field", `{"sending": "live", "mode": "x"}`, "mode", "unknown field"},
	}
	for _, tt := range invalid {
		e := decode[apiError](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.settings", "entity/JP01"), "refused changes are not journaled")

	b.do(t, http.MethodGet, "/api/v1/entities/DE01/settings", "", "", http.StatusNotFound)
	b.do(t, http.MethodPut, "/api/v1/entities/DE01/settings", "application/json", `{"sending": "off"}`, http.StatusNotFound)
}
