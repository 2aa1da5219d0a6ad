package domain

import (
	"strconv"
	"time"

	"recoup/money"
)

// Customer is an account Recoup collects from.
type Customer struct {
	ID          int64
	ExternalID  string
	EntityCode  string
	Name        string
	Category    string
	Country     string
	Language    string
	Currency    money.Currency
	TimeZone    string
	Email       string
	Phone       string
	CreditLimit *money.Money // nil: no limit set
	RiskClass   string
	// The numbers risk providers know the company by (normalised), and what
	// it has on order, not yet invoiced (nil: the ERP did not say).
	RegistrationNumber string
	VATNumber          string
	OpenOrders         *money.Money
	AgentEmail         string
	SalesRep           string
	// Balance is open invoices less open credit notes; Overdue the part past due.
	Balance      money.Money
	Overdue      money.Money
	OpenInvoices int
	// DaysOverdue is how many days the oldest open invoice is past due (0: none).
	DaysOverdue int
	// LastContact is when the last message was sent to the customer; nil: never.
	LastContact *time.Time
	// OnHold: a credit-hold step fired; new deliveries on credit should stop.
	OnHold bool
}

// InvoiceType separates invoices from credit notes.
type InvoiceType string

const (
	TypeInvoice    InvoiceType = "invoice"
	TypeCreditNote InvoiceType = "credit_note"
)

// InvoiceStatus is where an invoice stands.
type InvoiceStatus string

const (
	StatusOpen       InvoiceStatus = "open"
	StatusPaid       InvoiceStatus = "paid"
	StatusDisputed   InvoiceStatus = "disputed"
	StatusWrittenOff InvoiceStatus = "written_off"
)

// ParseInvoiceStatus accepts one of the statuses.
func ParseInvoiceStatus(s string) (InvoiceStatus, error) {
	switch st := InvoiceStatus(s); st {
	case StatusOpen, StatusPaid, StatusDisputed, StatusWrittenOff:
		return st, nil
	}
	return "", FieldError("status", "%q: want open, paid, disputed or written_off", s)
}

// Invoice is an invoice or a credit note.
type Invoice struct {
	ID                 int64
	ExternalID         string
	CustomerID         int64
	CustomerExternalID string
	Number             string
	Type               InvoiceType
	IssueDate          time.Time // a date: midnight UTC
	DueDate            time.Time // a date: midnight UTC
	Amount             money.Money
	Open               money.Money
	Status             InvoiceStatus
	DaysOverdue        int // 0 when not yet due, in the customer's time zone
	// InProceedings: declared in the customer's insolvency proceedings, never dunned again.
	InProceedings bool
}

// CustomerDetail is a customer with its open items.
type CustomerDetail struct {
	Customer
	OpenItems          []Invoice
	OpenItemsTruncated bool
}

// Page bounds a list.
type Page struct {
	Limit  int
	Offset int
}

// Page sizes every list respects; MaxOffset bounds deep paging, which costs
// the database more with each page.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	MaxOffset       = 1_000_000
)

// ParsePage reads a page from its text form ("" for the default).
func ParsePage(limit, offset string) (Page, error) {
	p := Page{Limit: DefaultPageSize}
	var err error
	if limit != "" {
		if p.Limit, err = strconv.Atoi(limit); err != nil || p.Limit < 1 || p.Limit > MaxPageSize {
			return p, FieldError("limit", "%q: want a number from 1 to %d", limit, MaxPageSize)
		}
	}
	if offset != "" {
		if p.Offset, err = strconv.Atoi(offset); err != nil || p.Offset < 0 || p.Offset > MaxOffset {
			return p, FieldError("offset", "%q: want a number from 0 to %d", offset, MaxOffset)
		}
	}
	return p, nil
}

// Counts summarizes what the database holds.
type Counts struct {
	Entities     int64 `json:"entities"`
	Customers    int64 `json:"customers"`
	Invoices     int64 `json:"invoices"`
	OpenInvoices int64 `json:"open_invoices"`
	Payments     int64 `json:"payments"`
}
