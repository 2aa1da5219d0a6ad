package web

import (
	"slices"

	"recoup/auth"
	"recoup/domain"
)

// NavItem is one entry of the navigation.
type NavItem struct {
	Key   string // the catalogue key of its label, and the page's Active name
	Href  string
	Shown auth.Action
	// Roles, when set, narrow it further to the roles it serves (the
	// dashboards: one per role, so only the roles that have one).
	Roles []domain.Role
}

// navigation lists the app's areas; each shows only to a role that may use it.
var navigation = []NavItem{
	{"nav.home", "/", "", nil},
	{"nav.dashboard", "/dashboard", auth.AccountsRead, dashboardRoles},
	{"nav.accounts", "/accounts", auth.AccountsRead, nil},
	{"nav.worklist", "/worklist", auth.TasksRead, nil},
	{"nav.cases", "/cases", auth.CasesRead, nil},
	{"nav.risk_alerts", "/risk/alerts", auth.RiskAlertsRead, nil},
	{"nav.portfolios", "/portfolios", auth.DunningReassign, nil},
	{"nav.absences", "/absences", auth.DunningReassign, nil},
	{"nav.scenarios", "/scenarios", auth.ScenariosRead, nil},
	{"nav.rules", "/rules", auth.ScenariosRead, nil},
	{"nav.risk_rules", "/risk/rules", auth.RiskRulesRead, nil},
	{"nav.templates", "/templates", auth.TemplatesRead, nil},
	{"nav.entities", "/entities", auth.EntitiesWrite, nil},
	{"nav.imports", "/imports", auth.ImportsCreate, nil},
	{"nav.reports", "/reports", auth.ReportsManage, nil},
	{"nav.users", "/users", auth.UsersManage, nil},
	{"nav.webhooks", "/webhooks", auth.WebhooksManage, nil},
	{"nav.risk", "/risk/unmatched", auth.RiskMatch, nil},
	{"nav.risk_providers", "/risk/providers", auth.RiskManage, nil},
}

func navFor(p domain.Principal) []NavItem {
	var out []NavItem
	for _, n := range navigation {
		if (n.Shown == "" || auth.Allows(p, n.Shown)) && (n.Roles == nil || slices.Contains(n.Roles, p.Role)) {
			out = append(out, n)
		}
	}
	return out
}

// dashboardRoles are the roles that have a dashboard (dashboardsOf decides).
var dashboardRoles = slices.DeleteFunc(slices.Clone(domain.Roles), func(r domain.Role) bool { return len(dashboardsOf(r)) == 0 })
