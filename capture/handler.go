package capture

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"recoup/inbound"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"time":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"bytes": formatBytes,
}).ParseFS(templateFS, "templates/*.html"))

// pageCSP applies to the viewer pages and, because srcdoc iframes inherit their parent's
// policy, to the captured HTML too: no scripts anywhere, but the email's own styles, images
// and fonts may load so it looks as the customer would see it.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline' *; img-src * data:; font-src * data:; " +
	"frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// Handler serves the mail viewer under prefix (e.g. "/dev/mail"), emails, SMS and calls alike:
//
//	GET {prefix}                          list, newest first (auto-refreshes)
//	GET {prefix}/{id}                     one message
//	GET {prefix}/{id}/raw                 the .eml (SMS/call: the HTTP request) as received (download)
//	GET {prefix}/{id}/attachments/{n}     the n-th attachment (0-based, download)
//
// The list and message pages answer with JSON for ?format=json or Accept: application/json.
// The handler works both when given the full path (mounted as-is, e.g. in gin) and when the
// prefix was already stripped (http.StripPrefix). Captured HTML is only ever shown escaped
// inside a sandboxed srcdoc iframe.
func (m *Mailbox) Handler(prefix string) http.Handler {
	prefix = "/" + strings.Trim(prefix, "/")
	if prefix == "/" {
		prefix = ""
	}
	return &viewer{mb: m, prefix: prefix}
}

type viewer struct {
	mb     *Mailbox
	prefix string
}

func (v *viewer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store") // the list changes as mail arrives

	rest := r.URL.Path
	if v.prefix != "" && (rest == v.prefix || strings.HasPrefix(rest, v.prefix+"/")) {
		rest = rest[len(v.prefix):]
	}
	rest = strings.Trim(rest, "/")
	var parts []string
	if rest != "" {
		parts = strings.Split(rest, "/")
	}

	if len(parts) == 0 {
		v.list(w, r)
		return
	}
	msg, ok := v.mb.Get(parts[0])
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case len(parts) == 1:
		v.message(w, r, msg)
	case len(parts) == 2 && parts[1] == "raw":
		v.raw(w, msg)
	case len(parts) == 3 && parts[1] == "attachments":
		v.attachment(w, r, msg, parts[2])
	default:
		http.NotFound(w, r)
	}
}

// messageJSON is Message plus the viewer URLs, so API users need not know the URL scheme.
type messageJSON struct {
	Message
	URL         string           `json:"url"`
	RawURL      string           `json:"raw_url"`
	Attachments []attachmentJSON `json:"attachments,omitempty"` // shadows Message.Attachments
}

type attachmentJSON struct {
	Attachment
	URL string `json:"url"`
}

type listJSON struct {
	Count    int           `json:"count"`
	Messages []messageJSON `json:"messages"`
}

func (v *viewer) url(id string, more ...string) string {
	return strings.Join(append([]string{v.prefix, id}, more...), "/")
}

func (v *viewer) toJSON(msg Message) messageJSON {
	out := messageJSON{Message: msg, URL: v.url(msg.ID), RawURL: v.url(msg.ID, "raw")}
	for i, a := range msg.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{Attachment: a, URL: v.url(msg.ID, "attachments", strconv.Itoa(i))})
	}
	return out
}

type listRow struct {
	Message
	URL  string
	Size int
}

func (v *viewer) list(w http.ResponseWriter, r *http.Request) {
	msgs := v.mb.Messages()
	if wantsJSON(r) {
		out := listJSON{Count: len(msgs), Messages: make([]messageJSON, 0, len(msgs))}
		for _, msg := range msgs {
			out.Messages = append(out.Messages, v.toJSON(msg))
		}
		writeJSON(w, out)
		return
	}
	rows := make([]listRow, 0, len(msgs))
	for _, msg := range msgs {
		row := listRow{Message: msg, URL: v.url(msg.ID), Size: len(msg.Raw)}
		if msg.Kind != KindEmail {
			row.Subject = preview(msg.Text) // texts and calls have no subject; show what they say
		}
		rows = append(rows, row)
	}
	v.render(w, "list.html", map[string]any{
		"Title": "Captured mail", "Home": v.home(), "Rows": rows, "JSONURL": v.home() + "?format=json",
		"Refresh": 5, // seconds; lets a newcomer watch mail arrive without JS
	})
}

type headerRow struct{ Name, Value string }

type attachmentRow struct {
	Attachment
	URL string
}

