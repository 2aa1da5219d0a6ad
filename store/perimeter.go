package store

import (
	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Perimeter is the set of customers a caller may see. It is applied inside the
// SQL of every list and read (perimeterClause), never by filtering afterwards.
type Perimeter struct {
	All        bool    // admins, and the system itself
	Entities   []int64 // nil: every entity
	Agent      *int64  // an agent's portfolio
	SalesRep   *int64  // a sales rep's own customers
	Department *string // a department's routed tasks and cases: the domain.Assignee its tasks carry
}

// Everything is the perimeter of the system and of admins.
var Everything = Perimeter{All: true}

// PerimeterOf is what p's role and entities let it see.
func PerimeterOf(p domain.Principal) Perimeter {
	if p.Role == domain.RoleAdmin {
		return Everything
	}
	var per Perimeter
	if !p.AllEntities {
		per.Entities = append([]int64{}, p.EntityIDs...) // empty, not nil: no entity at all
	}
	id := p.UserID
	switch p.Role {
	case domain.RoleAgent:
		per.Agent = &id
	case domain.RoleSalesRep:
		per.SalesRep = &id
	case domain.RoleDepartment:
		routed := string(p.Department.Assignee())
		per.Department = &routed
	}
	return per
}

// everyone says whether p keeps every customer, so a query may skip checking it.
func (p Perimeter) everyone() bool {
	return p.All || (p.Entities == nil && p.Agent == nil && p.SalesRep == nil && p.Department == nil)
}

// perimeterClause keeps the customers (alias c) inside the perimeter the @p_
// arguments describe (see Perimeter.args).
const perimeterClause = `(@p_all::boolean OR (
        (@p_entities::bigint[] IS NULL OR c.entity_id = ANY (@p_entities::bigint[]))
    AND (@p_agent::bigint IS NULL OR c.agent_id = @p_agent::bigint)
    AND (@p_sales_rep::bigint IS NULL OR c.sales_rep_id = @p_sales_rep::bigint)
    AND (@p_department::text IS NULL OR EXISTS (
        SELECT 1 FROM tasks pt WHERE pt.customer_id = c.id AND pt.assignee_role = @p_department::text)
        OR EXISTS (SELECT 1 FROM cases pk WHERE pk.customer_id = c.id AND pk.department = @p_department::text))))`

// args adds the perimeter's arguments to a query's named arguments.
func (p Perimeter) args(a pgx.NamedArgs) pgx.NamedArgs {
	if a == nil {
		a = pgx.NamedArgs{}
	}
	a["p_all"] = p.All
	a["p_entities"] = p.Entities
	a["p_agent"] = p.Agent
	a["p_sales_rep"] = p.SalesRep
	a["p_department"] = p.Department
	return a
}
