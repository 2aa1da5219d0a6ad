package domain

// TaskKind is what a task asks of a person. Stored in tasks.kind.
type TaskKind string

const (
	TaskCall       TaskKind = "call"       // call the customer: a task step, or no channel reached them
	TaskEscalation TaskKind = "escalation" // decide on escalated invoices; reminders wait for it
)

// TaskKinds lists the kinds dunning creates. (The tasks table also accepts
// "manual_email", which nothing creates.)
var TaskKinds = []TaskKind{TaskCall, TaskEscalation}

// Valid reports whether k is one of TaskKinds.
func (k TaskKind) Valid() bool { return k == TaskCall || k == TaskEscalation }

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
