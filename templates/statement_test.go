package templates

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/money"
)

func eur(minor int64) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency("EUR")}
}
func jpy(minor int64) money.Money {
	return money.Money{Minor: minor, Currency: money.MustCurrency("JPY")}
}

// statementData is the worked example of the README: three invoices at three
// stages of one account and a credit note, plus a yen invoice and an
// unallocated yen payment, from a customer and an entity whose names end in ".".
func statementData() Data {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	inv := func(n string, due time.Time, days int, open money.Money) Invoice {
		return Invoice{Number: n, IssueDate: due.AddDate(0, 0, -30), DueDate: due, DaysOverdue: days, Amount: open, Open: open}
	}
	a := inv("F-101", day(2, 1), 44, eur(120000))  // third reminder
	b := inv("F-187", day(3, 1), 16, eur(80000))   // second reminder
	c := inv("F-203", day(3, 10), 7, eur(50000))   // first reminder
	y := inv("F-250", day(3, 31), -14, jpy(90000)) // not yet due: listed, not chased
	d := Data{
		Customer: Customer{Name: "Gulf Trading Co.", ExternalID: "K-77", Email: "ap@gulf.example", Phone: "+96522000000"},
		Entity: Entity{Name: "Acme Ltd.", Country: "GB", SignatureName: "Claire Dubois, Credit Manager",
			SignaturePhone: "+44 20 7946 0000"},
		PortalURL: "https://pay.acme.example/p/1", AgentName: "Claire Dubois", AgentEmail: "claire@acme.example",
		Today:    "17 March 2026",
		Invoices: []Invoice{a, b, c},
		Statement: []StatementItem{
			{Kind: KindInvoice, Number: a.Number, Date: a.IssueDate, DueDate: a.DueDate, DaysOverdue: a.DaysOverdue, Open: a.Open, Marked: true},
			{Kind: KindInvoice, Number: b.Number, Date: b.IssueDate, DueDate: b.DueDate, DaysOverdue: b.DaysOverdue, Open: b.Open, Marked: true},
			{Kind: KindInvoice, Number: c.Number, Date: c.IssueDate, DueDate: c.DueDate, DaysOverdue: c.DaysOverdue, Open: c.Open, Marked: true},
			{Kind: KindInvoice, Number: y.Number, Date: y.IssueDate, DueDate: y.DueDate, DaysOverdue: y.DaysOverdue, Open: y.Open},
			{Kind: KindCreditNote, Number: "AV-12", Date: day(3, 2), Open: eur(-30000)},
			{Kind: KindPayment, Number: "PAY-9", Date: day(3, 14), Open: jpy(-5000)},
		},
	}
	if err := d.ComputeStatement(); err != nil {
		panic(err)
	}
	return d
}

