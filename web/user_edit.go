package web

import (
	"net/http"
	"strings"

	"recoup/domain"
	"recoup/store"
)

// userForm is the user form as typed.
type userForm struct {
	ID                                      int64 // 0: a new user
	Email, Name, Role, Department, Entities string
	AllEntities, Disabled                   bool
}

// tokenForm is the form that makes an API token.
type tokenForm struct{ Name, Scope, Expires string }

type userEditData struct {
	Form      userForm
	CanSignIn bool
	Roles     []domain.Role
	Tokens    []store.Token
	TokenForm tokenForm
	Errors    fieldErrors
}

func formOfUser(u store.User) userForm {
	return userForm{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Department: string(u.Department),
		Entities: strings.Join(u.Entities, ", "), AllEntities: u.AllEntities, Disabled: u.Disabled}
}

// userNew is the form for a new user: an agent of every entity, by default.
func (h *Handler) userNew(r *request) error {
	return h.showUser(r, http.StatusOK, userEditData{Form: userForm{Role: string(domain.RoleAgent), AllEntities: true}})
}

// userEdit is one user's form, with their API tokens.
func (h *Handler) userEdit(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.app.User(r.c.Request.Context(), r.who, id)
	if err != nil {
		return err
	}
	return h.showUser(r, http.StatusOK, userEditData{Form: formOfUser(u), CanSignIn: u.CanSignIn})
}

// showUser renders the user form (with the user's tokens when it exists).
func (h *Handler) showUser(r *request, status int, d userEditData) error {
	d.Roles = domain.Roles
	if d.TokenForm.Scope == "" {
		d.TokenForm.Scope = string(domain.ScopeFull)
	}
	if d.Form.ID != 0 {
		var err error
		if d.Tokens, err = h.app.UserTokens(r.c.Request.Context(), r.who, d.Form.ID); err != nil {
			return err
		}
	}
	title := "user.new_title"
	if d.Form.ID != 0 {
		title = "user.edit_title"
	}
	h.render(r.c, status, "user_edit", h.newPage(r, title, "nav.users", d))
	return nil
}
