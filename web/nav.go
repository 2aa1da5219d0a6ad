package web

import (
	"recoup/auth"
	"recoup/domain"
)

// NavItem is one entry of the navigation.
type NavItem struct {
	Key   string // the catalogue key of its label, and the page's Active name
	Href  string
	Shown auth.Action
}

// navigation lists the app's areas; each shows only to a role that may use it.
var navigation = []NavItem{
	{"nav.home", "/", ""},
	{"nav.accounts", "/accounts", auth.AccountsRead},
	{"nav.worklist", "/worklist", auth.TasksRead},
	{"nav.cases", "/cases", auth.CasesRead},
	{"nav.portfolios", "/portfolios", auth.DunningReassign},
	{"nav.absences", "/absences", auth.DunningReassign},
	{"nav.scenarios", "/scenarios", auth.ScenariosRead},
	{"nav.rules", "/rules", auth.ScenariosRead},
	{"nav.templates", "/templates", auth.TemplatesRead},
	{"nav.entities", "/entities", auth.EntitiesWrite},
	{"nav.imports", "/imports", auth.ImportsCreate},
	{"nav.users", "/users", auth.UsersManage},
	{"nav.webhooks", "/webhooks", auth.WebhooksManage},
}

func navFor(p domain.Principal) []NavItem {
	var out []NavItem
	for _, n := range navigation {
		if n.Shown == "" || auth.Allows(p, n.Shown) {
			out = append(out, n)
		}
	}
	return out
}
