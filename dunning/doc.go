// Package dunning is the pure planner behind the Dunning workflow and the
// preview API: given an account snapshot, the state carried so far and the
// time, it says which scenario steps are due now, what the state becomes once
// they are done, and when to look again.
//
// It does no I/O (apart from loading a time zone once per process), never
// reads the clock, and never lets map iteration order reach its output, so it
// can run inside Temporal workflow code and be replayed. Preview runs the very
// same PlanAt loop the workflow runs.
//
// # Time
//
// A step's day is the invoice's due date plus OffsetDays, in calendar days of
// the account's time zone (Date arithmetic, never month arithmetic: Jan 31 +
// 30 days is Mar 2). If that day is not a business day of the account's
// country (weekend, or a public holiday known to rickar/cal) it moves to the
// next business day. The step is due at the contact window's opening that day
// (09:00 by default), built with time.Date in the account's location so that
// 09:00 stays 09:00 across DST changes. An evaluation outside the window, or on
// a non-business day, fires nothing and wakes at the window's next opening.
//
// # Per invoice
//
// Only open invoices with an open amount take part. Disputed invoices are held
// (their stage is kept); an invoice with PromiseUntil is held through that
// date, and the day after it is a wake-up of its own (the workflow checks the
// promise or payment plan then); paid, written-off or vanished invoices leave the scenario and their
// stage is dropped. The stage records the offset through which steps are
// passed and the repeat count of repeating steps; steps are named by
// (offset, channel), so scenario edits apply at the next step.
//
// When several steps of an invoice are due at one evaluation (an invoice seen
// late, a hold or a pause that ended, a workflow that was down), only the
// latest step that applies fires, or the latest per channel when several
// steps fall on the same moment (two steps moved to the same Monday); the
// others are passed (catch-up). A step
// whose conditions fail is passed without firing and never retried. A
// repeating step repeats RepeatEveryDays after the day it last fired, up to
// MaxRepeats, until a later step on the same channel fires. Escalated invoices
// get no email, sms or voice reminders (and no wake-up for one) until a person
// closes the escalation task; their tasks, escalations and credit holds still fire.
//
// # Actions
//
// Invoices of the account due for the same step of the same scenario at the
// same evaluation share one Action (a statement-style message). Each Action
// carries the scenario ID and version it used and an idempotency key derived
// from the customer, the scenario, the step's identity and the sorted invoices
// with their repeat numbers.
package dunning
