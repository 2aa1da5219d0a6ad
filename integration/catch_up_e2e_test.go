package integration

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/flow"
	"recoup/importer"
	"recoup/inbound"
	"recoup/store"
	"recoup/tclient"
)

// A case opened, a dispute rejected and a customer's reply received while
// Temporal is out of reach (an API process without it) are not lost: the
// catch-up, once Temporal is there, starts the case's workflow, emails the
// customer the rejection and pauses the account the customer answered,
// once each.
func TestCaseChangesMadeWithoutTemporalAreCaughtUp(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	ctx := context.Background()
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"C1,E1,Offline Ltd,"+s.currency+",ap@offline.example,,en,,"+s.agent.Email+"\n")
	postCSV(t, s.api, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("CI1,C1,INV-C1,invoice,%s,%s,%s,400,400\n", s.today.AddDays(-40), s.today.AddDays(20), s.currency)+
		fmt.Sprintf("CI2,C1,INV-C2,invoice,%s,%s,%s,300,300\n", s.today.AddDays(-40), s.today.AddDays(20), s.currency))
	c1 := s.id(t, "customers", "C1")

	pool, err := pgxpool.New(ctx, s.dbURL)
	require.NoError(t, err)
	defer pool.Close()
	st := &store.Store{Pool: pool}
	log := slog.New(slog.DiscardHandler)
	offline := app.New(st, nil, log)
	cm := domain.Principal{Role: domain.RoleCreditManager, Email: "cm@recoup.example", AllEntities: true}
	dispute := func(invoice string) app.OpenedCase {
		k, err := offline.OpenCase(ctx, cm, app.CaseRequest{Type: "dispute", CustomerID: c1, Reason: "price",
			Invoices: []store.NewCaseInvoice{{InvoiceID: s.id(t, "invoices", invoice)}}})
		require.NoError(t, err)
		require.NotEmpty(t, k.Started, "no workflow without Temporal")
		return k
	}
	opened := dispute("CI1")
	rejected := dispute("CI2")
	const why = "the price is the one of the signed order"
	d, err := offline.DecideCase(ctx, cm, rejected.ID, app.DecideRequest{Decision: "rejected", Reason: why})
	require.NoError(t, err)
	require.False(t, d.CustomerEmailed, d.CustomerTold)

	postJSON(t, http.MethodPut, s.api+"/api/v1/entities/E1/sender", `{"reply_domain": "replies.recoup.example"}`, http.StatusOK)
	token, err := st.ReplyToken(ctx, c1, inbound.NewReplyToken())
	require.NoError(t, err)
	m, err := inbound.Parse([]byte("From: ap@offline.example\r\nSubject: About INV-C1\r\nMessage-ID: <offline-reply@offline.example>\r\n\r\nWe will pay next week.\r\n"))
	require.NoError(t, err)
	got, err := offline.ReceiveCustomerEmail(ctx, inbound.Envelope{From: m.From, To: []string{inbound.ReplyAddress("", token, "replies.recoup.example")}}, m)
	require.NoError(t, err)
	require.Contains(t, got.Paused, "it is paused when Temporal is back")

	// An import made meanwhile: its invoice is committed, its wake-up queued.
	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@recoup.example", AllEntities: true}
	imported, err := offline.Import(ctx, admin, app.ImportRequest{Kind: "invoices", Format: importer.CSV, Name: "offline.csv",
		Body: strings.NewReader("external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
			fmt.Sprintf("CI3,C1,INV-C3,invoice,%s,%s,%s,200,200\n", s.today.AddDays(-40), s.today.AddDays(20), s.currency))})
	require.NoError(t, err)
	require.Equal(t, int64(1), imported.Inserted)
	require.Contains(t, imported.Woken.Error, "the wake-up is queued")

	// The owing process is gone: past its grace, the catch-up pays.
	_, err = pool.Exec(ctx, `UPDATE temporal_outbox SET created_at = created_at - interval '5 minutes'`)
	require.NoError(t, err)
	tc, err := tclient.Dial(ctx, s.info.Temporal, "default", log)
	require.NoError(t, err)
	defer tc.Close()
	online := app.New(st, flow.NewClient(tc), log)
	done, err := online.CatchUpTemporal(ctx)
	require.NoError(t, err)
	require.Equal(t, flow.CaughtUp{Started: 6}, done, "the open cases' starts (two disputes, the reply's case), the rejection's email, the reply's pause, the import's wake-up")
	again, err := online.CatchUpTemporal(ctx)
	require.NoError(t, err)
	require.Equal(t, flow.CaughtUp{}, again, "nothing is owed twice")

	var live struct {
		Live *struct {
			Status string `json:"status"`
		} `json:"live"`
	}
	require.Eventually(t, func() bool {
		return getJSON(t, fmt.Sprintf("%s/api/v1/cases/%d", s.api, opened.ID), &live) == http.StatusOK && live.Live != nil
	}, 30*time.Second, 200*time.Millisecond, "the case caught up has its workflow")
	require.Equal(t, "open", live.Live.Status)

	var dunning struct {
		Pause struct {
			Paused bool      `json:"paused"`
			Until  time.Time `json:"until"`
			By     string    `json:"by"`
		} `json:"pause"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning", s.api, c1), &dunning))
	require.True(t, dunning.Pause.Paused, "the reply's pause, caught up")
	require.Equal(t, "customer-reply", dunning.Pause.By)
	require.True(t, dunning.Pause.Until.After(time.Now().Add(24*time.Hour)), "counted from the reply: %s", dunning.Pause.Until)

	answers := func() int {
		n := 0
		for _, m := range devMail(t, s.api) {
			if strings.Contains(m.Text, why) {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return answers() == 1 }, 60*time.Second, 200*time.Millisecond, "the customer is told why")
	time.Sleep(2 * time.Second)
	require.Equal(t, 1, answers(), "once")
}