func TestComputeStatement(t *testing.T) {
	t.Parallel()
	d := statementData()
	require.Equal(t, []Balance{
		{Currency: "EUR", Outstanding: eur(250000), Overdue: eur(250000), Credits: eur(-30000), NetDue: eur(220000),
			Covered: eur(250000), ToPay: eur(220000)},
		{Currency: "JPY", Outstanding: jpy(90000), Overdue: jpy(0), Credits: jpy(-5000), NetDue: jpy(85000),
			Covered: jpy(0), ToPay: jpy(0)},
	}, d.Balances)
	// The reminder asks for the net balance, not the 2,500.00 the invoices add up to.
	require.Equal(t, []Total{{Open: eur(220000)}}, d.Totals)
	require.Equal(t, []Total{{Open: eur(220000)}, {Open: jpy(85000)}}, d.NetDue)
	require.Equal(t, 6, d.OpenItems())

	tests := []struct {
		name      string
		invoices  []Invoice
		items     []StatementItem
		wantTotal []Total
	}{
		{"no credits: the covered invoices", []Invoice{{Open: eur(500)}},
			[]StatementItem{{Kind: KindInvoice, Open: eur(500), Marked: true}, {Kind: KindInvoice, Open: eur(700)}},
			[]Total{{Open: eur(500)}}},
		{"credits below the uncovered rest: still the covered invoices", []Invoice{{Open: eur(500)}},
			[]StatementItem{{Kind: KindInvoice, Open: eur(500), Marked: true}, {Kind: KindInvoice, Open: eur(700)}, {Kind: KindCreditNote, Open: eur(-600)}},
			[]Total{{Open: eur(500)}}},
		{"credits cover everything: zero, never negative", []Invoice{{Open: eur(500)}},
			[]StatementItem{{Kind: KindInvoice, Open: eur(500), Marked: true}, {Kind: KindPayment, Open: eur(-900)}},
			[]Total{{Open: eur(0)}}},
		{"no statement: made of the invoices", []Invoice{{Open: eur(500)}, {Open: jpy(3)}}, nil,
			[]Total{{Open: eur(500)}, {Open: jpy(3)}}},
		{"a credit in another currency does not net", []Invoice{{Open: eur(500)}},
			[]StatementItem{{Kind: KindInvoice, Open: eur(500), Marked: true}, {Kind: KindCreditNote, Open: jpy(-900)}},
			[]Total{{Open: eur(500)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Data{Invoices: tt.invoices, Statement: tt.items}
			require.NoError(t, d.ComputeStatement())
			require.Equal(t, tt.wantTotal, d.Totals)
			for _, b := range d.Balances {
				require.GreaterOrEqual(t, b.ToPay.Minor, int64(0))
				require.LessOrEqual(t, b.ToPay.Minor, max(0, b.NetDue.Minor))
			}
		})
	}
}

func TestShortenStatementKeepsMarkedAndCounts(t *testing.T) {
	t.Parallel()
	d := Data{}
	for i := range 10 {
		d.Statement = append(d.Statement, StatementItem{Kind: KindInvoice, Open: eur(1), Marked: i == 8})
	}
	require.NoError(t, d.ComputeStatement())
	d.ShortenStatement(4)
	require.Len(t, d.Statement, 4)
	require.True(t, d.Statement[3].Marked)
	require.Equal(t, 6, d.StatementOmitted)
	require.Equal(t, 10, d.OpenItems())
	require.Equal(t, eur(10), d.Balances[0].Outstanding, "totals count the items left out")
}

// Every shipped template in every language renders the worked example whole:
// no placeholder left, no missing value, the statement with its marks and
// totals, the signature, one full stop after "Co." and "Ltd.", and Arabic
// right to left.
func TestEveryTemplateEveryLanguageRendersTheStatement(t *testing.T) {
	t.Parallel()
	set, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := statementData()
	d.Customer.Name = "Gulf Trading Co."
	d.Entity.Name = "Acme Ltd."
	d.Statement = append(d.Statement, StatementItem{Kind: KindInvoice, Number: "F-999", Open: eur(1)})
	d.ShortenStatement(len(d.Statement) - 1) // one left out: the "more items" line shows
	require.Equal(t, 1, d.StatementOmitted)
	d.Schedule = []Instalment{{Number: 1, Date: time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC), Amount: eur(120000)}, {Number: 2, Date: time.Date(2026, 4, 24, 0, 0, 0, 0, time.UTC), Amount: eur(100000)}}
	d.Payment = d.Schedule[0]

	names := map[string]bool{}
	for _, tmpl := range Defaults() {
		if tmpl.Language == "en" {
			names[tmpl.Name+"/"+string(tmpl.Channel)] = true
		}
	}
	require.Len(t, names, (len(stepNames)+len(NoticeNames))*len(domain.ReminderChannels))
	leftovers := []string{"[[", "]]", "{{", "}}", "<no value>", "%!", "MISSING"}
	for _, lang := range DefaultLanguages() {
		for id := range names {
			name, ch, _ := strings.Cut(id, "/")
			t.Run(lang+"/"+id, func(t *testing.T) {
				t.Parallel()
				r, used, err := set.Render(name, domain.Channel(ch), lang, "en", d)
				require.NoError(t, err)
				require.Equal(t, lang, used, "every template exists in every shipped language")
				for _, part := range []string{r.Subject, r.Text, r.HTML} {
					for _, bad := range leftovers {
						require.NotContains(t, part, bad)
					}
					require.NotRegexp(t, `[^.]\.\.(\s|<|$)`, part, "doubled full stop")
				}
				switch domain.Channel(ch) {
				case domain.ChannelSMS, domain.ChannelVoice:
					if slices.Contains(NoticeNames, name) { // about the payment, not the balance (notices_test.go)
						return
					}
				}
				switch domain.Channel(ch) {
				case domain.ChannelSMS:
					require.Regexp(t, `\b7\b`, r.Text, "the number of open items")
					return
				case domain.ChannelVoice:
					require.Contains(t, r.Text, "85000", "the net balance in yen")
					return
				}
				for _, part := range []string{r.Text, r.HTML} {
					for _, s := range []string{"F-101", "F-187", "F-203", "F-250", "AV-12", "PAY-9",
						"Claire Dubois, Credit Manager", "44 20 7946 0000", "Gulf Trading Co."} {
						require.Contains(t, part, s)
					}
					require.NotContains(t, part, "F-999", "left out of the list")
					// Three marked items and the note explaining the mark.
					require.Equal(t, 4, strings.Count(part, "►")+strings.Count(part, "&#9658;"))
				}
				// The amount to pay is the net balance in euros: 2,500 less the 300 credit note.
				toPay, err := FormatMoney(lang, eur(220000))
				require.NoError(t, err)
				require.Contains(t, r.HTML, toPay)
				require.Contains(t, r.Text, toPay)
				dir := "ltr"
				if lang == "ar" {
					dir = "rtl"
				}
				require.Contains(t, r.HTML, `<html lang="`+lang+`" dir="`+dir+`">`)
				require.Contains(t, r.HTML, `<body dir="`+dir+`"`)
			})
		}
	}
}

// A credit manager's own Arabic HTML can ask for its direction.
func TestDirFunction(t *testing.T) {
	t.Parallel()
	for lang, want := range map[string]string{"ar": "rtl", "ar-KW": "rtl", "en": "ltr", "ja": "ltr"} {
		set, err := NewSet(Template{Name: "custom", Channel: domain.ChannelEmail, Language: lang,
			Subject: "s", Text: "t", HTML: `<html dir="{{dir}}">{{moneyList .NetDue}}</html>`})
		require.NoError(t, err)
		r, _, err := set.Render("custom", domain.ChannelEmail, lang, "", statementData())
		require.NoError(t, err)
		require.Contains(t, r.HTML, `dir="`+want+`"`, lang)
	}
}
