package web

import "recoup/app"

// accountReassign gives the account to another agent, by email.
func (h *Handler) accountReassign(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	agent, err := h.app.ReassignDunning(r.c.Request.Context(), r.who, id, app.ReassignRequest{AgentEmail: r.c.PostForm("agent_email")})
	if err != nil {
		return h.accountRefused(r, accountForm{Name: "reassign", Values: r.c.Request.PostForm}, err)
	}
	return h.done(r, accountPath(id), h.t(r, "account.reassigned", agent))
}
