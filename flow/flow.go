// Package flow is the contract of Recoup's Temporal workflows, declared once
// for both sides: the task queue, workflow IDs, the names workflows and
// activities are registered under, signal, update and query names, their
// payload types, and the custom search attributes. It also holds the client
// side of that contract (start, signal, update, query), where Temporal's
// errors become domain errors.
//
// The workflows package implements the workflows; the activities that start
// workflows (waking accounts), the use cases and the history decoder reach
// them through this package, so nothing needs to import the workflows'
// implementation to talk to them.
package flow

import (
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the queue every Recoup worker polls.
const TaskQueue = "recoup"

// Workflow type names: the worker registers each workflow under its name,
// starters start it by name, and the compliance timeline decodes histories
// by it. Changing one breaks running workflows and past histories.
const (
	WorkflowDunning      = "Dunning"
	WorkflowWakeAccounts = "WakeAccounts"
	WorkflowSweep        = "SweepOpenAccounts"
	WorkflowSystemCheck  = "SystemCheck"
	WorkflowHandover     = "Handover"
	// WorkflowCase: see case.go.
)

// Activity type names, under the same rule as the workflow names.
const (
	ActivityLoadAccount  = "LoadAccount"
	ActivityReassign     = "Reassign"
	ActivityExecute      = "Execute"
	ActivityFallback     = "Fallback"
	ActivityWakeImported = "WakeImported"
	ActivityWakeOpen     = "WakeOpen"
	ActivityCounts       = "Counts"
	ActivityHandOver     = "HandOver" // an absence begins: the agent's accounts and tasks go to the delegates
	ActivityHandBack     = "HandBack" // it ends: those nobody reassigned meanwhile come back
	ActivityCheckPromise = "CheckPromise"
)

// Workflows and Activities list every registered name, for the worker's
// registration test.
var (
	Workflows = []string{WorkflowDunning, WorkflowWakeAccounts, WorkflowSweep, WorkflowSystemCheck, WorkflowHandover,
		WorkflowCustomerNotice, WorkflowDigest, WorkflowCase, WorkflowCatchUp, WorkflowWeeklyReport, WorkflowWebhook,
		WorkflowEventRetention}
	Activities = []string{ActivityLoadAccount, ActivityReassign, ActivityExecute, ActivityFallback,
		ActivityWakeImported, ActivityWakeOpen, ActivityCounts, ActivityHandOver, ActivityHandBack, ActivityCheckPromise,
		ActivityHoldInvoice, ActivityReleaseInvoice, ActivityNoticeSchedule, ActivitySendNotice,
		ActivitySendDigests, ActivityCaseAlert, ActivityDecideCase, ActivityCaseStatus, ActivityReopenCase, ActivityCloseCase,
		ActivityCatchUp, ActivitySendReport, ActivityDeliverWebhook, ActivityStopWebhook, ActivityDeleteOldEvents}
)

// Custom search attributes: the worker registers them and workflows set them,
// so "all running workflows of agent X" is one visibility query and the
// Temporal UI can filter by them.
const (
	AttrCustomer = "RecoupCustomer"
	AttrEntity   = "RecoupEntity"
	AttrAgent    = "RecoupAgent"
	AttrPaused   = "RecoupPaused"
	// A case's workflow carries AttrCustomer, AttrEntity and these.
	AttrCaseType   = "RecoupCaseType"
	AttrDepartment = "RecoupDepartment"
	AttrOwner      = "RecoupOwner"
	AttrCaseStatus = "RecoupCaseStatus"
)

// SearchAttributes maps each custom attribute to its type.
var SearchAttributes = map[string]enums.IndexedValueType{
	AttrCustomer: enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrEntity:   enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrAgent:    enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrPaused:   enums.INDEXED_VALUE_TYPE_BOOL,

	AttrCaseType:   enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrDepartment: enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrOwner:      enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrCaseStatus: enums.INDEXED_VALUE_TYPE_KEYWORD,
}

// Typed keys of the custom search attributes.
var (
	KeyCustomer = temporal.NewSearchAttributeKeyKeyword(AttrCustomer)
	KeyEntity   = temporal.NewSearchAttributeKeyKeyword(AttrEntity)
	KeyAgent    = temporal.NewSearchAttributeKeyKeyword(AttrAgent)
	KeyPaused   = temporal.NewSearchAttributeKeyBool(AttrPaused)

	KeyCaseType   = temporal.NewSearchAttributeKeyKeyword(AttrCaseType)
	KeyDepartment = temporal.NewSearchAttributeKeyKeyword(AttrDepartment)
	KeyOwner      = temporal.NewSearchAttributeKeyKeyword(AttrOwner)
	KeyCaseStatus = temporal.NewSearchAttributeKeyKeyword(AttrCaseStatus)
)
