package templates_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/templates"
)

func TestRenderReportInEachLanguage(t *testing.T) {
	d := templates.ReportData{Name: "Comité <FR>", AsOf: "2026-11-30", Currency: "EUR",
		Buckets: [6]string{"1,00 €", "2,00 €", "0,00 €", "0,00 €", "0,00 €", "0,00 €"}, Credits: "0,00 €", Total: "3,00 €", Overdue: "2,00 €",
		Top:      []templates.ReportTop{{Rank: 1, Name: `<script>alert(1)</script>`, Entity: "FR01", Overdue: "2,00 €", Reporting: "2,00 €", Days: 12}},
		Disputes: templates.ReportDisputes{From: "2026-09-02", To: "2026-11-30", Opened: 2, Decided: 1, AvgDays: "3.50", P90Days: "3.50"}}
	for _, tc := range []struct{ lang, subject, line string }{
		{"fr", "Rapport hebdomadaire Recoup : Comité <FR> (2026-11-30)", "  Délai de résolution : moyenne 3.50 jours, 90e centile 3.50 jours"},
		{"en-GB", "Recoup weekly report: Comité <FR> (2026-11-30)", "  Resolution time: average 3.50 days, 90th percentile 3.50 days"},
		{"de", "Recoup weekly report: Comité <FR> (2026-11-30)", "  1. <script>alert(1)</script> (FR01): 2,00 €, oldest 12 days"}, // English for a language it does not ship in
	} {
		subject, text, html, err := templates.RenderReport(tc.lang, d)
		require.NoError(t, err, tc.lang)
		require.Equal(t, tc.subject, subject, tc.lang)
		require.Contains(t, text, tc.line+"\n", tc.lang)
		require.NotContains(t, html, "<script>", "the HTML escapes what it shows")
		require.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
		require.Contains(t, html, "Comité &lt;FR&gt;")
	}
}
