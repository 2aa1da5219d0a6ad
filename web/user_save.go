package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
)

// userSave creates or updates a user (the email is the key): role,
// perimeter (every entity, or the codes listed), department, password
// (blank keeps it), disabled (which ends their sessions and tokens).
func (h *Handler) userSave(r *request) error {
	c := r.c
	f := userForm{Email: strings.TrimSpace(c.PostForm("email")), Name: strings.TrimSpace(c.PostForm("name")),
		Role: c.PostForm("role"), Department: strings.TrimSpace(c.PostForm("department")),
		Entities: c.PostForm("entities"), AllEntities: c.PostForm("all_entities") != "", Disabled: c.PostForm("disabled") != ""}
	f.ID, _ = strconv.ParseInt(c.PostForm("id"), 10, 64)
	req := app.UserRequest{Email: f.Email, Name: f.Name, Role: f.Role, Department: f.Department,
		Password: c.PostForm("password"), Disabled: &f.Disabled}
	if !f.AllEntities {
		codes := entityCodes(f.Entities)
		req.Entities = &codes
	}
	u, err := h.app.PutUser(c.Request.Context(), r.who, req)
	if fe, ok := formError(err); ok {
		return h.showUser(r, http.StatusBadRequest, userEditData{Form: f, Errors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/users/"+strconv.FormatInt(u.ID, 10), h.t(r, "user.saved", u.Email))
}

// entityCodes reads entity codes separated by commas or spaces.
func entityCodes(s string) []string {
	codes := []string{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' }) {
		codes = append(codes, c)
	}
	return codes
}
