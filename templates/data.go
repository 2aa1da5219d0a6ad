package templates

import (
	"time"

	"recoup/money"
)

// Data is everything a template can use, reached from "." in the template:
// {{.Customer.Name}}, {{range .Invoices}}{{.Number}}{{end}}, {{moneyList .Totals}}.
// Credit managers write their templates against it, so every field says what
// it holds.
type Data struct {
	// Customer is the debtor the reminder goes to.
	Customer Customer
	// Entity is the selling company the customer owes, which signs the reminder.
	Entity Entity
	// Invoices are the invoices this reminder is about, oldest due date first;
	// there is at least one. Use {{len .Invoices}} for their number.
	Invoices []Invoice
	// Totals is, per currency of Invoices (in the order the currencies first
	// appear there), the amount this reminder asks for: the open total of
	// Invoices capped at the account's net balance due in that currency
	// (Balance.ToPay), so that a reminder never asks for more than the customer
	// owes once credits are counted. A currency whose amount is zero is left
	// out unless all are.
	Totals []Total
	// Statement is every open item of the account: open invoices (oldest due
	// first), then open credit notes and unallocated payments. Items this
	// reminder is about (those in Invoices) have Marked set. Use {{len .Statement}}
	// for the number of open items.
	Statement []StatementItem
	// Balances are the account's totals, one per currency of Statement in the
	// order the currencies first appear there.
	Balances []Balance
	// StatementOmitted is the number of open items left out of Statement
	// because the account has more than MaxStatementItems (the marked ones
	// are always kept); Balances still count them.
	StatementOmitted int
	// NetDue is the account's net balance due per currency (Balance.NetDue),
	// as a list for {{moneyList .NetDue}} and {{spokenMoneyList .NetDue}}. A
	// negative amount means the customer is in credit in that currency.
	NetDue []Total
	// PortalURL is the link to the customer portal where the customer sees the
	// statement and pays. It may be empty: guard it with {{with .PortalURL}}.
	PortalURL string
	// AgentName and AgentEmail are the credit controller in charge of the
	// account; either may be empty.
	AgentName, AgentEmail string
	// Today is the date the reminder is sent, already written out in the
	// customer's language (for example "2 January 2026").
	Today string
	// Schedule is a payment plan's instalments, earliest first, in the plan's
	// confirmation (plan_confirmation); empty in other messages.
	Schedule []Instalment
	// Payment is the payment a promise_reminder is about: the promised
	// amount and date, or a plan's instalment (its Number is then above 0).
	// Zero in other messages: guard it with {{if .Payment.Number}} where needed.
	Payment Instalment
	// Dispute is the rejected dispute a dispute_rejected message answers:
	// its reference and the reason given. Zero in other messages.
	Dispute DisputeAnswer
}

// DisputeAnswer is the answer to a customer's dispute.
type DisputeAnswer struct {
	// Number is the dispute's reference (the case number), as the customer may quote it.
	Number int64
	// Reason is why the dispute was not accepted, as the person who decided wrote it.
	Reason string
}

// Instalment is one dated payment the customer agreed to make.
type Instalment struct {
	// Number is the instalment's place in its plan (1, 2, ...); 0 for a promise to pay.
	Number int
	// Date is the day it is due; print it with {{date .Date}}.
	Date time.Time
	// Amount is what is due that day: {{money .Amount}}.
	Amount money.Money
}

// Customer is the debtor.
type Customer struct {
	// Name is the customer's name, usually a company name ("Boulangerie Martin SARL").
	Name string
	// ExternalID is the customer number in the ERP, as the customer knows it.
	ExternalID string
	// Email and Phone (E.164, "+33612345678") are where reminders go.
	Email, Phone string
	// Language is the customer's preferred language (BCP 47, "fr").
	Language string
}

// Entity is the selling company.
type Entity struct {
	// Name is the company's trading name ("Acme Distribution SAS").
	Name string
	// Country is its ISO 3166-1 alpha-2 country code ("FR").
	Country string
	// SignatureName and SignaturePhone are the signature block the entity
	// chose ("Claire Dubois, Credit Manager", "+33 1 23 45 67 89"); either may
	// be empty.
	SignatureName, SignaturePhone string
}

