package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/store"
)

// sendingLabels name each sending mode in the catalogue.
var sendingLabels = map[store.Sending]string{
	store.SendingLive: "entity.sending.live",
	store.SendingTest: "entity.sending.test",
	store.SendingOff:  "entity.sending.off",
}

// settingsForm is the entity's sending gates as typed; input names are the API's.
type settingsForm struct {
	Currency                               string
	Sending, TestAddress                   string
	MaxDataAge, MinAmountToChase           string
	SMSConsentDefault, VoiceConsentDefault bool
	CreditLimitThresholds                  string // "80, 100"
}

// settingsForm reads the entity's current settings into the form.
func (h *Handler) settingsForm(r *request, code string) (settingsForm, error) {
	s, err := h.app.EntitySettings(r.c.Request.Context(), r.who, code)
	if err != nil {
		return settingsForm{}, err
	}
	return settingsForm{Currency: s.Currency, Sending: string(s.Sending), TestAddress: s.TestAddress, MaxDataAge: s.MaxDataAge,
		MinAmountToChase: s.MinAmountToChase, SMSConsentDefault: s.SMSConsentDefault, VoiceConsentDefault: s.VoiceConsentDefault,
		CreditLimitThresholds: app.FormatThresholds(s.CreditLimitThresholds)}, nil
}

// entitySettingsSave changes the entity's sending gates.
func (h *Handler) entitySettingsSave(r *request) error {
	ctx := r.c.Request.Context()
	e, err := h.entity(ctx, r)
	if err != nil {
		return err
	}
	f := settingsForm{Currency: e.Currency, Sending: strings.TrimSpace(r.c.PostForm("sending")),
		TestAddress: strings.TrimSpace(r.c.PostForm("test_address")), MaxDataAge: strings.TrimSpace(r.c.PostForm("max_data_age")),
		MinAmountToChase:  strings.TrimSpace(r.c.PostForm("min_amount_to_chase")),
		SMSConsentDefault: r.c.PostForm("sms_consent_default") == "on", VoiceConsentDefault: r.c.PostForm("voice_consent_default") == "on",
		CreditLimitThresholds: strings.TrimSpace(r.c.PostForm("credit_limit_thresholds"))}
	req := app.EntitySettingsRequest{Sending: &f.Sending, TestAddress: &f.TestAddress, MaxDataAge: &f.MaxDataAge,
		MinAmountToChase: &f.MinAmountToChase, SMSConsentDefault: &f.SMSConsentDefault, VoiceConsentDefault: &f.VoiceConsentDefault}
	if _, posted := r.c.GetPostForm("credit_limit_thresholds"); posted { // a form from before the field keeps them
		var t []int
		if t, err = app.ParseThresholds(f.CreditLimitThresholds); err == nil {
			req.CreditLimitThresholds = &t
		}
	}
	var saved app.EntitySettings
	if err == nil {
		saved, err = h.app.SetEntitySettings(ctx, r.who, e.Code, req)
	}
	if fe, ok := formError(err); ok {
		return h.entityPage(r, http.StatusBadRequest, entityWindowData{Entity: e, Form: windowFormOf(e), Settings: f, SettingsErrors: fe})
	}
	if err != nil {
		return err
	}
	return h.done(r, "/entities", h.t(r, "entity.settings.saved", e.Name, h.t(r, sendingLabels[saved.Sending])))
}
