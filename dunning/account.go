package dunning

import (
	"time"

	"recoup/domain"
	"recoup/money"
)

// Account is the snapshot the workflow loads at each evaluation.
type Account struct {
	CustomerID int64 `json:"customer_id"`
	// Country is an ISO 3166-1 alpha-2 code: it picks weekends and holidays.
	Country string `json:"country"`
	// TimeZone is an IANA name ("Europe/Paris"): due dates, contact windows
	// and business days are all in it. Unknown or empty: UTC, with a warning.
	TimeZone  string `json:"time_zone"`
	RiskClass string `json:"risk_class,omitempty"`
	// Currency is the currency of the items and of steps' MinOverdueMinor;
	// the planner compares minor units and converts nothing.
	Currency  money.Currency     `json:"currency"`
	Items     []Item             `json:"items"`
	Scenarios map[int64]Scenario `json:"scenarios"`
	Window    Window             `json:"window"`
	// Paused fires nothing until the workflow clears it or PausedUntil (when
	// set) has come.
	Paused      bool      `json:"paused,omitempty"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// HasEmail and HasPhone only mark actions whose channel the activity will
	// have to fall back from (Action.Fallback).
	HasEmail bool `json:"has_email,omitempty"`
	HasPhone bool `json:"has_phone,omitempty"`
}

// Item is one invoice of the account as the planner sees it.
type Item struct {
	InvoiceID int64  `json:"invoice_id"`
	Number    string `json:"number,omitempty"`
	DueDate   Date   `json:"due_date"`
	OpenMinor int64  `json:"open_minor"`
	// Status: only open invoices with OpenMinor > 0 are dunned; disputed ones
	// are held (their stage is kept); any other status leaves the scenario.
	Status     domain.InvoiceStatus `json:"status"`
	ScenarioID int64                `json:"scenario_id"`
	// PromiseUntil holds the invoice through this date (the promise date plus
	// the grace days, computed by the caller).
	PromiseUntil *Date `json:"promise_until,omitempty"`
	// Escalated: an escalation task for the invoice is still open (an
	// escalation step fired and nobody has decided yet); no automatic
	// reminder (email, sms, voice) fires. The account snapshot reads it from
	// the tasks at each evaluation; closing the task clears it. Preview, which
	// reads nothing, sets it with ApplyEscalations.
	Escalated bool `json:"escalated,omitempty"`
}

// Today is the account's local date at now (in its time zone; UTC when the
// zone is unknown): promise dates and holds are dates of it.
func (a Account) Today(now time.Time) Date {
	loc, _ := location(a.TimeZone)
	return DateOf(now.In(loc))
}
