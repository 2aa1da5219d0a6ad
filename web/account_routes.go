package web

import "recoup/auth"

// accountRoutes are the customer list, one account's page and what may be done to it.
var accountRoutes = []route{
	{method: "GET", path: "/accounts", action: auth.AccountsRead, handle: (*Handler).accountList},
	{method: "GET", path: "/accounts/:id", action: auth.AccountsRead, handle: (*Handler).accountShow},
	{method: "GET", path: "/accounts/:id/invoices/:invoice/pdf", action: auth.AccountsRead, handle: (*Handler).accountInvoicePDF},
	{method: "GET", path: "/accounts/:id/history.csv", action: auth.HistoryRead, handle: (*Handler).accountHistoryCSV},
	{method: "POST", path: "/accounts/:id/pause", action: auth.DunningControl, handle: (*Handler).accountPause},
	{method: "POST", path: "/accounts/:id/resume", action: auth.DunningControl, handle: (*Handler).accountResume},
	{method: "POST", path: "/accounts/:id/reassign", action: auth.DunningReassign, handle: (*Handler).accountReassign},
	{method: "POST", path: "/accounts/:id/scenario", action: auth.ScenariosWrite, handle: (*Handler).accountScenario},
	{method: "POST", path: "/accounts/:id/promises", action: auth.DunningControl, handle: (*Handler).accountPromise},
	{method: "POST", path: "/accounts/:id/promises/:promise/cancel", action: auth.DunningControl, handle: (*Handler).accountPromiseCancel},
	{method: "POST", path: "/accounts/:id/plans", action: auth.DunningControl, handle: (*Handler).accountPlan},
	{method: "POST", path: "/accounts/:id/tasks", action: auth.TasksCreate, handle: (*Handler).accountTask},
	{method: "POST", path: "/accounts/:id/plans/:plan/cancel", action: auth.DunningControl, handle: (*Handler).accountPlanCancel},
	{method: "POST", path: "/accounts/:id/holds", action: auth.DunningControl, handle: (*Handler).accountHold},
	{method: "POST", path: "/accounts/:id/holds/:invoice/release", action: auth.DunningControl, handle: (*Handler).accountHoldRelease},
	{method: "POST", path: "/accounts/:id/credit-hold", action: auth.DunningControl, handle: (*Handler).accountCreditHold},
	{method: "POST", path: "/accounts/:id/credit-hold/release", action: auth.DunningControl, handle: (*Handler).accountCreditHoldRelease},
	{method: "POST", path: "/accounts/:id/portal/revoke", action: auth.DunningControl, handle: (*Handler).accountPortalRevoke},
}
