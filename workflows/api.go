// Package workflows holds Recoup's Temporal workflows and the names both the
// API and the worker use to reach them. Workflow code is deterministic: it
// does no I/O and reaches the world only through activities.
package workflows

import (
	"go.temporal.io/api/enums/v1"
)

// TaskQueue is the queue every Recoup worker polls.
const TaskQueue = "recoup"

// Custom search attributes, declared once: the worker registers them and
// workflows set them, so "all running workflows of agent X" is one
// visibility query and the Temporal UI can filter by them.
const (
	AttrCustomer = "RecoupCustomer"
	AttrEntity   = "RecoupEntity"
	AttrAgent    = "RecoupAgent"
	AttrPaused   = "RecoupPaused"
)

// SearchAttributes maps each custom attribute to its type.
var SearchAttributes = map[string]enums.IndexedValueType{
	AttrCustomer: enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrEntity:   enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrAgent:    enums.INDEXED_VALUE_TYPE_KEYWORD,
	AttrPaused:   enums.INDEXED_VALUE_TYPE_BOOL,
}

// SystemCheckWorkflowID names one run of the system check.
func SystemCheckWorkflowID(requestID string) string { return "system-check/" + requestID }
