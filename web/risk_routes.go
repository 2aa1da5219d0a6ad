package web

import "recoup/auth"

// riskRoutes are the credit risk signals' pages (README "Signals in"): a
// customer's history, the unmatched queue with its two actions, and the
// providers' administration.
var riskRoutes = []route{
	{method: "GET", path: "/accounts/:id/risk", action: auth.RiskRead, handle: (*Handler).riskHistory},
	{method: "GET", path: "/risk/unmatched", action: auth.RiskMatch, handle: (*Handler).riskUnmatched},
	{method: "POST", path: "/risk/unmatched/:id/match", action: auth.RiskMatch, handle: (*Handler).riskMatch},
	{method: "POST", path: "/risk/unmatched/:id/dismiss", action: auth.RiskMatch, handle: (*Handler).riskDismiss},
	{method: "GET", path: "/risk/providers", action: auth.RiskManage, handle: (*Handler).riskProviders},
	{method: "POST", path: "/risk/providers", action: auth.RiskManage, handle: (*Handler).riskProviderCreate},
	{method: "POST", path: "/risk/providers/:name", action: auth.RiskManage, handle: (*Handler).riskProviderUpdate},
	{method: "POST", path: "/risk/providers/:name/rotate", action: auth.RiskManage, handle: (*Handler).riskProviderRotate},
}
