package domain

// TaskKind is what a task asks of a person. Stored in tasks.kind.
type TaskKind string

const (
	TaskCall          TaskKind = "call"           // call the customer: a task step, or no channel reached them
	TaskEscalation    TaskKind = "escalation"     // decide on escalated invoices; reminders wait for it
	TaskPurchaseOrder TaskKind = "purchase_order" // ask the customer for a purchase order (often a sales rep)
	TaskPaymentPlan   TaskKind = "payment_plan"   // negotiate a payment plan with the customer
	TaskFixContact    TaskKind = "fix_contact"    // a channel failed on a call: correct the contact data
	TaskCheckPayment  TaskKind = "check_payment"  // the customer said they paid: look for the payment
	TaskCase          TaskKind = "case"           // a case's SLA reminder or escalation: decide the case
)

// TaskKinds lists the kinds of tasks Recoup creates. (The tasks table also
// accepts "manual_email", which nothing creates.)
var TaskKinds = []TaskKind{TaskCall, TaskEscalation, TaskPurchaseOrder, TaskPaymentPlan, TaskFixContact, TaskCheckPayment, TaskCase}

// ManualTaskKinds are the kinds a person may create (POST /tasks).
var ManualTaskKinds = []TaskKind{TaskCall, TaskPurchaseOrder, TaskPaymentPlan}

// Valid reports whether k is one of TaskKinds.
func (k TaskKind) Valid() bool {
	for _, v := range TaskKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Outcome is what completing a task found. Stored in tasks.outcome.
type Outcome string

const (
	OutcomePromise      Outcome = "promise"       // a promise to pay: its invoices are held until its date plus grace
	OutcomeNoAnswer     Outcome = "no_answer"     // nobody answered: the task comes back later
	OutcomeWrongContact Outcome = "wrong_contact" // the contact data is wrong: a task to fix it
	OutcomeDispute      Outcome = "dispute"       // the customer disputes: the invoices are held
	OutcomePaidClaimed  Outcome = "paid_claimed"  // the customer says they paid: checked a few days later
	OutcomeCallback     Outcome = "callback"      // call back at a time the customer gave
	OutcomeOther        Outcome = "other"         // anything else, in a note
)

// Outcomes lists every outcome, in the order forms show them.
var Outcomes = []Outcome{OutcomePromise, OutcomeNoAnswer, OutcomeWrongContact, OutcomeDispute, OutcomePaidClaimed, OutcomeCallback, OutcomeOther}

// TaskStatus is where a task stands. Stored in tasks.status.
type TaskStatus string

const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// TaskStatuses lists every task status.
var TaskStatuses = []TaskStatus{TaskOpen, TaskDone, TaskCancelled}

// MessageStatus is where a dunning action stands in the message log
// (message_log.status) and what became of it (activities.ExecuteResult).
type MessageStatus string

const (
	MessageSending  MessageStatus = "sending"  // claimed, not finished: a retry sends again
	MessageSent     MessageStatus = "sent"     // done on the planned channel
	MessageFallback MessageStatus = "fallback" // done on another channel, or by a manual contact task
	MessageSkipped  MessageStatus = "skipped"  // nothing to do any more (the invoices were paid)
	MessageFailed   MessageStatus = "failed"   // cannot be done (an unknown channel)
)

// MessageStatuses lists every status, the first one not final.
var MessageStatuses = []MessageStatus{MessageSending, MessageSent, MessageFallback, MessageSkipped, MessageFailed}

// Final reports whether s finishes an action: a key with a final status is
// never sent again.
func (s MessageStatus) Final() bool {
	switch s {
	case MessageSent, MessageFallback, MessageSkipped, MessageFailed:
		return true
	}
	return false
}
