package web

import "recoup/auth"

// riskRoutes are the credit risk pages (README "Credit risk"): a customer's
// signal history, the unmatched queue with its two actions, the providers'
// administration; the rules (list, form, delete) and the alerts (list,
// acknowledge), the account page showing its own alerts.
var riskRoutes = []route{
	{method: "GET", path: "/accounts/:id/risk", action: auth.RiskRead, handle: (*Handler).riskHistory},
	{method: "GET", path: "/risk/unmatched", action: auth.RiskMatch, handle: (*Handler).riskUnmatched},
	{method: "POST", path: "/risk/unmatched/:id/match", action: auth.RiskMatch, handle: (*Handler).riskMatch},
	{method: "POST", path: "/risk/unmatched/:id/dismiss", action: auth.RiskMatch, handle: (*Handler).riskDismiss},
	{method: "GET", path: "/risk/providers", action: auth.RiskManage, handle: (*Handler).riskProviders},
	{method: "POST", path: "/risk/providers", action: auth.RiskManage, handle: (*Handler).riskProviderCreate},
	{method: "POST", path: "/risk/providers/:name", action: auth.RiskManage, handle: (*Handler).riskProviderUpdate},
	{method: "POST", path: "/risk/providers/:name/rotate", action: auth.RiskManage, handle: (*Handler).riskProviderRotate},
	{method: "GET", path: "/risk/rules", action: auth.RiskRulesRead, handle: (*Handler).riskRuleList},
	{method: "GET", path: "/risk/rules/new", action: auth.RiskRulesWrite, handle: (*Handler).riskRuleNew},
	{method: "POST", path: "/risk/rules/new", action: auth.RiskRulesWrite, handle: (*Handler).riskRuleCreate},
	{method: "GET", path: "/risk/rules/:id", action: auth.RiskRulesWrite, handle: (*Handler).riskRuleEdit},
	{method: "POST", path: "/risk/rules/:id", action: auth.RiskRulesWrite, handle: (*Handler).riskRuleUpdate},
	{method: "POST", path: "/risk/rules/:id/delete", action: auth.RiskRulesWrite, handle: (*Handler).riskRuleDelete},
	{method: "GET", path: "/risk/alerts", action: auth.RiskAlertsRead, handle: (*Handler).riskAlertList},
	{method: "POST", path: "/risk/alerts/:id/acknowledge", action: auth.RiskAlertsAck, handle: (*Handler).riskAlertAcknowledge},
	{method: "POST", path: "/accounts/:id/proceedings/release", action: auth.DunningControl, handle: (*Handler).accountProceedingsRelease},
}
