package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// Each kind reads in each language, its parameters in place.
func TestNotificationTextInEachLanguage(t *testing.T) {
	t.Parallel()
	caseID := int64(42)
	note := func(kind store.NotificationKind, p store.NotificationParams) store.Notification {
		p.CaseType, p.Customer = "dispute", "Boulangerie Martin"
		return store.Notification{Kind: kind, CaseID: &caseID, Params: p}
	}
	tests := []struct {
		name   string
		n      store.Notification
		en, fr string
	}{
		{"routed at opening", note(store.NotifyCaseAssigned, store.NotificationParams{}),
			"Case 42 (dispute, Boulangerie Martin) was routed to you",
			"Le dossier 42 (litige, Boulangerie Martin) vous est confié"},
		{"re-routed by someone", note(store.NotifyCaseAssigned, store.NotificationParams{Actor: "bob@x.example", Reason: "price list"}),
			"Case 42 (dispute, Boulangerie Martin) was routed to you by bob@x.example: price list",
			"Le dossier 42 (litige, Boulangerie Martin) vous est confié par bob@x.example : price list"},
		{"mention", note(store.NotifyMention, store.NotificationParams{Actor: "sam@x.example"}),
			"sam@x.example mentioned you on case 42 (Boulangerie Martin)",
			"sam@x.example vous a mentionné dans le dossier 42 (Boulangerie Martin)"},
		{"comment", note(store.NotifyCaseComment, store.NotificationParams{Actor: "sam@x.example"}),
			"sam@x.example commented on your case 42 (Boulangerie Martin)",
			"sam@x.example a commenté votre dossier 42 (Boulangerie Martin)"},
		{"files alone", note(store.NotifyCaseComment, store.NotificationParams{Actor: "sam@x.example", Files: "note.pdf, photo.jpg"}),
			"sam@x.example attached note.pdf, photo.jpg to your case 42 (Boulangerie Martin)",
			"sam@x.example a joint note.pdf, photo.jpg à votre dossier 42 (Boulangerie Martin)"},
		{"customer reply", note(store.NotifyCustomerReply, store.NotificationParams{Actor: "ap@martin.example", Subject: "Re: Invoice 12"}),
			"ap@martin.example replied (Re: Invoice 12) on case 42 (Boulangerie Martin)",
			"ap@martin.example a répondu (Re: Invoice 12) dans le dossier 42 (Boulangerie Martin)"},
		{"task", store.Notification{Kind: store.NotifyTaskAssigned, Params: store.NotificationParams{Task: "call", Customer: "Boulangerie Martin", CustomerID: 7}},
			"A task (call) on Boulangerie Martin is yours",
			"Une tâche (appel) sur Boulangerie Martin vous est confiée"},
		{"SLA reminder", note(store.NotifySLAReminder, store.NotificationParams{SLADays: 10, Level: store.AlertReminder}),
			"Case 42 (dispute, Boulangerie Martin): half its SLA of 10 business days is gone",
			"Dossier 42 (litige, Boulangerie Martin) : la moitié de son délai de 10 jours ouvrés est écoulée"},
		{"SLA breach", note(store.NotifySLAEscalation, store.NotificationParams{SLADays: 10, Level: store.AlertBreach}),
			"Case 42 (dispute, Boulangerie Martin) is past its SLA of 10 business days: escalated",
			"Le dossier 42 (litige, Boulangerie Martin) a dépassé son délai de 10 jours ouvrés : escaladé"},
		{"SLA twice", note(store.NotifySLAEscalation, store.NotificationParams{SLADays: 10, Level: store.AlertTwice}),
			"Case 42 (dispute, Boulangerie Martin) is past twice its SLA of 10 business days: escalated again",
			"Le dossier 42 (litige, Boulangerie Martin) a dépassé deux fois son délai de 10 jours ouvrés : escaladé à nouveau"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.en, app.NotificationText("en", tt.n))
			require.Equal(t, tt.fr, app.NotificationText("fr", tt.n))
			require.Equal(t, tt.en, app.NotificationText("de", tt.n), "a language notifications do not speak: English")
		})
	}
	for _, kind := range store.NotificationKinds {
		for _, lang := range app.NotificationLanguages {
			text := app.NotificationText(lang, note(kind, store.NotificationParams{Actor: "a@x.example"}))
			require.NotContains(t, text, "{", "%s in %s: every placeholder filled", kind, lang)
			require.NotEqual(t, string(kind), text, "%s has a text in %s", kind, lang)
		}
	}
	old := store.Notification{Kind: store.NotifyMention, CaseID: &caseID, Fallback: "bob mentioned you on case 42"}
	require.Equal(t, "bob mentioned you on case 42", app.NotificationText("fr", old), "a row from before parameters keeps its text")
}

func TestNotificationLanguageIsTheProfilesElseTheBrowsers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ saved, accept, want string }{
		{"fr", "en-US,en;q=0.9", "fr"},
		{"", "fr-CA,fr;q=0.9,en;q=0.5", "fr"},
		{"", "de-DE", "en"},
		{"ja", "", "en"},
		{"", "", "en"},
	} {
		require.Equal(t, tt.want, app.NotificationLanguage(tt.saved, tt.accept), "saved %q, Accept-Language %q", tt.saved, tt.accept)
	}
}

// What the store keeps is the kind and its parameters: each reader gets it in
// their language; rows from before keep their English text.
func TestMyNotificationsAreRenderedWhenRead(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.sam, "price", b.first)
	_, err := b.a.CommentCase(ctx, b.sam, k.ID, app.CommentRequest{Text: "@agent@example.com can you call them?"})
	require.NoError(t, err)
	var customer string
	require.NoError(t, b.st.Pool.QueryRow(ctx, `SELECT name FROM customers WHERE id = $1`, b.customer).Scan(&customer))

	text := func(lang string) []string {
		n, err := b.a.MyNotifications(ctx, b.agent, app.NotificationQuery{Language: lang, Page: domain.Page{Limit: 10}})
		require.NoError(t, err)
		var texts []string
		for _, it := range n.Items {
			texts = append(texts, it.Text)
		}
		return texts
	}
	require.Equal(t, []string{"sam@example.com mentioned you on case " + strconv.FormatInt(k.ID, 10) + " (" + customer + ")"}, text("en"))
	require.Equal(t, []string{"sam@example.com vous a mentionné dans le dossier " + strconv.FormatInt(k.ID, 10) + " (" + customer + ")"}, text("fr"))

	_, err = b.st.Pool.Exec(ctx, `INSERT INTO notifications (user_id, kind, case_id, text) VALUES ($1, 'case_comment', $2, $3)`,
		b.agent.UserID, k.ID, "sam commented on your case (written before 00024)")
	require.NoError(t, err)
	require.Equal(t, "sam commented on your case (written before 00024)", text("fr")[0])
	require.True(t, strings.HasPrefix(text("fr")[1], "sam@example.com vous a mentionné"))
}
