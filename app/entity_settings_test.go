package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/notify"
	"recoup/store"
	"recoup/store/storetest"
)

func TestParseDataAge(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "2d": 48 * time.Hour, "1d12h": 36 * time.Hour, " 90M ": 90 * time.Minute} {
		got, err := app.ParseDataAge(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "2x", "-1h", "4m", "400d", "1.5d"} {
		_, err := app.ParseDataAge(bad)
		require.Error(t, err, bad)
	}
	require.Equal(t, "2d", app.FormatDataAge(48*time.Hour))
	require.Equal(t, "36h", app.FormatDataAge(36*time.Hour))
	require.Equal(t, "90m", app.FormatDataAge(90*time.Minute))
}

func TestMarkContactInvalidStaysInThePerimeter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France"})
	de := rows.Entity(t, storetest.Entity{Code: "DE01", Name: "Deutschland", Country: "DE", TimeZone: "Europe/Berlin", Language: "de"})
	mine := rows.Customer(t, storetest.Customer{Entity: fr, Name: "Dupont", Phone: "+33600000001"})
	theirs := rows.Customer(t, storetest.Customer{Entity: de, Name: "Müller", Phone: "+49300000001"})
	manager := domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", EntityIDs: []int64{fr}, EntityCodes: []string{"FR01"}}
	auditor := domain.Principal{Role: domain.RoleAuditor, Email: "audit@example.com", AllEntities: true}

	require.NoError(t, a.MarkContactInvalid(ctx, manager, mine, "phone", "a bakery answered"))
	g, err := st.SendGate(ctx, mine)
	require.NoError(t, err)
	require.Equal(t, "a bakery answered", g.PhoneInvalid)
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(a.MarkContactInvalid(ctx, manager, mine, "fax", "")))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(a.MarkContactInvalid(ctx, manager, theirs, "phone", "x")),
		"outside the manager's perimeter")
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(a.MarkContactInvalid(ctx, auditor, mine, "email", "x")))
	require.NoError(t, a.ClearContactInvalid(ctx, manager, mine, "sms"), "sms names the phone")
	g, err = st.SendGate(ctx, mine)
	require.NoError(t, err)
	require.Empty(t, g.PhoneInvalid)

	// An inbound STOP from the number opts it out; START lifts it; another text changes nothing.
	require.NoError(t, a.InboundText(ctx, notify.InboundSMS{SID: "SM1", From: "+33600000001", Body: "STOP", Keyword: notify.KeywordStop}))
	g, err = st.SendGate(ctx, mine)
	require.NoError(t, err)
	require.Contains(t, g.SMSWhy, "opted out")
	require.NoError(t, a.InboundText(ctx, notify.InboundSMS{SID: "SM2", From: "+33600000001", Body: "thanks"}))
	g, _ = st.SendGate(ctx, mine)
	require.Contains(t, g.SMSWhy, "opted out")
	require.NoError(t, a.InboundText(ctx, notify.InboundSMS{SID: "SM3", From: "+33600000001", Body: "START", Keyword: notify.KeywordStart}))
	g, _ = st.SendGate(ctx, mine)
	require.NotContains(t, g.SMSWhy, "opted out")
}
