package integration

import (
	"fmt"
	"net/http"
	"net/mail"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A customer answers a reminder, on the whole `recoup dev` stack: the
// reminder goes out over SMTP to the capture with the account's reply
// address, an out-of-office reply to it pauses nothing, then the customer's
// own reply, sent over SMTP to the inbound listener, opens a case on the
// account, notifies the agent and pauses the reminders: the next one, due
// meanwhile, waits until the pause is lifted.
func TestCustomerReplyReachesTheTeamAndPausesTheAccount(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	postJSON(t, http.MethodPut, s.api+"/api/v1/entities/E1/sender", `{"reply_domain": "replies.recoup.example", "reply_local": "ar"}`, http.StatusOK)
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"R1,E1,Replying Ltd,"+cur+",jana@replying.example,,en,,"+s.agent.Email+"\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios",
		`{"name": "Two emails", "settings": {"min_days_between": {"email": 0}},
		  "steps": [{"offset_days": 7, "channel": "email", "template": "reminder_1"},
		            {"offset_days": 15, "channel": "email", "template": "reminder_2"}]}`, http.StatusCreated)
	r1 := s.id(t, "customers", "R1")
	account := fmt.Sprintf("%s/api/v1/customers/%d", s.api, r1)
	postJSON(t, http.MethodPut, account+"/scenario", fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	invoice := func(daysLate int) string {
		due := s.today.AddDays(-daysLate)
		return "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
			fmt.Sprintf("RI1,R1,INV-R1,invoice,%s,%s,%s,400,400\n", due.AddDays(-30), due, cur)
	}
	postCSV(t, s.api, "invoices", invoice(7))

	// The reminder carries the account's reply address, under the agent's name.
	var reminder mailItem
	require.Eventually(t, func() bool {
		for _, m := range devMail(t, s.api) {
			if strings.Contains(m.Text, "INV-R1") {
				reminder = m
				return true
			}
		}
		return false
	}, 60*time.Second, 200*time.Millisecond, "the first reminder goes out")
	replyTo, err := mail.ParseAddress(reminder.Header["Reply-To"][0])
	require.NoError(t, err)
	require.Regexp(t, `^ar\+[a-z2-7]{26}@replies\.recoup\.example$`, replyTo.Address, "a plus-address with an unguessable token")
	require.NotContains(t, replyTo.Address, fmt.Sprint(r1), "no id in the address")
	require.Equal(t, replyTo.Address, reminder.From, "bounces come back to the same address (envelope sender)")
	require.NotEmpty(t, reminder.MessageID)

	// Mail for anything but a reply address is refused at RCPT.
	err = smtp.SendMail(s.info.Inbound, nil, "jana@replying.example", []string{"ar+nosuchtoken0000000000000@replies.recoup.example"},
		[]byte("Subject: hi\r\n\r\nhello\r\n"))
	require.ErrorContains(t, err, "550")

	send := func(id string, extra ...string) {
		t.Helper()
		msg := strings.Join(append([]string{"From: Jana <jana@replying.example>", "To: " + replyTo.String(),
			"Subject: Re: " + reminder.Subject, "Message-ID: <" + id + "@replying.example>",
			"In-Reply-To: " + reminder.MessageID, "References: " + reminder.MessageID,
			"Date: " + time.Now().Format(time.RFC1123Z), "Content-Type: text/plain; charset=utf-8"}, extra...), "\r\n")
		require.NoError(t, smtp.SendMail(s.info.Inbound, nil, "jana@replying.example", []string{replyTo.Address}, []byte(msg)))
	}
	type caseList struct {
		Items []struct {
			ID     int64  `json:"id"`
			Type   string `json:"type"`
			Source string `json:"source"`
		} `json:"items"`
	}
	var st struct {
		Pause struct {
			Paused bool      `json:"paused"`
			Until  time.Time `json:"until"`
			By     string    `json:"by"`
		} `json:"pause"`
	}

	// An out-of-office reply: recorded, but no case and no pause.
	send("ooo", "Auto-Submitted: auto-replied", "", "I am out of the office until Monday.")
	var cases caseList
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/cases?customer=%d", s.api, r1), &cases))
	require.Empty(t, cases.Items, "an auto-reply opens nothing")
	require.Equal(t, http.StatusOK, getJSON(t, account+"/dunning", &st))
	require.False(t, st.Pause.Paused, "an auto-reply pauses nothing")

	// The customer's reply: a case on the account, the agent notified, the account paused.
	send("reply1", "", "We paid INV-R1 on Monday, see our remittance.", "", "> "+strings.SplitN(reminder.Text, "\n", 2)[0])
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/cases?customer=%d", s.api, r1), &cases))
	require.Len(t, cases.Items, 1)
	require.Equal(t, "customer_message", cases.Items[0].Type)
	require.Equal(t, "customer_reply", cases.Items[0].Source)
	require.Equal(t, http.StatusOK, getJSON(t, account+"/dunning", &st))
	require.True(t, st.Pause.Paused, "the reply paused the account")
	require.Equal(t, "customer-reply", st.Pause.By)
	require.True(t, st.Pause.Until.After(time.Now().Add(3*24*time.Hour)), "3 business days: %s", st.Pause.Until)
	require.True(t, st.Pause.Until.Before(time.Now().Add(8*24*time.Hour)), "3 business days: %s", st.Pause.Until)
	notes := s.asAgent(t, http.MethodGet, "/api/v1/notifications?unread=true", "", http.StatusOK)
	var kinds []string
	for _, n := range notes["items"].([]any) {
		kinds = append(kinds, n.(map[string]any)["kind"].(string))
	}
	require.Contains(t, kinds, "customer_reply", "the agent is told")

	// A redelivery of the same message changes nothing.
	send("reply1", "", "We paid INV-R1 on Monday, see our remittance.")
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/cases?customer=%d", s.api, r1), &cases))
	require.Len(t, cases.Items, 1)

	// The account's timeline shows the replies.
	var h struct {
		Entries []struct{ Source, Action string }
	}
	require.Equal(t, http.StatusOK, getJSON(t, account+"/history", &h))
	var actions []string
	for _, e := range h.Entries {
		actions = append(actions, e.Action)
	}
	require.Contains(t, actions, "inbound.auto_reply")
	require.Contains(t, actions, "inbound.reply")
	require.Contains(t, actions, "dunning.pause")

	// The second reminder falls due during the pause: nothing goes out.
	postCSV(t, s.api, "invoices", invoice(15))
	time.Sleep(5 * time.Second)
	count := func() int {
		n := 0
		for _, m := range devMail(t, s.api) {
			if strings.Contains(m.Text, "INV-R1") {
				n++
			}
		}
		return n
	}
	require.Equal(t, 1, count(), "no reminder while the account is paused")
	// Lifted, the account catches up at once: the pause was what held it.
	postJSON(t, http.MethodPost, account+"/dunning/resume", `{}`, http.StatusOK)
	require.Eventually(t, func() bool { return count() == 2 }, 60*time.Second, 200*time.Millisecond, "the second reminder goes out once resumed")
}
