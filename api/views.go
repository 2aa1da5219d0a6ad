package api

import (
	"time"

	"recoup/domain"
	"recoup/money"
	"recoup/store"
)

// The JSON the API answers with, and the conversions from domain types: no
// domain type is serialized as is.

type moneyView struct {
	Amount   string `json:"amount"` // decimal string in the currency's unit, never a float
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"` // the same amount in minor units
}

func toMoney(m money.Money) moneyView {
	return moneyView{Amount: money.FormatMinor(m.Minor, m.Currency), Currency: m.Currency.Code(), Minor: m.Minor}
}

type customerView struct {
	ID          int64      `json:"id"`
	ExternalID  string     `json:"external_id"`
	Entity      string     `json:"entity"`
	Name        string     `json:"name"`
	Category    string     `json:"category"`
	Country     string     `json:"country"`
	Language    string     `json:"language"`
	Currency    string     `json:"currency"`
	TimeZone    string     `json:"timezone"`
	Email       string     `json:"email"`
	Phone       string     `json:"phone"`
	CreditLimit *moneyView `json:"credit_limit"`
	RiskClass   string     `json:"risk_class"`
	// Registration and VAT numbers match risk signals to the customer.
	RegistrationNumber string     `json:"registration_number"`
	VATNumber          string     `json:"vat_number"`
	OpenOrders         *moneyView `json:"open_orders"`
	AgentEmail         string     `json:"agent_email"`
	SalesRepEmail      string     `json:"sales_rep_email"`
	Balance            moneyView  `json:"balance"`
	Overdue            moneyView  `json:"overdue"`
	OpenInvoices       int        `json:"open_invoices"`
	OnHold             bool       `json:"on_hold"`
	DaysOverdue        int        `json:"days_overdue"`
	LastContact        *time.Time `json:"last_contact"`
	// In the accounts list only: the account's figures and its
	// user-defined columns' values by name.
	Figures *figuresView   `json:"figures,omitempty"`
	Columns map[string]any `json:"columns,omitempty"`
}

// moneyOf is minor units in the currency of an account's figures.
func moneyOf(minor int64, f store.AccountFigures) money.Money {
	return money.Money{Minor: minor, Currency: f.Currency}
}

func toCustomer(c domain.Customer) customerView {
	v := customerView{
		ID: c.ID, ExternalID: c.ExternalID, Entity: c.EntityCode, Name: c.Name, Category: c.Category,
		Country: c.Country, Language: c.Language, Currency: c.Currency.Code(), TimeZone: c.TimeZone,
		Email: c.Email, Phone: c.Phone, RiskClass: c.RiskClass, AgentEmail: c.AgentEmail, SalesRepEmail: c.SalesRep,
		Balance: toMoney(c.Balance), Overdue: toMoney(c.Overdue), OpenInvoices: c.OpenInvoices, OnHold: c.OnHold,
		DaysOverdue: c.DaysOverdue,
	}
	v.LastContact = utcPtr(c.LastContact)
	if c.CreditLimit != nil {
		m := toMoney(*c.CreditLimit)
		v.CreditLimit = &m
	}
	v.RegistrationNumber, v.VATNumber = c.RegistrationNumber, c.VATNumber
	if c.OpenOrders != nil {
		m := toMoney(*c.OpenOrders)
		v.OpenOrders = &m
	}
	return v
}

type customerDetailView struct {
	customerView
	OpenItems          []invoiceView `json:"open_items"`
	OpenItemsTruncated bool          `json:"open_items_truncated"`
	Figures            figuresView   `json:"figures"`
	Credit             creditView    `json:"credit"`
}

type invoiceView struct {
	ID                 int64     `json:"id"`
	ExternalID         string    `json:"external_id"`
	CustomerID         int64     `json:"customer_id"`
	CustomerExternalID string    `json:"customer_external_id"`
	Number             string    `json:"number"`
	Type               string    `json:"type"`
	IssueDate          string    `json:"issue_date"`
	DueDate            string    `json:"due_date"`
	Amount             moneyView `json:"amount"`
	OpenAmount         moneyView `json:"open_amount"`
	Status             string    `json:"status"`
	DaysOverdue        int       `json:"days_overdue"`
	InProceedings      bool      `json:"in_proceedings"`
}

func toInvoice(i domain.Invoice) invoiceView {
	return invoiceView{
		ID: i.ID, ExternalID: i.ExternalID, CustomerID: i.CustomerID, CustomerExternalID: i.CustomerExternalID,
		Number: i.Number, Type: string(i.Type), IssueDate: i.IssueDate.Format("2006-01-02"),
		DueDate: i.DueDate.Format("2006-01-02"), Amount: toMoney(i.Amount), OpenAmount: toMoney(i.Open),
		Status: string(i.Status), DaysOverdue: i.DaysOverdue, InProceedings: i.InProceedings,
	}
}

func mapSlice[T, V any](in []T, f func(T) V) []V {
	out := make([]V, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

// invoicePageView is the invoice list: its total may be a lower bound
// (counting a million matches for every page costs more than the page).
type invoicePageView struct {
	pageView[invoiceView]
	TotalExact bool `json:"total_exact"`
}

// utcPtr is an optional time in UTC, as every view answers times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// pageView wraps every list.
type pageView[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}
