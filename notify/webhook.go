package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	twclient "github.com/twilio/twilio-go/client"
)

// StatusUpdate is one delivery report from Twilio.
type StatusUpdate struct {
	SID  string // message SID ("SM…") or call SID ("CA…")
	Kind string // KindSMS or KindCall
	// Status is Twilio's MessageStatus (queued, sent, delivered, undelivered, failed, …) or
	// CallStatus (completed, busy, no-answer, failed, canceled, …).
	Status    string
	To        string
	ErrorCode string // Twilio error code on failures, e.g. "30003" (unreachable handset)
}

// maxWebhookBody is far above what Twilio posts (a few hundred bytes) and keeps a hostile
// client from making us buffer much.
const maxWebhookBody = 64 << 10

// WebhookHandler receives Twilio's status callbacks and hands each verified update to
// onStatus.
//
// The X-Twilio-Signature header is checked with twilio-go's RequestValidator against the auth
// token, the POSTed form and the URL Twilio was given: publicBaseURL (scheme, host and any
// path prefix a proxy strips, e.g. "https://recoup.example.com") followed by the path and
// query of the request as this server received it. A missing or wrong signature gets 403 (so
// does every request when authToken is empty: an empty key would let anyone sign), a body
// that is not a status callback 400. When onStatus fails the answer is 500.
//
// Twilio may repeat callbacks and deliver them out of order (an SMS's "sent" after its
// "delivered"), so onStatus must be idempotent and must not let an intermediate status
// replace a final one.
func WebhookHandler(authToken string, publicBaseURL string, onStatus func(ctx context.Context, u StatusUpdate) error) http.Handler {
	return signedHandler(authToken, publicBaseURL, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		u, ok := statusUpdate(form)
		if !ok {
			http.Error(w, "not a message or call status callback", http.StatusBadRequest)
			return
		}
		if err := onStatus(r.Context(), u); err != nil {
			slog.ErrorContext(r.Context(), "notify: handling Twilio status callback failed",
				"sid", u.SID, "kind", u.Kind, "status", u.Status, "err", err)
			http.Error(w, "could not record status", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// signedHandler answers Twilio's POSTs whose signature checks (signedForm)
// with serve, given the posted form.
func signedHandler(authToken, publicBaseURL string, serve func(w http.ResponseWriter, r *http.Request, form url.Values)) http.Handler {
	validator := twclient.NewRequestValidator(authToken)
	base := strings.TrimSuffix(publicBaseURL, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if form, ok := signedForm(w, r, validator, base, authToken); ok {
			serve(w, r, form)
		}
	})
}

// signedForm reads the POSTed form of a Twilio webhook and checks its
// X-Twilio-Signature (see WebhookHandler); on failure it has answered and
// says false.
func signedForm(w http.ResponseWriter, r *http.Request, validator twclient.RequestValidator, base, authToken string) (url.Values, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if authToken == "" || sig == "" {
		http.Error(w, "missing signature", http.StatusForbidden)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "reading body failed", http.StatusBadRequest)
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "body is not a form", http.StatusBadRequest)
		return nil, false
	}
	if !validator.ValidateBody(base+requestURI(r), body, sig) {
		http.Error(w, "invalid signature", http.StatusForbidden)
		return nil, false
	}
	return form, true
}

// requestURI is the path and query as the client sent them. r.RequestURI is untouched by
// http.StripPrefix and routers, which rewrite r.URL.
func requestURI(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

func statusUpdate(form url.Values) (StatusUpdate, bool) {
	u := StatusUpdate{To: form.Get("To"), ErrorCode: form.Get("ErrorCode")}
	switch {
	case form.Get("MessageSid") != "":
		u.Kind, u.SID = KindSMS, form.Get("MessageSid")
		u.Status = form.Get("MessageStatus")
		if u.Status == "" {
			u.Status = form.Get("SmsStatus") // older callbacks
		}
	case form.Get("CallSid") != "":
		u.Kind, u.SID, u.Status = KindCall, form.Get("CallSid"), form.Get("CallStatus")
	}
	return u, u.SID != "" && u.Status != ""
}
