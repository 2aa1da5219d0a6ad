package web

import (
	"net/http"
	"strconv"
	"strings"

	"recoup/app"
)

// tokenShownData is a token just made: its secret, shown this once.
type tokenShownData struct {
	Token app.NewToken
	Back  string // where to go on
}

func readTokenForm(r *request) (tokenForm, app.TokenRequest) {
	f := tokenForm{Name: strings.TrimSpace(r.c.PostForm("name")), Scope: r.c.PostForm("scope"), Expires: strings.TrimSpace(r.c.PostForm("expires"))}
	return f, app.TokenRequest{Name: f.Name, Scope: f.Scope, Expires: f.Expires}
}

// userTokenCreate makes an API token for a user (an ERP's import-only
// account) and shows its secret once: it is not kept, so the page is the
// answer to the post, not a redirect.
func (h *Handler) userTokenCreate(r *request) error {
	ctx := r.c.Request.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.app.User(ctx, r.who, id)
	if err != nil {
		return err
	}
	f, req := readTokenForm(r)
	tok, err := h.app.CreateUserToken(ctx, r.who, u.Email, req)
	if fe, ok := formError(err); ok {
		return h.showUser(r, http.StatusBadRequest, userEditData{Form: formOfUser(u), CanSignIn: u.CanSignIn, TokenForm: f, Errors: fe})
	}
	if err != nil {
		return err
	}
	back := "/users/" + strconv.FormatInt(u.ID, 10)
	h.render(r.c, http.StatusOK, "user_token", h.newPage(r, "user.token_title", "nav.users", tokenShownData{Token: tok, Back: back}))
	return nil
}

// userTokenRevoke revokes a token of a user at once.
func (h *Handler) userTokenRevoke(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tokenID, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := h.app.RevokeToken(r.c.Request.Context(), r.who, tokenID); err != nil {
		return err
	}
	return h.done(r, "/users/"+strconv.FormatInt(id, 10), h.t(r, "user.token_revoked", tokenID))
}
