package capture

import (
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// twilioPage shows one SMS or call; it joins the embedded templates so it shares their layout.
var _ = template.Must(templates.New("twilio.html").Parse(`{{template "head" .}}
{{- with .Msg}}
<h1>{{$.Title}}</h1>
{{- if .ParseError}}
<p class="error">This request could not be fully decoded, so parts may be missing below: {{.ParseError}}</p>
{{- end}}
<table>
  <tr><th>Received</th><td>{{time .Received}} <span class="kind">{{.Kind}}</span></td></tr>
  <tr><th>From</th><td>{{.From}}</td></tr>
  <tr><th>To</th><td>{{join .To}}</td></tr>
  <tr><th>SID</th><td>{{.SID}}</td></tr>
  {{- with $.StatusCallback}}
  <tr><th>Status callback</th><td>{{.}}</td></tr>
  {{- end}}
  {{- with $.IdempotencyToken}}
  <tr><th>Idempotency token</th><td>{{.}}</td></tr>
  {{- end}}
  <tr><th>Source</th><td><a href="{{$.RawURL}}">download request</a> ({{bytes (len .Raw)}}) · <a href="{{$.JSONURL}}">JSON</a></td></tr>
</table>
{{- if $.IsSMS}}
<h2>Text message</h2>
<pre>{{.Text}}</pre>
{{- else}}
<h2>Spoken text</h2>
{{- if .Text}}
<pre>{{.Text}}</pre>
{{- else}}
<p class="muted">This call says nothing.</p>
{{- end}}
{{- with .TwiML}}
<h2>TwiML</h2>
<pre>{{.}}</pre>
{{- end}}
{{- end}}
<details>
  <summary>Request parameters</summary>
  <table>
  {{- range $.Params}}
    <tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>
  {{- end}}
  </table>
</details>
<details>
  <summary>Request headers</summary>
  <table>
  {{- range $.Headers}}
    <tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>
  {{- end}}
  </table>
</details>
{{- end}}
{{template "foot" .}}`))

func (v *viewer) twilioMessage(w http.ResponseWriter, msg Message) {
	title := "SMS to " + strings.Join(msg.To, ", ")
	if msg.Kind == KindCall {
		title = "Call to " + strings.Join(msg.To, ", ")
	}
	v.render(w, "twilio.html", map[string]any{
		"Title":            title,
		"Home":             v.home(),
		"Msg":              msg,
		"IsSMS":            msg.Kind == KindSMS,
		"StatusCallback":   first(msg.Params["StatusCallback"]),
		"IdempotencyToken": first(msg.Header["I-Twilio-Idempotency-Token"]),
		"RawURL":           v.url(msg.ID, "raw"),
		"JSONURL":          v.url(msg.ID) + "?format=json",
		"Params":           sortedRows(msg.Params),
		"Headers":          sortedRows(msg.Header),
	})
}

func first(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

func sortedRows(m map[string][]string) []headerRow {
	var rows []headerRow
	for _, name := range slices.Sorted(maps.Keys(m)) {
		for _, val := range m[name] {
			rows = append(rows, headerRow{name, val})
		}
	}
	return rows
}

// previewRunes is how much of an SMS or call text the list shows.
const previewRunes = 80

// preview is text on one line, cut to previewRunes, for the list's subject column.
func preview(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(text) <= previewRunes {
		return text
	}
	return string([]rune(text)[:previewRunes]) + "…"
}
