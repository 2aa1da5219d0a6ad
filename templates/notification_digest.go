package templates

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// NotificationDigest names the email of a user's unread notifications, sent
// with the daily digests to those who turned it on. Like the digest, it ships
// in DigestLanguages; any other language reads English.
const NotificationDigest = "notification_digest"

// NotificationDigestMax caps the notifications the email lists.
const NotificationDigestMax = 50

// NotificationDigestData is what the notification digest template reads.
type NotificationDigestData struct {
	Name   string
	Unread int64
	Items  []NotificationDigestItem // newest first, at most NotificationDigestMax
	More   bool                     // there are more unread than Items
	Link   string                   // the notifications page
}

// NotificationDigestItem is one notification, its text in the reader's language.
type NotificationDigestItem struct {
	At   string // YYYY-MM-DD HH:MM UTC
	Text string
	Link string // its case's page, "" when it has none
}

//go:embed notification_digest
var notificationDigestFS embed.FS

var notificationDigestTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, l := range DigestLanguages {
		src, err := notificationDigestFS.ReadFile("notification_digest/" + l + ".txt")
		if err != nil {
			panic(err)
		}
		out[l] = template.Must(template.New(l).Option("missingkey=error").Parse(string(src)))
	}
	return out
}()

// RenderNotificationDigest renders the email in lang (English when it does
// not ship in it): the subject is the first line.
func RenderNotificationDigest(lang string, d NotificationDigestData) (subject, text string, err error) {
	t, ok := notificationDigestTemplates[baseOrEmpty(lang)]
	if !ok {
		t = notificationDigestTemplates[FallbackLanguage]
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", "", fmt.Errorf("template %s/%s: %w", NotificationDigest, t.Name(), err)
	}
	subject, text, _ = strings.Cut(b.String(), "\n")
	return strings.TrimSpace(subject), tidyText(text), nil
}
