package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/activities"
	"recoup/domain"
)

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := f.st.Pool.Exec(context.Background(), q, args...)
	require.NoError(t, err)
}

func TestSendingOffSkipsCustomerMessagesButNotTasks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.exec(t, `UPDATE entities SET sending = 'off' WHERE code = 'GB01'`)

	res := f.run(t, f.action("k-off", domain.ChannelEmail, "C1", "I1"))
	require.Equal(t, domain.MessageSkipped, res.Status)
	require.Contains(t, res.Detail, "sending is off for entity GB01")
	require.Empty(t, f.mail.Messages())
	require.Empty(t, f.phone.Messages())
	status, _, _, detail := f.logRow(t, "k-off")
	require.Equal(t, "skipped", status)
	require.Contains(t, detail, "sending is off")

	task := f.run(t, f.action("k-off-task", domain.ChannelTask, "C1", "I1"))
	require.Equal(t, domain.MessageSent, task.Status)
	require.Equal(t, 1, f.taskCount(t, "k-off-task"), "tasks for people still go out")
}

func TestSendingTestSendsEverythingToTheTestAddress(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.exec(t, `UPDATE entities SET sending = 'test', test_address = 'ar-test@recoup.example' WHERE code = 'GB01'`)

	res := f.run(t, f.action("k-test-email", domain.ChannelEmail, "C1", "I1"))
	require.Equal(t, []any{domain.MessageSent, domain.ChannelEmail}, []any{res.Status, res.Channel})
	require.Contains(t, res.Detail, "test mode: sent to ar-test@recoup.example")
	sms := f.run(t, f.action("k-test-sms", domain.ChannelSMS, "C2", "I3"))
	require.Equal(t, []any{domain.MessageSent, domain.ChannelSMS}, []any{sms.Status, sms.Channel})

	require.Empty(t, f.phone.Messages(), "no text reaches a customer")
	msgs := f.mail.Messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		require.Equal(t, []string{"ar-test@recoup.example"}, m.To)
		require.True(t, strings.HasPrefix(m.Subject, activities.TestSubjectPrefix), m.Subject)
		require.Equal(t, []string{"true"}, m.Header[activities.HeaderTest])
	}
	email, text := msgs[0], msgs[1]
	if strings.Contains(email.Subject, "SMS to") {
		email, text = text, email
	}
	require.Contains(t, email.Text, "would go to ap@acme.example")
	require.Contains(t, email.Text, "INV-1001")
	require.Contains(t, email.HTML, "would go to ap@acme.example")
	require.Contains(t, text.Subject, "SMS to +447700900002")
	require.Contains(t, text.Text, "would go to +447700900002")
	require.Contains(t, text.Text, "£99.00")

	// A retry sends nothing more.
	require.True(t, f.run(t, f.action("k-test-email", domain.ChannelEmail, "C1", "I1")).AlreadyDone)
	require.Len(t, f.mail.Messages(), 2)
}