// Kinds of statement items.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
	KindPayment    = "payment" // a payment not (or not fully) allocated to invoices
)

// StatementItem is one open item of the account.
type StatementItem struct {
	// Kind is KindInvoice, KindCreditNote or KindPayment; in a template use
	// {{if .IsInvoice}}, {{if .IsCreditNote}}, {{if .IsPayment}}.
	Kind string
	// Number is the invoice or credit note number; for a payment, the
	// reference it came with (may be empty).
	Number string
	// Date is the issue date of an invoice or credit note, the date a payment
	// was received.
	Date time.Time
	// DueDate and DaysOverdue are those of an invoice (see Invoice); zero for
	// credit notes and payments.
	DueDate     time.Time
	DaysOverdue int
	// Open is what the item adds to the balance: positive for an invoice,
	// negative for a credit note or an unallocated payment.
	Open money.Money
	// Marked is set on the invoices this reminder is about.
	Marked bool
}

// IsInvoice, IsCreditNote and IsPayment tell the item's kind.
func (it StatementItem) IsInvoice() bool    { return it.Kind == KindInvoice }
func (it StatementItem) IsCreditNote() bool { return it.Kind == KindCreditNote }
func (it StatementItem) IsPayment() bool    { return it.Kind == KindPayment }

// Overdue reports whether the item is an invoice past its due date.
func (it StatementItem) Overdue() bool { return it.Kind == KindInvoice && it.DaysOverdue > 0 }

// Balance is the account's position in one currency. All amounts are in
// Currency.
type Balance struct {
	// Currency is the ISO 4217 code ("EUR").
	Currency string
	// Outstanding is the open total of the invoices; Overdue the part of it
	// past due.
	Outstanding, Overdue money.Money
	// Credits is the total of open credit notes and unallocated payments, as a
	// negative amount (or zero).
	Credits money.Money
	// NetDue is Outstanding + Credits: what the customer owes once credits
	// are counted; negative when the customer is in credit.
	NetDue money.Money
	// Covered is the open total of the invoices this reminder is about.
	Covered money.Money
	// ToPay is what this reminder asks for: Covered capped at NetDue, and
	// never below zero.
	ToPay money.Money
}

// Invoice is one invoice the reminder is about.
type Invoice struct {
	// Number is the invoice number as printed on the invoice.
	Number string
	// IssueDate and DueDate are dates; print them with {{date .DueDate}} or
	// {{shortDate .DueDate}}.
	IssueDate, DueDate time.Time
	// DaysOverdue is the number of days since DueDate: 0 on the due date,
	// negative while the invoice is not yet due (-3: due in three days).
	DaysOverdue int
	// Amount is the invoice's total; Open is what remains unpaid (Amount less
	// payments and credit notes). Print them with {{money .Open}}.
	Amount, Open money.Money
}

// Total is the open amount in one currency.
type Total struct {
	// Open is the unpaid total of the invoices in this currency.
	Open money.Money
}

// OpenItems is the number of open items of the account, those left out of
// Statement included: {{.OpenItems}}.
func (d Data) OpenItems() int { return len(d.Statement) + d.StatementOmitted }

// MaxDaysOverdue is the largest DaysOverdue of the invoices (that of the
// oldest overdue one), 0 when none is overdue: {{.MaxDaysOverdue}}.
func (d Data) MaxDaysOverdue() int {
	maxDays := 0
	for _, inv := range d.Invoices {
		maxDays = max(maxDays, inv.DaysOverdue)
	}
	return maxDays
}

