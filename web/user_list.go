package web

import (
	"net/http"

	"recoup/store"
)

// userList is every user with role, perimeter and whether they can sign in.
func (h *Handler) userList(r *request) error {
	list, err := h.app.Users(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "user_list", h.newPage(r, "user.list_title", "nav.users", struct{ Users []store.User }{list}))
	return nil
}