func TestTextsAndCallsNeedConsent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		setup      string
		ch         domain.Channel
		wantCh     domain.Channel
		wantDetail string
	}{
		{"unknown consent, entity default no", `UPDATE customers SET sms_consent = NULL WHERE external_id = 'C1'`,
			domain.ChannelSMS, domain.ChannelEmail, "no consent to texts recorded"},
		{"unknown consent, entity default yes", `UPDATE customers SET sms_consent = NULL WHERE external_id = 'C1';
			UPDATE entities SET sms_consent_default = true WHERE code = 'GB01'`,
			domain.ChannelSMS, domain.ChannelSMS, ""},
		{"refused", `UPDATE customers SET sms_consent = false WHERE external_id = 'C1'`,
			domain.ChannelSMS, domain.ChannelEmail, "did not consent to texts"},
		{"refused calls", `UPDATE customers SET voice_consent = false WHERE external_id = 'C1'`,
			domain.ChannelVoice, domain.ChannelSMS, "did not consent to calls"},
		{"opted out", `UPDATE customers SET sms_opted_out_at = now() WHERE external_id = 'C1'`,
			domain.ChannelSMS, domain.ChannelEmail, "opted out of texts"},
		{"phone marked invalid", `UPDATE customers SET phone_invalid_at = now(), phone_invalid_reason = 'not theirs' WHERE external_id = 'C1'`,
			domain.ChannelSMS, domain.ChannelEmail, "phone number marked invalid: not theirs"},
		{"email marked invalid", `UPDATE customers SET email_invalid_at = now() WHERE external_id = 'C1'`,
			domain.ChannelEmail, domain.ChannelSMS, "email address marked invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.exec(t, tc.setup)
			res := f.run(t, f.action("k", tc.ch, "C1", "I1"))
			require.Equal(t, tc.wantCh, res.Channel)
			if tc.wantDetail == "" {
				require.Equal(t, domain.MessageSent, res.Status)
				return
			}
			require.Equal(t, domain.MessageFallback, res.Status)
			require.Contains(t, res.Detail, tc.wantDetail)
		})
	}
}

func TestTwilioOptOutMarksTheNumberAndFallsBackToEmail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.tw.RejectNumber("+447700900001", 21610)

	res := f.run(t, f.action("k-stop", domain.ChannelSMS, "C1", "I1"))
	require.Equal(t, []any{domain.MessageFallback, domain.ChannelEmail}, []any{res.Status, res.Channel})
	require.Len(t, f.mail.Messages(), 1)
	g, err := f.st.SendGate(context.Background(), f.ids["C1"])
	require.NoError(t, err)
	require.False(t, g.SMSAllowed)
	require.Contains(t, g.SMSWhy, "opted out")
	j := f.journal(t, "customer.sms_opt_out")
	require.Len(t, j, 1)
	require.Equal(t, "customer/"+itoa(f.ids["C1"]), j[0].Target)

	// The next text is not even tried.
	f.tw.RejectNumber("+447700900001", 0)
	next := f.run(t, f.action("k-stop-2", domain.ChannelSMS, "C1", "I1"))
	require.Equal(t, domain.ChannelEmail, next.Channel)
	require.Contains(t, next.Detail, "opted out of texts")
	require.Empty(t, f.phone.Messages())
	require.Len(t, f.journal(t, "customer.sms_opt_out"), 1, "journaled once")
}

func TestTestModeWithoutAnAddressSendsNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.exec(t, `UPDATE entities SET sending = 'test', test_address = '' WHERE code = 'GB01'`) // as an import may create it

	res := f.run(t, f.action("k-test-noaddr", domain.ChannelEmail, "C1", "I1"))
	require.Equal(t, domain.MessageSkipped, res.Status)
	require.Contains(t, res.Detail, "test mode but has no test address")
	require.Empty(t, f.mail.Messages())
	require.Empty(t, f.phone.Messages())
}

func TestLoadAccountOnStaleDataAlertsOncePerEntity(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	_, err := f.st.EnsureDefaultScenario(ctx, "Default", []byte(`[{"offset_days": 7, "channel": "email", "template": "reminder_1"}]`))
	require.NoError(t, err)
	accounts := &activities.Accounts{Store: f.st}

	snap, err := accounts.LoadAccount(ctx, f.ids["C1"])
	require.NoError(t, err)
	require.Empty(t, snap.Account.MessagesWait, "fresh data")

	f.exec(t, `UPDATE imports SET finished_at = now() - interval '2 days'`)
	for _, c := range []string{"C1", "C2", "C1"} {
		snap, err = accounts.LoadAccount(ctx, f.ids[c])
		require.NoError(t, err)
		require.Contains(t, snap.Account.MessagesWait, "stale data: entity GB01")
	}
	var n int
	require.NoError(t, f.st.Pool.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE key LIKE 'stale-data/%'`).Scan(&n))
	require.Equal(t, 1, n, "one alert for the entity, not one per account")
}
