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

	// Rules selects the dunning rules: 0 as before statements (one action per
	// step); RulesStatement for one message per channel, contact pressure,
	// netting of credits, the chase threshold and invoice holds. The workflow
	// sets it behind workflow.GetVersion; previews use the latest.
	Rules int `json:"rules,omitempty"`
	// Credits are the account's open credit notes and unallocated payments:
	// they reduce what is chased (RulesStatement).
	Credits []Credit `json:"credits,omitempty"`
	// MinChaseMinor is the entity's min_amount_to_chase in minor units of the
	// account's currency: a net amount due below it is not chased. 0: no threshold.
	MinChaseMinor int64 `json:"min_chase_minor,omitempty"`
	// MessagesWait, when set, says why customer-facing messages (email, SMS,
	// voice) wait (e.g. the entity's data is stale): they neither fire nor
	// pass; tasks and escalations go on.
	MessagesWait string `json:"messages_wait,omitempty"`
	// Holidays are dates loaded for the account's country or entity, added to
	// the built-in calendar.
	Holidays []Date `json:"holidays,omitempty"`
}

// RulesStatement is the Rules value of one message per account and channel.
const RulesStatement = 1

// Credit is an open credit note or an unallocated payment of the account.
type Credit struct {
	Kind     CreditKind     `json:"kind"`
	ID       int64          `json:"id"`
	Number   string         `json:"number,omitempty"` // credit note number or payment reference
	Date     Date           `json:"date"`             // issue date or date received
	Currency money.Currency `json:"currency"`
	Minor    int64          `json:"minor"` // what is left to use, > 0
}

// CreditKind tells a credit note from an unallocated payment.
type CreditKind string

const (
	CreditNote        CreditKind = "credit_note"
	CreditUnallocated CreditKind = "unallocated_payment"
)

// Hold takes one invoice out of the reminders (the rest of the account goes
// on): through Until when set, else until released.
type Hold struct {
	Until  *Date  `json:"until,omitempty"`
	Reason string `json:"reason"`
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
	// Currency of the invoice; empty: the account's.
	Currency money.Currency `json:"currency,omitempty"`
	// Hold, when set, holds this invoice (RulesStatement).
	Hold *Hold `json:"hold,omitempty"`
}

// promised reports whether a promise holds the invoice on today.
func (it *Item) promised(today Date) bool {
	return it.PromiseUntil != nil && !today.After(*it.PromiseUntil)
}

// held reports whether a Hold holds the invoice on today.
func (it *Item) held(today Date) bool {
	return it.Hold != nil && (it.Hold.Until == nil || !today.After(*it.Hold.Until))
}

// Today is the account's local date at now (in its time zone; UTC when the
// zone is unknown): promise dates and holds are dates of it.
func (a Account) Today(now time.Time) Date {
	loc, _ := location(a.TimeZone)
	return DateOf(now.In(loc))
}
