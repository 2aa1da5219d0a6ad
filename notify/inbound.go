package notify

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// InboundSMS is a text a customer sent to Recoup's number.
type InboundSMS struct {
	SID  string
	From string // E.164
	Body string
	// Keyword is KeywordStop or KeywordStart when the text is one of
	// Twilio's opt-out or opt-in keywords, "" otherwise.
	Keyword string
}

// Opt-out and opt-in keywords, as Twilio's default handling knows them.
const (
	KeywordStop  = "stop"
	KeywordStart = "start"
)

var (
	stopWords  = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true}
	startWords = map[string]bool{"START": true, "YES": true, "UNSTOP": true}
)

// keyword reads Twilio's OptOutType when its Advanced Opt-Out sets it, else
// the body as a whole (a keyword alone, any case, as Twilio matches it).
func keyword(optOutType, body string) string {
	w := strings.ToUpper(strings.TrimSpace(optOutType))
	if w == "" {
		w = strings.ToUpper(strings.TrimSpace(body))
	}
	switch {
	case stopWords[w]:
		return KeywordStop
	case startWords[w]:
		return KeywordStart
	}
	return ""
}

// InboundHandler receives Twilio's incoming-message webhook (the number's
// "A message comes in" URL), checked by signature exactly as WebhookHandler
// checks status callbacks, and hands each text to onInbound. It answers an
// empty TwiML response: Twilio's own STOP handling replies to the customer.
func InboundHandler(authToken, publicBaseURL string, onInbound func(ctx context.Context, m InboundSMS) error) http.Handler {
	return signedHandler(authToken, publicBaseURL, func(w http.ResponseWriter, r *http.Request, form url.Values) {
		m := InboundSMS{SID: form.Get("MessageSid"), From: form.Get("From"), Body: form.Get("Body")}
		if m.SID == "" || m.From == "" {
			http.Error(w, "not an incoming message", http.StatusBadRequest)
			return
		}
		m.Keyword = keyword(form.Get("OptOutType"), m.Body)
		if err := onInbound(r.Context(), m); err != nil {
			slog.ErrorContext(r.Context(), "notify: handling an incoming text failed", "sid", m.SID, "err", err)
			http.Error(w, "could not record the message", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
	})
}
