package web

import "recoup/auth"

// riskRoutes are the risk pages: the rules (list, form, delete) and the
// alerts (list, acknowledge); the account page shows its own alerts.
var riskRoutes = []route{
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