// ComputeStatement fills Totals, Balances and NetDue from Invoices and
// Statement. When Statement is empty it is made of Invoices, all marked (a
// reminder that knows of no other open item). It fails only if a sum
// overflows.
func (d *Data) ComputeStatement() error {
	if len(d.Statement) == 0 {
		for _, inv := range d.Invoices {
			d.Statement = append(d.Statement, StatementItem{Kind: KindInvoice, Number: inv.Number, Date: inv.IssueDate,
				DueDate: inv.DueDate, DaysOverdue: inv.DaysOverdue, Open: inv.Open, Marked: true})
		}
	}
	var bs []Balance
	index := map[string]int{}
	at := func(c money.Currency) *Balance {
		code := c.Code()
		i, ok := index[code]
		if !ok {
			zero := money.Money{Currency: c}
			bs = append(bs, Balance{Currency: code, Outstanding: zero, Overdue: zero, Credits: zero, NetDue: zero, Covered: zero, ToPay: zero})
			i = len(bs) - 1
			index[code] = i
		}
		return &bs[i]
	}
	add := func(dst *money.Money, m money.Money) error {
		sum, err := dst.Add(m)
		*dst = sum
		return err
	}
	for _, it := range d.Statement {
		b := at(it.Open.Currency)
		if it.IsInvoice() {
			if err := add(&b.Outstanding, it.Open); err != nil {
				return err
			}
			if it.Overdue() {
				if err := add(&b.Overdue, it.Open); err != nil {
					return err
				}
			}
		} else if err := add(&b.Credits, it.Open); err != nil {
			return err
		}
		if err := add(&b.NetDue, it.Open); err != nil {
			return err
		}
	}
	covered, err := ComputeTotals(d.Invoices)
	if err != nil {
		return err
	}
	for _, c := range covered {
		b := at(c.Open.Currency)
		b.Covered = c.Open
		b.ToPay = money.Money{Minor: max(0, min(c.Open.Minor, b.NetDue.Minor)), Currency: c.Open.Currency}
	}
	d.Balances = bs
	d.Totals, d.NetDue = nil, nil
	for _, c := range covered {
		if b := bs[index[c.Open.Currency.Code()]]; b.ToPay.Minor > 0 {
			d.Totals = append(d.Totals, Total{Open: b.ToPay})
		}
	}
	if len(d.Totals) == 0 && len(covered) > 0 {
		d.Totals = []Total{{Open: bs[index[covered[0].Open.Currency.Code()]].ToPay}}
	}
	for _, b := range bs {
		d.NetDue = append(d.NetDue, Total{Open: b.NetDue})
	}
	return nil
}

// MaxStatementItems bounds the items an email lists, so that an account
// with thousands of open items still gets a readable (and sendable) message.
const MaxStatementItems = 100

// ShortenStatement keeps at most n items of Statement: every marked one, then
// the first unmarked ones in order, and counts the others in
// StatementOmitted. Call it after ComputeStatement, which needs them all.
func (d *Data) ShortenStatement(n int) {
	if len(d.Statement) <= n {
		return
	}
	marked := 0
	for _, it := range d.Statement {
		if it.Marked {
			marked++
		}
	}
	room := max(0, n-marked)
	kept := d.Statement[:0:0]
	for _, it := range d.Statement {
		if it.Marked || room > 0 {
			if !it.Marked {
				room--
			}
			kept = append(kept, it)
		}
	}
	d.StatementOmitted += len(d.Statement) - len(kept)
	d.Statement = kept
}

// ComputeTotals sums the open amounts of invoices per currency, in the order
// the currencies first appear. It fails only if a sum overflows.
func ComputeTotals(invoices []Invoice) ([]Total, error) {
	var totals []Total
	index := map[string]int{}
	for _, inv := range invoices {
		code := inv.Open.Currency.Code()
		i, ok := index[code]
		if !ok {
			index[code] = len(totals)
			totals = append(totals, Total{Open: money.Money{Currency: inv.Open.Currency}})
			i = len(totals) - 1
		}
		sum, err := totals[i].Open.Add(inv.Open)
		if err != nil {
			return nil, err
		}
		totals[i].Open = sum
	}
	return totals, nil
}

