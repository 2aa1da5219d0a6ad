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
	// Totals is the open (unpaid) total per currency of Invoices, one entry per
	// currency in the order the currencies first appear in Invoices.
	Totals []Total
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

// MaxDaysOverdue is the largest DaysOverdue of the invoices (that of the
// oldest overdue one), 0 when none is overdue: {{.MaxDaysOverdue}}.
func (d Data) MaxDaysOverdue() int {
	maxDays := 0
	for _, inv := range d.Invoices {
		maxDays = max(maxDays, inv.DaysOverdue)
	}
	return maxDays
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
		Entity:     Entity{Name: "Acme Distribution SAS", Country: "FR"},
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
	d.Totals, _ = ComputeTotals(d.Invoices)
	d.Schedule = []Instalment{
		{Number: 1, Date: day(4, 15), Amount: money.Money{Minor: 80000, Currency: eur}},
		{Number: 2, Date: day(5, 15), Amount: money.Money{Minor: 78456, Currency: eur}},
	}
	d.Payment = d.Schedule[0]
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
	single.Totals, _ = ComputeTotals(single.Invoices)
	single.Payment = Instalment{Date: time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC), Amount: single.Invoices[0].Open}
	return []sample{
		{"3 invoices in EUR and JPY", SampleData()},
		{"1 invoice in KWD not yet due, no portal link, no agent", single},
	}
}
