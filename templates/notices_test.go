package templates

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// A plan's confirmation shows its schedule (every instalment's date and
// amount) above the invoices it covers, in the text and the HTML part alike.
func TestPlanConfirmationShowsTheSchedule(t *testing.T) {
	t.Parallel()
	set := DefaultSet()
	d := testData()
	for _, lang := range DefaultLanguages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			r, got, err := set.Render(PlanConfirmation, domain.ChannelEmail, lang, "", d)
			require.NoError(t, err)
			require.Equal(t, lang, got)
			require.Contains(t, r.Subject, d.Entity.Name)
			for _, part := range []string{r.Text, r.HTML} {
				for _, in := range d.Schedule {
					amount, err := FormatMoney(lang, in.Amount)
					require.NoError(t, err)
					require.Contains(t, part, amount)
					require.Contains(t, part, FormatDate(lang, in.Date))
				}
				require.Contains(t, part, "F-2026-0101") // the covered invoices follow
				require.Less(t, strings.Index(part, FormatDate(lang, d.Schedule[1].Date)), strings.Index(part, "F-2026-0101"),
					"the schedule comes before the invoices")
			}
			require.Regexp(t, `<td[^>]*>2</td>`, r.HTML) // the instalments' numbers
			require.NotContains(t, r.Text+r.HTML, "[[")

			for _, ch := range []domain.Channel{domain.ChannelSMS, domain.ChannelVoice} {
				r, _, err := set.Render(PlanConfirmation, ch, lang, "", d)
				require.NoError(t, err)
				require.Contains(t, r.Text, FormatDate(lang, d.Schedule[0].Date), "%s names the first instalment", ch)
			}
		})
	}
}

// A reminder names the payment due tomorrow: an instalment by its number, a
// promise without one.
func TestPromiseReminderNamesThePayment(t *testing.T) {
	t.Parallel()
	set := DefaultSet()
	instalment := testData()
	promise := testData()
	promise.Schedule, promise.Payment.Number = nil, 0
	for _, lang := range DefaultLanguages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			amount, err := FormatMoney(lang, instalment.Payment.Amount)
			require.NoError(t, err)
			date := FormatDate(lang, instalment.Payment.Date)
			var texts []string
			for _, d := range []Data{instalment, promise} {
				r, _, err := set.Render(PromiseReminder, domain.ChannelEmail, lang, "", d)
				require.NoError(t, err)
				require.Contains(t, r.Subject, d.Entity.Name)
				for _, part := range []string{r.Text, r.HTML} {
					require.Contains(t, part, amount)
					require.Contains(t, part, date)
					require.Contains(t, part, "F-2026-0203")
				}
				require.NotContains(t, r.HTML, "[[")
				sms, _, err := set.Render(PromiseReminder, domain.ChannelSMS, lang, "", d)
				require.NoError(t, err)
				require.Contains(t, sms.Text, strings.ReplaceAll(amount, "\u00a0", " "))
				require.Less(t, len([]rune(sms.Text)), 300, sms.Text)
				voice, _, err := set.Render(PromiseReminder, domain.ChannelVoice, lang, "", d)
				require.NoError(t, err)
				require.NotContains(t, voice.Text, "http")
				require.NotRegexp(t, `[€¥$£]|KWD|JPY`, voice.Text)
				texts = append(texts, r.Text)
			}
			require.NotEqual(t, texts[0], texts[1], "an instalment and a promise are worded apart")
		})
	}
}

// A rejected dispute's answer gives its reference and the reason, escaped in
// the HTML part, above the invoices it was about, in every shipped language
// and channel.
func TestDisputeRejectedGivesTheReason(t *testing.T) {
	t.Parallel()
	set := DefaultSet()
	d := testData()
	for _, lang := range DefaultLanguages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			r, got, err := set.Render(DisputeRejected, domain.ChannelEmail, lang, "", d)
			require.NoError(t, err)
			require.Equal(t, lang, got)
			require.Contains(t, r.Subject, "1042")
			require.Contains(t, r.Subject, d.Entity.Name)
			require.Contains(t, r.Text, d.Dispute.Reason)
			require.Contains(t, r.HTML, "the delivery note &lt;signed&gt; shows every item delivered")
			require.NotContains(t, r.HTML, "<signed>")
			for _, part := range []string{r.Text, r.HTML} {
				require.Contains(t, part, "F-2026-0101", "the invoices disputed follow")
				require.Less(t, strings.Index(part, "1042"), strings.Index(part, "F-2026-0101"))
			}
			sms, _, err := set.Render(DisputeRejected, domain.ChannelSMS, lang, "", d)
			require.NoError(t, err)
			require.Contains(t, sms.Text, d.Dispute.Reason)
			voice, _, err := set.Render(DisputeRejected, domain.ChannelVoice, lang, "", d)
			require.NoError(t, err)
			require.Contains(t, voice.Text, "1042")
		})
	}
}
