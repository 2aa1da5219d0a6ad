package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type windowItem struct {
	Start, End string
	AnyTime    bool `json:"any_time"`
}

func TestEntitiesShowTheirContactWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	list := decode[struct {
		Items []struct {
			Code, Name, Country, Currency, Timezone, Language string
			Window                                            windowItem `json:"contact_window"`
		}
	}](t, b.do(t, http.MethodGet, "/api/v1/entities", "", "", http.StatusOK))
	require.Len(t, list.Items, 2)
	fr := list.Items[0]
	require.Equal(t, []string{"FR01", "Recoup France", "FR", "EUR", "Europe/Paris", "fr"}, []string{fr.Code, fr.Name, fr.Country, fr.Currency, fr.Timezone, fr.Language})
	require.Equal(t, windowItem{"09:00", "18:00", false}, fr.Window, "the default window")
	require.Equal(t, "JP01", list.Items[1].Code)
	b.do(t, http.MethodGet, "/api/v1/entities?code=FR01", "", "", http.StatusBadRequest)
}

func TestContactWindowChangesAreValidatedAndJournaled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/entities/JP01/contact-window"
	require.Equal(t, windowItem{"09:00", "18:00", false}, decode[windowItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)))

	tests := []struct {
		name, body string
		want       windowItem
	}{
		{"narrower", `{"start": "08:30", "end": "19:45"}`, windowItem{"08:30", "19:45", false}},
		{"any time keeps the hours", `{"start": "20:00", "end": "07:00", "any_time": true}`, windowItem{"20:00", "07:00", true}},
		{"late evening", `{"start": "00:00", "end": "23:59", "any_time": false}`, windowItem{"00:00", "23:59", false}},
	}
	for _, tt := range tests {
		got := decode[windowItem](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusOK))
		require.Equal(t, tt.want, got, tt.name)
		require.Equal(t, tt.want, decode[windowItem](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK)), tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.contact_window", "entity/JP01"))

	invalid := []struct {
		name, body, field, message string
	}{
		{"one-digit hour", `{"start": "9:00", "end": "18:00"}`, "start", "HH:MM"},
		{"hour 24", `{"start": "09:00", "end": "24:00"}`, "end", "HH:MM"},
		{"seconds", `{"start": "09:00:00", "end": "18:00"}`, "start", "HH:MM"},
		{"end before start", `{"start": "18:00", "end": "09:00"}`, "end", "after start"},
		{"empty window", `{"start": "09:00", "end": "09:00"}`, "end", "after start"},
		{"no end", `{"start": "09:00"}`, "end", "required"},
		{"unknown field", `{"start": "09:00", "end": "18:00", "anytime": true}`, "anytime", "unknown field"},
		{"wrong type", `{"start": "09:00", "end": "18:00", "any_time": "yes"}`, "any_time", "want bool"},
	}
	for _, tt := range invalid {
		e := decode[apiError](t, b.do(t, http.MethodPut, path, "application/json", tt.body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tt.name)
		require.Equal(t, tt.field, e.Error.Field, tt.name)
		require.Contains(t, e.Error.Message, tt.message, tt.name)
	}
	require.Equal(t, len(tests), journaled(t, b, "entity.contact_window", "entity/JP01"), "refused changes are not journaled")

	b.do(t, http.MethodGet, "/api/v1/entities/DE01/contact-window", "", "", http.StatusNotFound)
	b.do(t, http.MethodPut, "/api/v1/entities/DE01/contact-window", "application/json", `{"start": "09:00", "end": "18:00"}`, http.StatusNotFound)
}