// SampleData is a realistic Data to preview templates with: three overdue
// invoices, two in euros and one in yen, with a portal link and an agent.
func SampleData() Data {
	eur, jpy := money.MustCurrency("EUR"), money.MustCurrency("JPY")
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	d := Data{
		Customer: Customer{
			Name: "Boulangerie Martin SARL", ExternalID: "C-10042",
			Email: "compta@boulangerie-martin.example", Phone: "+33612345678", Language: "fr",
		},
		Entity: Entity{Name: "Acme Distribution SAS", Country: "FR",
			SignatureName: "Claire Dubois, Credit Manager", SignaturePhone: "+33 1 23 45 67 89"},
		PortalURL:  "https://pay.acme.example/p/7f3a9c2e",
		AgentName:  "Claire Dubois",
		AgentEmail: "claire.dubois@acme.example",
		Today:      "17 March 2026",
		Invoices: []Invoice{
			{Number: "F-2026-0101", IssueDate: day(1, 2), DueDate: day(2, 1), DaysOverdue: 44,
				Amount: money.Money{Minor: 123456, Currency: eur}, Open: money.Money{Minor: 123456, Currency: eur}},
			{Number: "F-2026-0187", IssueDate: day(1, 26), DueDate: day(2, 25), DaysOverdue: 20,
				Amount: money.Money{Minor: 120000, Currency: jpy}, Open: money.Money{Minor: 120000, Currency: jpy}},
			{Number: "F-2026-0203", IssueDate: day(2, 8), DueDate: day(3, 10), DaysOverdue: 7,
				Amount: money.Money{Minor: 80000, Currency: eur}, Open: money.Money{Minor: 35000, Currency: eur}},
		},
	}
	// The statement: the three invoices above, a fourth not yet due that this
	// reminder is not about, a credit note and an unallocated payment.
	for _, inv := range d.Invoices {
		d.Statement = append(d.Statement, StatementItem{Kind: KindInvoice, Number: inv.Number, Date: inv.IssueDate,
			DueDate: inv.DueDate, DaysOverdue: inv.DaysOverdue, Open: inv.Open, Marked: true})
	}
	d.Statement = append(d.Statement,
		StatementItem{Kind: KindInvoice, Number: "F-2026-0250", Date: day(3, 1), DueDate: day(3, 31), DaysOverdue: -14,
			Open: money.Money{Minor: 50000, Currency: eur}},
		StatementItem{Kind: KindCreditNote, Number: "AV-2026-0012", Date: day(3, 2), Open: money.Money{Minor: -20000, Currency: eur}},
		StatementItem{Kind: KindPayment, Number: "VIR 0314", Date: day(3, 14), Open: money.Money{Minor: -5000, Currency: jpy}},
	)
	_ = d.ComputeStatement()
	d.Schedule = []Instalment{
		{Number: 1, Date: day(4, 15), Amount: money.Money{Minor: 80000, Currency: eur}},
		{Number: 2, Date: day(5, 15), Amount: money.Money{Minor: 78456, Currency: eur}},
	}
	d.Payment = d.Schedule[0]
	d.Dispute = DisputeAnswer{Number: 1042, Reason: "the delivery note signed on 3 March shows every item delivered"}
	return d
}

type sample struct {
	desc string
	data Data
}

// samples are what Validate renders a template with: the common case and a
// sparse one (one invoice not yet due, three-decimal currency, no link, no agent).
func samples() []sample {
	kwd := money.MustCurrency("KWD")
	single := Data{
		Customer: Customer{Name: "Gulf Trading Co.", ExternalID: "K-77", Email: "ap@gulftrading.example", Phone: "+96522000000", Language: "en"},
		Entity:   Entity{Name: "Acme Distribution SAS", Country: "FR"},
		Today:    "17 March 2026",
		Invoices: []Invoice{{
			Number:      "F-2026-0244",
			IssueDate:   time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC),
			DueDate:     time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC),
			DaysOverdue: -5,
			Amount:      money.Money{Minor: 1250500, Currency: kwd},
			Open:        money.Money{Minor: 1250500, Currency: kwd},
		}},
	}
	_ = single.ComputeStatement()
	single.Payment = Instalment{Date: time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC), Amount: single.Invoices[0].Open}
	return []sample{
		{"3 invoices in EUR and JPY", SampleData()},
		{"1 invoice in KWD not yet due, no portal link, no agent", single},
	}
}