func (v *viewer) message(w http.ResponseWriter, r *http.Request, msg Message) {
	if wantsJSON(r) {
		writeJSON(w, v.toJSON(msg))
		return
	}
	if msg.Kind != KindEmail {
		v.twilioMessage(w, msg)
		return
	}
	var summary []headerRow
	for _, name := range []string{"From", "To", "Cc", "Reply-To", "Date"} {
		if vals := msg.Header[name]; len(vals) > 0 {
			summary = append(summary, headerRow{name, inbound.DecodeHeader(strings.Join(vals, ", "))})
		}
	}
	var all []headerRow
	for _, name := range slices.Sorted(maps.Keys(msg.Header)) {
		for _, val := range msg.Header[name] {
			all = append(all, headerRow{name, inbound.DecodeHeader(val)})
		}
	}
	var atts []attachmentRow
	html := msg.HTML
	for i, a := range msg.Attachments {
		u := v.url(msg.ID, "attachments", strconv.Itoa(i))
		atts = append(atts, attachmentRow{a, u})
		if a.ContentID != "" && html != "" {
			// Inline images are referenced as cid:...; point them at the attachment URL.
			html = strings.ReplaceAll(html, "cid:"+a.ContentID, u)
		}
	}
	if html != "" {
		// Links open in a new tab (the sandbox allows only that) instead of inside the frame.
		html = `<base target="_blank">` + html
	}
	title := msg.Subject
	if title == "" {
		title = "(no subject)"
	}
	v.render(w, "message.html", map[string]any{
		"Title":       title,
		"Home":        v.home(),
		"Msg":         msg,
		"RawURL":      v.url(msg.ID, "raw"),
		"JSONURL":     v.url(msg.ID) + "?format=json",
		"Summary":     summary,
		"Headers":     all,
		"Attachments": atts,
		"HTMLDoc":     html,
		"RawText":     rawPreview(msg.Raw),
	})
}

func (v *viewer) raw(w http.ResponseWriter, msg Message) {
	ctype := "message/rfc822"
	if msg.Kind != KindEmail {
		ctype = "message/http" // SMS and calls keep the HTTP request to the Twilio stand-in
	}
	ext, _ := rawExt(msg.Kind)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": msg.ID + ext}))
	h.Set("Content-Length", strconv.Itoa(len(msg.Raw)))
	_, _ = w.Write(msg.Raw)
}

func (v *viewer) attachment(w http.ResponseWriter, r *http.Request, msg Message, n string) {
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= len(msg.Attachments) || strconv.Itoa(i) != n {
		http.NotFound(w, r)
		return
	}
	a := msg.Attachments[i]
	ctype := a.ContentType
	if _, _, err := mime.ParseMediaType(ctype); err != nil || ctype == "" {
		ctype = "application/octet-stream"
	}
	name := a.Filename
	if name == "" {
		name = fmt.Sprintf("%s-attachment-%d", msg.ID, i)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	// Always a download and sandboxed, whatever the sender claimed the type to be (e.g. an
	// HTML or SVG "attachment" must not run on the viewer's origin).
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": sanitizeFilename(name)}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}

func (v *viewer) home() string {
	if v.prefix == "" {
		return "/"
	}
	return v.prefix
}

func (v *viewer) render(w http.ResponseWriter, name string, data map[string]any) {
	var buf strings.Builder
	// Render first so a template error becomes a clean 500, not half a page.
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "capture: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	_, _ = w.Write([]byte(buf.String()))
}

func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Emails are full of <, > and &; \u003c escapes only hurt readability in curl, and the
	// response is never interpreted as HTML (application/json + nosniff).
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

// wantsJSON honours ?format=json and an Accept header naming application/json. Browsers
// never list application/json explicitly, so they get HTML.
func wantsJSON(r *http.Request) bool {
	if strings.EqualFold(r.URL.Query().Get("format"), "json") {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "application/json" && params["q"] != "0" {
			return true
		}
	}
	return false
}

func sanitizeFilename(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\"`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "attachment"
	}
	return s
}

// maxRawPreview caps the source shown inline; the full message is one click away as .eml.
const maxRawPreview = 256 << 10

func rawPreview(raw []byte) string {
	if len(raw) <= maxRawPreview {
		return toUTF8(raw, "")
	}
	return toUTF8(raw[:maxRawPreview], "") + fmt.Sprintf("\n\n[… %s more; download the .eml for the rest]", formatBytes(len(raw)-maxRawPreview))
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
