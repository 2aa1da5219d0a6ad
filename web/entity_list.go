package web

import (
	"net/http"

	"recoup/store"
)

type entityListData struct {
	Entities []store.Entity
}

// entityList lists the entities of the group with their contact windows.
func (h *Handler) entityList(r *request) error {
	list, err := h.app.Entities(r.c.Request.Context(), r.who)
	if err != nil {
		return err
	}
	h.render(r.c, http.StatusOK, "entity_list", h.newPage(r, "entity.list.title", "nav.entities", entityListData{Entities: list}))
	return nil
}
