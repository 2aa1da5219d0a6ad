package domain

import (
	"fmt"
	"net/mail"
	"strings"
)

// Role is what a user does in the credit department; it decides what they may do.
type Role string

const (
	RoleAdmin           Role = "admin"
	RoleCreditManager   Role = "credit_manager"
	RoleAgent           Role = "agent"
	RoleSalesRep        Role = "sales_rep"
	RoleDepartment      Role = "department" // legal…: the tasks routed to their Department
	RoleDivisionManager Role = "division_manager"
	RoleAuditor         Role = "auditor"
)

// Roles lists every role, in the order the README's permission table shows them.
var Roles = []Role{RoleAdmin, RoleCreditManager, RoleAgent, RoleSalesRep, RoleDepartment, RoleDivisionManager, RoleAuditor}

// ParseRole checks s is a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", FieldError("role", "%q is unknown: want one of %s", s, strings.Join(RoleNames(), ", "))
}

// RoleNames lists the roles as they are spelled in files and requests.
func RoleNames() []string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return names
}

// TokenScope limits what a personal API token may do beyond its owner's role.
type TokenScope string

const (
	ScopeFull   TokenScope = "full"   // everything the owner may do
	ScopeImport TokenScope = "import" // only load ERP files: what an ERP export job needs
)

// ParseTokenScope checks s is a scope; "" is full.
func ParseTokenScope(s string) (TokenScope, error) {
	switch TokenScope(s) {
	case "", ScopeFull:
		return ScopeFull, nil
	case ScopeImport:
		return ScopeImport, nil
	}
	return "", FieldError("scope", "%q is unknown: want full or import", s)
}

// Principal is who is calling: a signed-in user, or a user's API token.
type Principal struct {
	UserID      int64
	Email       string
	Name        string
	Role        Role
	AllEntities bool
	EntityIDs   []int64
	EntityCodes []string
	Department  Department // for RoleDepartment
	Language    string     // the web app's language the user chose; "" follows the browser
	TokenID     int64      // 0: a browser session
	Scope       TokenScope
}

// Actor names the principal in the audit journal.
func (p Principal) Actor() string {
	if p.TokenID != 0 {
		return fmt.Sprintf("%s (token %d)", p.Email, p.TokenID)
	}
	return p.Email
}

// IsEmail reports whether v is a bare email address, as Recoup stores them
// (lowercase, no display name).
func IsEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && v == strings.ToLower(v)
}

// System is the principal of an operator's command (the CLI, `recoup dev`):
// whoever runs it already holds the database, so it may do everything; actor
// names it in the journal.
func System(actor string) Principal {
	return Principal{Email: actor, Name: actor, Role: RoleAdmin, AllEntities: true}
}
