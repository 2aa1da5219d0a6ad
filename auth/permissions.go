package auth

import "recoup/domain"

// Action is something a caller may be allowed to do. Every API route names one.
type Action string

const (
	AccountsRead    Action = "accounts.read"     // customers, invoices
	ImportsCreate   Action = "imports.create"    // load ERP files
	SystemCheck     Action = "system.check"      // run the system-check workflow
	ScenariosRead   Action = "scenarios.read"    // scenarios and assignment rules
	ScenariosWrite  Action = "scenarios.write"   // create, change, archive; pin a customer's scenario
	TasksRead       Action = "tasks.read"        // work lists
	TasksClose      Action = "tasks.close"       // claim a task, complete or close it with its outcome
	TasksCreate     Action = "tasks.create"      // ask someone to do something for a customer (a call, a purchase order)
	DunningRead     Action = "dunning.read"      // a workflow's status and preview
	DunningControl  Action = "dunning.control"   // pause, resume
	DunningReassign Action = "dunning.reassign"  // move an account to another agent: one, in bulk, or for an absence
	AgentRulesWrite Action = "agent_rules.write" // the rules giving an agent to customers the ERP sends without one
	TemplatesRead   Action = "templates.read"
	TemplatesWrite  Action = "templates.write"
	EntitiesRead    Action = "entities.read"
	EntitiesWrite   Action = "entities.write" // contact windows
	HistoryRead     Action = "history.read"   // the compliance timeline of an account
	UsersManage     Action = "users.manage"   // users, their roles, perimeters and tokens
	TokensOwn       Action = "tokens.own"     // one's own API tokens
	CasesRead       Action = "cases.read"     // disputes and requests, their discussion and the routing table
	CasesOpen       Action = "cases.open"     // open a dispute or a request on a customer
	CasesComment    Action = "cases.comment"  // comment on a case, with @mentions
	// CasesDecide: decide, re-route, reopen a case, or set it waiting for the
	// customer; a credit limit request is decided by credit managers only.
	CasesDecide      Action = "cases.decide"
	CaseRoutingWrite Action = "case_routing.write" // the routing table, SLA escalation managers
	NotificationsOwn Action = "notifications.own"  // one's own in-app notifications
	ColumnsManage    Action = "columns.manage"     // define, change and delete user-defined columns of the accounts list
	ReportsManage    Action = "reports.manage"     // weekly reports by email: list, save, delete, send now
	EventsRead       Action = "events.read"        // the event feed, inside the caller's perimeter
	WebhooksManage   Action = "webhooks.manage"    // webhook subscriptions, their delivery log, test and redelivery
	RiskRead         Action = "risk.read"          // a customer's risk (latest and history), inside the caller's perimeter
	RiskMatch        Action = "risk.match"         // the unmatched signals: match one to a customer (inside the perimeter) or dismiss it
	RiskManage       Action = "risk.manage"        // risk providers: adapter, state, webhook secret
	RiskRulesRead    Action = "risk_rules.read"    // the risk rules of one's entities
	RiskRulesWrite   Action = "risk_rules.write"   // create, change, delete risk rules
	RiskAlertsRead   Action = "risk_alerts.read"   // risk alerts, inside the caller's perimeter
	RiskAlertsAck    Action = "risk_alerts.ack"    // acknowledge a risk alert
)

var (
	everyone = domain.Roles
	managers = []domain.Role{domain.RoleAdmin, domain.RoleCreditManager}
	// readers see the dunning set-up: the people who run it and those who check it.
	readers = []domain.Role{domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleDivisionManager, domain.RoleAuditor}
)

// permissions is the one place that says which role may do what; the README
// shows it and the API tests check every route against it for every role.
var permissions = map[Action][]domain.Role{
	AccountsRead:     everyone,
	ImportsCreate:    managers,
	SystemCheck:      {domain.RoleAdmin},
	ScenariosRead:    readers,
	ScenariosWrite:   managers,
	TasksRead:        {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep, domain.RoleDepartment, domain.RoleDivisionManager, domain.RoleAuditor},
	TasksClose:       {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep, domain.RoleDepartment},
	TasksCreate:      {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep},
	DunningRead:      everyone,
	DunningControl:   {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent},
	DunningReassign:  managers,
	AgentRulesWrite:  managers,
	TemplatesRead:    readers,
	TemplatesWrite:   managers,
	EntitiesRead:     everyone,
	EntitiesWrite:    managers,
	HistoryRead:      {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleDivisionManager, domain.RoleAuditor},
	UsersManage:      {domain.RoleAdmin},
	TokensOwn:        everyone,
	CasesRead:        everyone,
	CasesOpen:        {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep, domain.RoleDepartment},
	CasesComment:     {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep, domain.RoleDepartment},
	CasesDecide:      {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleDepartment},
	CaseRoutingWrite: managers,
	NotificationsOwn: everyone,
	ColumnsManage:    managers,
	ReportsManage:    managers,
	EventsRead:       everyone,
	WebhooksManage:   {domain.RoleAdmin},
	RiskRead:         {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent, domain.RoleSalesRep, domain.RoleDivisionManager, domain.RoleAuditor},
	RiskMatch:        {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent},
	RiskManage:       managers,
	RiskRulesRead:    readers,
	RiskRulesWrite:   managers,
	RiskAlertsRead:   everyone,
	RiskAlertsAck:    {domain.RoleAdmin, domain.RoleCreditManager, domain.RoleAgent},
}

// Actions lists every action, in the README's order.
var Actions = []Action{AccountsRead, ImportsCreate, SystemCheck, ScenariosRead, ScenariosWrite, TasksRead, TasksClose,
	TasksCreate, DunningRead, DunningControl, DunningReassign, AgentRulesWrite, TemplatesRead, TemplatesWrite, EntitiesRead, EntitiesWrite,
	HistoryRead, UsersManage, TokensOwn, CasesRead, CasesOpen, CasesComment, CasesDecide, CaseRoutingWrite, NotificationsOwn,
	ColumnsManage, ReportsManage, EventsRead, WebhooksManage, RiskRead, RiskMatch, RiskManage, RiskRulesRead, RiskRulesWrite,
	RiskAlertsRead, RiskAlertsAck}

// RoleAllows reports whether role may do action.
func RoleAllows(role domain.Role, action Action) bool {
	for _, r := range permissions[action] {
		if r == role {
			return true
		}
	}
	return false
}

// Allows reports whether p may do action: its role must allow it, and an
// import-scoped token may do nothing but import.
func Allows(p domain.Principal, action Action) bool {
	if p.Scope == domain.ScopeImport && action != ImportsCreate {
		return false
	}
	return RoleAllows(p.Role, action)
}

// Check answers a forbidden error unless p may do action: the one refusal
// every door (API route, use case) gives.
func Check(p domain.Principal, action Action) error {
	if Allows(p, action) {
		return nil
	}
	return domain.Errorf(domain.CodeForbidden, "%s may not %s", describe(p), action)
}

func describe(p domain.Principal) string {
	if p.Scope == domain.ScopeImport {
		return "an import-only token"
	}
	return "the " + string(p.Role) + " role"
}
