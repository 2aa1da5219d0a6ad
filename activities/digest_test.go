package activities_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"recoup/activities"
	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
)

// SendDigests mails one digest per opted-in credit manager, over their
// perimeter, in their language; never to those who did not opt in; once a day.
func TestSendDigestsOncePerOptedInUser(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	rows := storetest.NewFactory(f.st.Pool)
	gbOnly := rows.User(t, storetest.User{Email: "cm.gb@example.com", Name: "Grace GB", Role: domain.RoleCreditManager})
	frFr := rows.User(t, storetest.User{Email: "cm.fr@example.com", Name: "Fanny FR", Role: domain.RoleCreditManager})
	silent := rows.User(t, storetest.User{Email: "cm.off@example.com", Name: "Olga Off", Role: domain.RoleCreditManager})
	agent := rows.User(t, storetest.User{Email: "agent.on@example.com", Role: domain.RoleAgent})
	_, err := f.st.Pool.Exec(ctx, `
INSERT INTO user_entities (user_id, entity_id) SELECT u.id, e.id FROM users u, entities e
WHERE (u.id = $1 AND e.code = 'GB01') OR (u.id IN ($2, $3) AND e.code = 'FR01')`, gbOnly, frFr, silent)
	require.NoError(t, err)
	_, err = f.st.Pool.Exec(ctx, `UPDATE users SET language = 'fr' WHERE id = $1`, frFr)
	require.NoError(t, err)
	for _, id := range []int64{gbOnly, frFr, agent} {
		require.NoError(t, f.st.SetDigest(ctx, id, true, "test"))
	}
	on, err := f.st.UserDigest(ctx, silent)
	require.NoError(t, err)
	require.False(t, on, "off by default")

	uc := app.New(f.st, nil, nil)
	d := &activities.Digests{Store: f.st, Mailer: f.d.Mailer,
		Build: func(ctx context.Context, who domain.Principal) (templates.DigestData, error) {
			return uc.DigestEmail(ctx, who, "https://recoup.example")
		}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivityWithOptions(d.SendDigests, activity.RegisterOptions{Name: "SendDigests"})

	v, err := env.ExecuteActivity("SendDigests", "2026-09-20")
	require.NoError(t, err)
	var res activities.DigestResult
	require.NoError(t, v.Get(&res))
	require.Equal(t, activities.DigestResult{Sent: 2}, res, "the agent and the user who did not opt in get none")

	byTo := map[string]string{}
	for _, m := range f.mail.Messages() {
		require.Len(t, m.To, 1)
		byTo[m.To[0]] = m.Subject + "\n" + m.Text
	}
	require.Len(t, byTo, 2)
	gb := byTo["cm.gb@example.com"]
	require.Contains(t, gb, "Recoup: tomorrow's reminders")
	require.Contains(t, gb, "Unreachable Ltd (GB01): no usable contact: no email, no phone")
	require.NotContains(t, gb, "Dupont SARL", "another entity's account is outside the perimeter")
	require.Contains(t, gb, "Unknown: the workflow engine", "no Temporal: the sends are unknown, not zero")
	require.Contains(t, gb, "https://recoup.example")
	fr := byTo["cm.fr@example.com"]
	require.Contains(t, fr, "Recoup : les relances de demain")
	require.Contains(t, fr, "Comptes qui ne peuvent pas être relancés :\n  Aucun.")
	require.NotContains(t, fr, "Unreachable Ltd")

	v, err = env.ExecuteActivity("SendDigests", "2026-09-20")
	require.NoError(t, err)
	require.NoError(t, v.Get(&res))
	require.Equal(t, activities.DigestResult{Already: 2}, res)
	require.Len(t, f.mail.Messages(), 2, "a retry of the same day sends nothing")

	v, err = env.ExecuteActivity("SendDigests", "2026-09-21")
	require.NoError(t, err)
	require.NoError(t, v.Get(&res))
	require.Equal(t, 2, res.Sent, "the next day is another digest")
}

// The digest lists at most DigestMaxAccounts accounts and says how many more.
func TestRenderDigestCapsAndFallsBack(t *testing.T) {
	d := templates.DigestData{Name: "Ann", Date: "2026-09-21", SendsKnown: true, More: 3, Link: "https://x.example",
		Sends:   []templates.DigestSends{{Entity: "GB01", Sending: "test", Channel: "email", Count: 4}},
		Blocked: []templates.DigestBlocked{{Name: "A Ltd", Entity: "GB01", Reasons: []string{"r1", "r2"}}}}
	subject, text, err := templates.RenderDigest("de-DE", d)
	require.NoError(t, err)
	require.Equal(t, "Recoup: tomorrow's reminders (2026-09-21)", subject, "German falls back to English")
	require.Contains(t, text, "GB01 (test): 4 email")
	require.Contains(t, text, "- A Ltd (GB01): r1; r2")
	require.Contains(t, text, "… and 3 more.")
	require.NotContains(t, text, "{{")
}

// Who turned the notification digest on and has unread notifications gets
// them by email, in their language, with their case's link, once a day; who
// has read everything, or did not turn it on, gets nothing.
func TestSendDigestsMailsUnreadNotificationsToWhoOptedIn(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	rows := storetest.NewFactory(f.st.Pool)
	fanny := rows.User(t, storetest.User{Email: "fanny@example.com", Name: "Fanny", Role: domain.RoleAgent})
	read := rows.User(t, storetest.User{Email: "read@example.com", Role: domain.RoleAgent})
	off := rows.User(t, storetest.User{Email: "off@example.com", Role: domain.RoleAgent})
	_, err := f.st.Pool.Exec(ctx, `UPDATE users SET language = 'fr' WHERE id = $1`, fanny)
	require.NoError(t, err)
	customer := rows.Customer(t, storetest.Customer{Name: "Boulangerie Martin", Agent: fanny})
	k, err := f.st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseCustomerMessage, CustomerID: customer,
		Description: "Where is my credit note?", Source: "agent", Actor: "sam@example.com"})
	require.NoError(t, err)
	_, err = f.st.AddCaseComment(ctx, k.ID, "sam@example.com", "@fanny@example.com @read@example.com @off@example.com see this",
		[]string{"fanny@example.com", "read@example.com", "off@example.com"})
	require.NoError(t, err)
	_, err = f.st.MarkAllNotificationsRead(ctx, read)
	require.NoError(t, err)
	for _, id := range []int64{fanny, read} {
		require.NoError(t, f.st.SetNotificationDigest(ctx, id, true, "test"))
	}
	on, err := f.st.UserNotificationDigest(ctx, off)
	require.NoError(t, err)
	require.False(t, on, "off by default")

	uc := app.New(f.st, nil, nil)
	d := &activities.Digests{Store: f.st, Mailer: f.d.Mailer,
		Notifications: func(ctx context.Context, who domain.Principal) (templates.NotificationDigestData, error) {
			return uc.NotificationDigestEmail(ctx, who, "https://recoup.example")
		}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivityWithOptions(d.SendDigests, activity.RegisterOptions{Name: "SendDigests"})
	run := func(day string) activities.DigestResult {
		v, err := env.ExecuteActivity("SendDigests", day)
		require.NoError(t, err)
		var res activities.DigestResult
		require.NoError(t, v.Get(&res))
		return res
	}

	require.Equal(t, activities.DigestResult{Notifications: 1}, run("2026-09-20"))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"fanny@example.com"}, msgs[0].To)
	require.Equal(t, "Recoup : 1 notification non lue", msgs[0].Subject)
	require.Contains(t, msgs[0].Text, "sam@example.com vous a mentionné dans le dossier")
	require.Contains(t, msgs[0].Text, "Boulangerie Martin")
	require.Contains(t, msgs[0].Text, fmt.Sprintf("https://recoup.example/cases/%d", k.ID))

	require.Equal(t, activities.DigestResult{Already: 1}, run("2026-09-20"), "a retry of the same day sends nothing")
	_, err = f.st.MarkAllNotificationsRead(ctx, fanny)
	require.NoError(t, err)
	require.Equal(t, activities.DigestResult{}, run("2026-09-21"), "nothing unread: no email")
}

