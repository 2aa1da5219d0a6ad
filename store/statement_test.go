package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
)

// The statement of a reminder lists every open item of the account: the
// invoices it is about (marked), the other open ones, open credit notes and
// unallocated payments, in several currencies; paid items and other
// customers' do not appear, and the amount asked is capped at the net balance.
func TestMessageContextStatementHasEveryOpenItem(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	eur := func(minor int64) money.Money { return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")} }
	today := dunning.DateOf(time.Now().UTC())
	issued := dunning.NewDate(2026, time.January, 1)
	c1 := f.ids["C1"]
	credit := f.factory.Invoice(t, storetest.Invoice{Customer: c1, Number: "CN-9", Type: domain.TypeCreditNote, IssueDate: issued, DueDate: issued, Amount: eur(30000)})
	usedCredit := f.factory.Invoice(t, storetest.Invoice{Customer: c1, Number: "CN-8", Type: domain.TypeCreditNote, IssueDate: issued, DueDate: issued, Amount: eur(1000)})
	_, err := f.st.Pool.Exec(f.ctx, `UPDATE invoices SET open_minor = 0, status = 'paid' WHERE id = $1`, usedCredit)
	require.NoError(t, err)
	yen := f.factory.Invoice(t, storetest.Invoice{Customer: c1, Number: "F-JPY", IssueDate: issued, DueDate: today.AddDays(-3), Amount: eur(100)})
	_, err = f.st.Pool.Exec(f.ctx, `UPDATE invoices SET currency = 'JPY', amount_minor = 90000, erp_open_minor = 90000, open_minor = 90000 WHERE id = $1`, yen)
	require.NoError(t, err)
	payment := f.factory.Payment(t, storetest.Payment{Customer: c1, ExternalID: "PAY-1", Amount: eur(2500)})
	f.factory.Payment(t, storetest.Payment{Customer: f.ids["C2"], ExternalID: "PAY-OTHER", Amount: eur(700)}) // another customer's

	mc, err := f.st.MessageContext(f.ctx, c1, []int64{f.ids["I1"]})
	require.NoError(t, err)
	type row struct {
		id     int64
		kind   string
		number string
		open   string
		days   int
	}
	var got []row
	for _, it := range mc.Statement {
		got = append(got, row{it.ID, it.Kind, it.Number, it.Open.String(), it.DaysOverdue})
	}
	// Days overdue count on the customer's clock (Pacific/Auckland): a day
	// ahead of UTC part of the time.
	ahead := got[0].days - 10
	require.Contains(t, []int{0, 1}, ahead)
	require.Equal(t, []row{
		{f.ids["I1"], templates.KindInvoice, "F-001", eur(100000).String(), 10 + ahead},
		{yen, templates.KindInvoice, "F-JPY", money.Money{Minor: 90000, Currency: money.MustCurrency("JPY")}.String(), 3 + ahead},
		{f.ids["I2"], templates.KindInvoice, "F-002", eur(5000).String(), -20 + ahead},
		{credit, templates.KindCreditNote, "CN-9", eur(-30000).String(), 0},
		{payment, templates.KindPayment, "PAY-1", eur(-2500).String(), 0},
	}, got)

	data, err := mc.TemplateData(time.Now(), "en")
	require.NoError(t, err)
	var marked []string
	for _, it := range data.Statement {
		if it.Marked {
			marked = append(marked, it.Number)
		}
	}
	require.Equal(t, []string{"F-001"}, marked)
	require.Len(t, data.Balances, 2)
	require.Equal(t, templates.Balance{Currency: "EUR", Outstanding: eur(105000), Overdue: eur(100000), Credits: eur(-32500),
		NetDue: eur(72500), Covered: eur(100000), ToPay: eur(72500)}, data.Balances[0])
	require.Equal(t, "JPY", data.Balances[1].Currency)
	require.Equal(t, int64(90000), data.Balances[1].NetDue.Minor)
	require.Equal(t, []templates.Total{{Open: eur(72500)}}, data.Totals, "never more than the net balance due")
}

// The entity's sender identity comes with the message context, and is saved
// and journaled by SetEntitySender.
func TestEntitySenderRoundTrip(t *testing.T) {
	t.Parallel()
	f := setupOutbound(t)
	got, err := f.st.EntitySender(f.ctx, "FR01")
	require.NoError(t, err)
	require.Equal(t, store.EntitySender{ReplyPauseDays: 3}, got, "all empty by default; a reply pauses 3 business days")

	want := store.EntitySender{SenderName: "Recoup France", SenderAddress: "ar@recoup.example", ReplyTo: "compta@recoup.example",
		SignatureName: "Carla Manager", SignaturePhone: "+33 1 23 45 67 89", ReplyDomain: "replies.recoup.example", ReplyLocal: "ar",
		ReplyPauseDays: 5}
	saved, err := f.st.SetEntitySender(f.ctx, "FR01", want, "cm@example.com")
	require.NoError(t, err)
	require.Equal(t, want, saved)
	require.Len(t, f.journal(t, "entity.sender"), 1)

	mc, err := f.st.MessageContext(f.ctx, f.ids["C1"], nil)
	require.NoError(t, err)
	require.Equal(t, want, mc.Entity.EntitySender)

	_, err = f.st.EntitySender(f.ctx, "NOPE")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = f.st.SetEntitySender(f.ctx, "NOPE", want, "cm@example.com")
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
}
