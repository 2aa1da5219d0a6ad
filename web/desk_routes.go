package web

import "recoup/auth"

// deskRoutes are the agents' desk pages of portfolios and absences: bulk
// assignment with a dry-run preview, absences (list, start, change dates, end
// early), and the agent rules (list, add, delete, order).
var deskRoutes = []route{
	{method: "GET", path: "/portfolios", action: auth.DunningReassign, handle: (*Handler).portfolioShow},
	{method: "POST", path: "/portfolios", action: auth.DunningReassign, handle: (*Handler).portfolioAssign},
	{method: "GET", path: "/absences", action: auth.DunningReassign, handle: (*Handler).absenceList},
	{method: "POST", path: "/absences", action: auth.DunningReassign, handle: (*Handler).absenceCreate},
	{method: "POST", path: "/absences/:id/end", action: auth.DunningReassign, handle: (*Handler).absenceEnd},
	{method: "POST", path: "/absences/:id/dates", action: auth.DunningReassign, handle: (*Handler).absenceDates},
	{method: "GET", path: "/agent-rules", action: auth.DunningReassign, handle: (*Handler).agentRuleList},
	{method: "POST", path: "/agent-rules", action: auth.AgentRulesWrite, handle: (*Handler).agentRuleAdd},
	{method: "POST", path: "/agent-rules/:pos/delete", action: auth.AgentRulesWrite, handle: (*Handler).agentRuleDelete},
	{method: "POST", path: "/agent-rules/:pos/move", action: auth.AgentRulesWrite, handle: (*Handler).agentRuleMove},
}