func TestRenderNotificationDigestFallsBackToEnglish(t *testing.T) {
	d := templates.NotificationDigestData{Name: "Ann", Unread: 3, More: true, Link: "https://x.example/notifications",
		Items: []templates.NotificationDigestItem{{At: "2026-09-20 08:00 UTC", Text: "Case 4 was routed to you", Link: "https://x.example/cases/4"}}}
	subject, text, err := templates.RenderNotificationDigest("de", d)
	require.NoError(t, err)
	require.Equal(t, "Recoup: 3 unread notifications", subject)
	require.Contains(t, text, "(the latest 1 below)")
	require.Contains(t, text, "- 2026-09-20 08:00 UTC: Case 4 was routed to you\n    https://x.example/cases/4")
	require.NotContains(t, text, "{{")
}

// The morning run warms the day's figures first, even with no mailer, and a
// failed warm-up costs no digest.
func TestSendDigestsWarmsTheDaysFiguresFirst(t *testing.T) {
	f := setup(t)
	for _, tc := range []struct {
		name string
		fail bool
	}{{"warmed", false}, {"warm-up failed", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var warmed []string
			d := &activities.Digests{Store: f.st, Warm: func(_ context.Context, day dunning.Date, beat func()) error {
				warmed = append(warmed, day.String())
				beat()
				if tc.fail {
					return errors.New("statement timeout")
				}
				return nil
			}}
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestActivityEnvironment()
			env.RegisterActivityWithOptions(d.SendDigests, activity.RegisterOptions{Name: "SendDigests"})
			_, err := env.ExecuteActivity("SendDigests", "2026-09-20")
			require.NoError(t, err)
			require.Equal(t, []string{"2026-09-20"}, warmed)
		})
	}
}
