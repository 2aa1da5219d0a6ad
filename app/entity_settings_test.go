package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
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

func TestDailyDigestListsTheAccountsThatCannotBeChased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	rows := storetest.NewFactory(pool)
	st := &store.Store{Pool: pool}
	a := app.New(st, nil, nil)
	fr := rows.Entity(t, storetest.Entity{Code: "FR01", Name: "France"})
	de := rows.Entity(t, storetest.Entity{Code: "DE01", Name: "Deutschland", Country: "DE", TimeZone: "Europe/Berlin", Language: "de"})
	eur := func(n int64) money.Money { return money.Money{Minor: n * 100, Currency: money.MustCurrency("EUR")} }
	owing := func(entity int64, c storetest.Customer) int64 {
		c.Entity = entity
		id := rows.Customer(t, c)
		rows.Invoice(t, storetest.Invoice{Customer: id, DueDate: storetest.DefaultDueDate, Amount: eur(10)})
		return id
	}
	owing(fr, storetest.Customer{Name: "Emailed", Email: "a@emailed.example"})
	mute := owing(fr, storetest.Customer{Name: "Mute", Phone: "+33600000009"})
	owing(de, storetest.Customer{Name: "Off", Email: "a@off.example"})
	rows.Customer(t, storetest.Customer{Entity: fr, Name: "Owes nothing"})
	_, err := pool.Exec(ctx, `UPDATE entities SET sending = 'off' WHERE code = 'DE01'`)
	require.NoError(t, err)

	admin := domain.Principal{Role: domain.RoleAdmin, Email: "admin@example.com", AllEntities: true}
	d, err := a.DailyDigest(ctx, admin)
	require.NoError(t, err)
	require.False(t, d.SendsKnown, "no Temporal: tomorrow's sends are unknown")
	require.Equal(t, 3, d.Accounts)
	require.Equal(t, []store.Unchaseable{
		{CustomerID: d.CannotChase[0].CustomerID, Name: "Off", Entity: "DE01", Reasons: []string{"sending is off for entity DE01"}},
		{CustomerID: mute, Name: "Mute", Entity: "FR01", Reasons: []string{"no usable contact: no email, no consent to texts or calls"}},
	}, d.CannotChase)

	manager := domain.Principal{Role: domain.RoleCreditManager, Email: "cm@example.com", EntityIDs: []int64{fr}, EntityCodes: []string{"FR01"}}
	d, err = a.DailyDigest(ctx, manager)
	require.NoError(t, err)
	require.Equal(t, 2, d.Accounts, "the manager's perimeter")
	require.Len(t, d.CannotChase, 1)
}
