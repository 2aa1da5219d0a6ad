package templates

// The names of the shipped templates of the customer notices sent outside
// the dunning scenario's steps (see activities.Notices): they read
// Data.Schedule and Data.Payment, or Data.Dispute, beside the invoices.
const (
	PlanConfirmation = "plan_confirmation" // a payment plan just agreed: its schedule and the invoices it covers
	PromiseReminder  = "promise_reminder"  // the day before a promised payment or a plan's instalment
	// DisputeRejected tells the customer their dispute was rejected and why
	// (Data.Dispute), about the invoices it named, which are dunned again.
	DisputeRejected = "dispute_rejected"
)

// NoticeNames lists the notices' templates, shipped in every default language.
var NoticeNames = []string{PlanConfirmation, PromiseReminder, DisputeRejected}
