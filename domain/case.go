package domain

// CaseType is what a case is about. Stored in cases.type.
type CaseType string

const (
	CaseDispute            CaseType = "dispute"              // invoices the customer contests
	CaseCreditLimitRequest CaseType = "credit_limit_request" // a new credit limit, with its justification
	CaseDataChangeRequest  CaseType = "data_change_request"  // something to change in the ERP
	CaseCustomerMessage    CaseType = "customer_message"     // a reply or message not yet classified
	// CaseClaimDeclaration: the customer is in insolvency proceedings; legal
	// declares the claim before the deadline (cases.due_on).
	CaseClaimDeclaration CaseType = "claim_declaration"
)

// CaseTypes lists every case type.
var CaseTypes = []CaseType{CaseDispute, CaseCreditLimitRequest, CaseDataChangeRequest, CaseCustomerMessage, CaseClaimDeclaration}

// DisputeReasons are the reason codes of a dispute.
var DisputeReasons = []string{"price", "quantity", "quality", "delivery", "duplicate_billing", "already_paid",
	"missing_purchase_order", "other"}

// DataChangeFields are what a data change request may ask to change in the ERP.
var DataChangeFields = []string{"name", "address", "purchase_order", "contact", "vat_number"}

// CaseStatus is where a case stands. Stored in cases.status.
type CaseStatus string

const (
	CaseOpen            CaseStatus = "open"
	CaseWaitingCustomer CaseStatus = "waiting_customer" // the SLA clock is paused
	CaseDecided         CaseStatus = "decided"          // it may be reopened within the window
	CaseClosed          CaseStatus = "closed"
)

// Open says whether a case in status s is still being worked on (its SLA
// clock runs or waits for the customer): not decided, not closed.
func (s CaseStatus) Open() bool { return s == CaseOpen || s == CaseWaitingCustomer }

// CaseStatuses lists every status, in the order a case goes through them.
var CaseStatuses = []CaseStatus{CaseOpen, CaseWaitingCustomer, CaseDecided, CaseClosed}

// Decision is how a case was decided. Stored in cases.decision.
type Decision string

const (
	DecisionAccepted       Decision = "accepted"        // dispute: a credit note for all that is disputed
	DecisionPartlyAccepted Decision = "partly_accepted" // dispute: a credit note for part of it, per invoice
	DecisionRejected       Decision = "rejected"        // dispute: the invoices are dunned again
	DecisionWithdrawn      Decision = "withdrawn"       // dispute: the customer withdrew it
	DecisionApproved       Decision = "approved"        // credit limit request: the limit changes; plan request: the plan is recorded
	DecisionRefused        Decision = "refused"         // credit limit, data change or plan request
	DecisionDone           Decision = "done"            // data change request: done in the ERP
)

// Decisions lists the decisions each case type allows.
var Decisions = map[CaseType][]Decision{
	CaseDispute:            {DecisionAccepted, DecisionPartlyAccepted, DecisionRejected, DecisionWithdrawn},
	CaseCreditLimitRequest: {DecisionApproved, DecisionRefused},
	CaseDataChangeRequest:  {DecisionDone, DecisionRefused},
	// A message is done; one that proposes a payment plan (the portal's
	// request) is approved (the plan is recorded) or refused.
	CaseCustomerMessage:  {DecisionDone, DecisionApproved, DecisionRefused},
	CaseClaimDeclaration: {DecisionDone},
}

// SLAState is how far a case's SLA clock has run. Stored in cases.sla_state.
type SLAState string

const (
	SLAOnTime        SLAState = "on_time"
	SLAReminded      SLAState = "reminded"       // half the SLA is gone: the owner was reminded
	SLABreached      SLAState = "breached"       // the SLA is gone: the department's manager was told
	SLABreachedTwice SLAState = "breached_twice" // twice the SLA: told again
)

// SLAStates lists the SLA states in the order the clock reaches them.
var SLAStates = []SLAState{SLAOnTime, SLAReminded, SLABreached, SLABreachedTwice}
