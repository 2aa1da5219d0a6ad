package domain

import "slices"

// Department is a team outside credit management (legal…) that tasks are
// routed to. A user with RoleDepartment belongs to one (Principal.Department)
// and sees the customers with a task whose Assignee is that department. A
// user's department is not checked against Departments: one that names no
// assignee simply sees nothing.
type Department string

const (
	DepartmentLegal            Department = "legal"
	DepartmentSales            Department = "sales"
	DepartmentSalesAdmin       Department = "sales_administration"
	DepartmentLogistics        Department = "logistics"
	DepartmentCreditManagement Department = "credit_management"
)

// Departments lists the departments tasks can be routed to today.
var Departments = []Department{DepartmentLegal}

// CaseDepartments lists the departments cases are routed to (table
// case_departments); their SLA tasks carry the department's name as assignee.
var CaseDepartments = []Department{DepartmentSales, DepartmentSalesAdmin, DepartmentLogistics, DepartmentLegal,
	DepartmentCreditManagement}

// Assignee is who a task or an escalation is for: a staff role (the
// customer's agent or sales rep, the credit managers) or a department.
// It is stored as tasks.assignee_role and in scenario steps as
// "assignee_role", with the role's or the department's own name.
type Assignee string

const (
	AssigneeAgent         = Assignee(RoleAgent)
	AssigneeCreditManager = Assignee(RoleCreditManager)
	AssigneeLegal         = Assignee(DepartmentLegal)
	AssigneeSalesRep      = Assignee(RoleSalesRep)
)

// Assignees lists every assignee, in the order error messages show them.
var Assignees = []Assignee{AssigneeAgent, AssigneeCreditManager, AssigneeLegal, AssigneeSalesRep}

// TaskRoles lists what a task's assignee_role may hold, so what the task
// lists filter by: the assignees, and the queues of the case departments
// (their SLA tasks carry the department's name).
var TaskRoles = func() []Assignee {
	roles := append([]Assignee(nil), Assignees...)
	for _, d := range CaseDepartments {
		if !slices.Contains(roles, d.Assignee()) {
			roles = append(roles, d.Assignee())
		}
	}
	return roles
}()

// Valid reports whether a is one of the assignees.
func (a Assignee) Valid() bool {
	switch a {
	case AssigneeAgent, AssigneeCreditManager, AssigneeLegal, AssigneeSalesRep:
		return true
	}
	return false
}

// ParseAssignee checks s is an assignee; field names the input in the error.
func ParseAssignee(field, s string) (Assignee, error) {
	if a := Assignee(s); a.Valid() {
		return a, nil
	}
	return "", FieldError(field, "%q is unknown: want %s", s, Choices(Assignees))
}

// Assignee is the assignee a department's tasks carry.
func (d Department) Assignee() Assignee { return Assignee(d) }
