package templates

import (
	"errors"
	"fmt"
	htemplate "html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	ttemplate "text/template"

	"golang.org/x/text/language"

	"recoup/domain"
)

// Limits on what a template may produce. Twilio refuses message bodies over 1600
// characters and <Say> texts over 4096.
const (
	MaxSMSChars   = 1600
	MaxVoiceChars = 4096
	maxSource     = 100_000 // bytes of template source per part
	maxOutput     = 1 << 20 // bytes a part may render to
)

// Template is one message: a name (the dunning step, such as "reminder_1"), a
// channel and a language. Subject and HTML are for email only; Text is the
// plain-text part of an email, the SMS body, or what the voice call says.
// Subject and Text use text/template, HTML uses html/template (values are
// escaped); all three see a Data as "." and the functions listed in the
// package documentation.
type Template struct {
	Name     string         `json:"name"`
	Channel  domain.Channel `json:"channel"`
	Language string         `json:"language"` // BCP 47; only the base language is used: "fr-CA" is "fr"
	Subject  string         `json:"subject,omitempty"`
	Text     string         `json:"text"`
	HTML     string         `json:"html,omitempty"`
}

// Rendered is a template filled with a Data. Subject and HTML are empty
// except for email.
type Rendered struct {
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// ValidationError says what is wrong with a template, and where.
type ValidationError struct {
	Template string // "reminder_1/email/fr"
	Part     string // "name", "channel", "language", "subject", "text" or "html"
	Line     int    // line in the part, 1-based; 0 when not known
	Message  string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("template")
	if e.Template != "" {
		b.WriteString(" " + e.Template)
	}
	b.WriteString(": " + e.Part)
	if e.Part == "subject" || e.Part == "text" || e.Part == "html" {
		b.WriteString(" part")
	}
	if e.Line > 0 {
		b.WriteString(", line " + strconv.Itoa(e.Line))
	}
	b.WriteString(": " + e.Message)
	return b.String()
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// id names t in messages: "reminder_1/email/fr".
func (t Template) id() string {
	return t.Name + "/" + string(t.Channel) + "/" + t.Language
}

// Validate checks that t is complete and that every part parses and renders
// with realistic sample data (one with three invoices in two currencies, one
// with a single invoice not yet due and no portal link or agent). A template
// that fails here would fail when a reminder is sent, so it is refused when
// saved. The error is a *ValidationError naming the part and, when the
// template engine tells, the line.
func (t Template) Validate() error {
	_, err := compile(t)
	return err
}

// compiled is a validated template, parsed and ready to execute.
type compiled struct {
	t       Template
	subject *ttemplate.Template
	text    *ttemplate.Template
	html    *htemplate.Template
}

func compile(t Template) (*compiled, error) {
	fail := func(part, msg string) error {
		return &ValidationError{Template: t.id(), Part: part, Message: msg}
	}
	if !nameRE.MatchString(t.Name) {
		return nil, fail("name", fmt.Sprintf("%q: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit", t.Name))
	}
	if !t.Channel.IsReminder() {
		return nil, fail("channel", fmt.Sprintf("%q: want email, sms or voice", t.Channel))
	}
	lang, err := baseLanguage(t.Language)
	if err != nil {
		return nil, fail("language", err.Error())
	}
	c := &compiled{t: t}
	c.t.Language = lang
	funcs := funcMap(lang, t.Channel)

	type part struct{ name, src string }
	parts := []part{{"text", t.Text}}
	if t.Channel == domain.ChannelEmail {
		parts = append([]part{{"subject", t.Subject}}, append(parts, part{"html", t.HTML})...)
	} else {
		if strings.TrimSpace(t.Subject) != "" {
			return nil, fail("subject", "only email templates have a subject")
		}
		if strings.TrimSpace(t.HTML) != "" {
			return nil, fail("html", "only email templates have an HTML part")
		}
	}
	for _, p := range parts {
		if strings.TrimSpace(p.src) == "" {
			return nil, fail(p.name, "is empty")
		}
		if len(p.src) > maxSource {
			return nil, fail(p.name, fmt.Sprintf("is longer than %d bytes", maxSource))
		}
		var err error
		switch p.name {
		case "subject":
			c.subject, err = ttemplate.New(p.name).Option("missingkey=error").Funcs(funcs).Parse(p.src)
		case "text":
			c.text, err = ttemplate.New(p.name).Option("missingkey=error").Funcs(funcs).Parse(p.src)
		case "html":
			c.html, err = htemplate.New(p.name).Option("missingkey=error").Funcs(funcs).Parse(p.src)
		}
		if err != nil {
			return nil, templateError(t.id(), p.name, err)
		}
	}

	for _, sample := range samples() {
		r, err := c.render(sample.data)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Message += " (with sample data: " + sample.desc + ")"
			}
			return nil, err
		}
		switch {
		case t.Channel == domain.ChannelEmail && r.Subject == "":
			return nil, fail("subject", "renders empty with sample data: "+sample.desc)
		case r.Text == "":
			return nil, fail("text", "renders empty with sample data: "+sample.desc)
		case t.Channel == domain.ChannelEmail && strings.TrimSpace(r.HTML) == "":
			return nil, fail("html", "renders empty with sample data: "+sample.desc)
		case t.Channel == domain.ChannelSMS && len([]rune(r.Text)) > MaxSMSChars:
			return nil, fail("text", fmt.Sprintf("an SMS may not exceed %d characters; this one has %d with sample data: %s", MaxSMSChars, len([]rune(r.Text)), sample.desc))
		case t.Channel == domain.ChannelVoice && len([]rune(r.Text)) > MaxVoiceChars:
			return nil, fail("text", fmt.Sprintf("a voice message may not exceed %d characters; this one has %d with sample data: %s", MaxVoiceChars, len([]rune(r.Text)), sample.desc))
		}
	}
	return c, nil
}

// render executes the parts with d and tidies the output for the channel.
func (c *compiled) render(d Data) (Rendered, error) {
	var r Rendered
	var err error
	if c.subject != nil {
		if r.Subject, err = execute(c.t.id(), "subject", c.subject, d); err != nil {
			return Rendered{}, err
		}
		// One line, whatever the data holds: a newline in a header is an injection.
		r.Subject = singleStop(strings.Join(strings.Fields(r.Subject), " "))
	}
	if r.Text, err = execute(c.t.id(), "text", c.text, d); err != nil {
		return Rendered{}, err
	}
	switch c.t.Channel {
	case domain.ChannelEmail:
		r.Text = singleStop(tidyText(r.Text))
	case domain.ChannelSMS:
		r.Text = singleStop(tidySMS(r.Text))
	case domain.ChannelVoice:
		r.Text = tidyVoice(r.Text)
	}
	if c.html != nil {
		if r.HTML, err = execute(c.t.id(), "html", c.html, d); err != nil {
			return Rendered{}, err
		}
		r.HTML = singleStop(r.HTML)
	}
	return r, nil
}

type executor interface {
	Execute(io.Writer, any) error
}

func execute(id, part string, t executor, d Data) (string, error) {
	var w limitedWriter
	if err := t.Execute(&w, d); err != nil {
		if errors.Is(err, errTooLong) {
			return "", &ValidationError{Template: id, Part: part, Message: fmt.Sprintf("renders to more than %d bytes", maxOutput)}
		}
		return "", templateError(id, part, err)
	}
	return w.b.String(), nil
}

var errTooLong = errors.New("output too long")

// limitedWriter stops a template whose output runs away.
type limitedWriter struct{ b strings.Builder }

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > maxOutput {
		return 0, errTooLong
	}
	return w.b.Write(p)
}

// errLocRE matches the location text/template and html/template put in
// front of their messages: "template: html:3: ...", "template: text:3:14:
// executing \"text\" at <.Nope>: ...", "html/template:html:5:12: ...".
var errLocRE = regexp.MustCompile(`(?s)^(?:html/)?template: ?[^:]*:(\d+)(?::\d+)?: (.*)$`)
var executingRE = regexp.MustCompile(`^executing "[^"]*" at `)

func templateError(id, part string, err error) error {
	msg := err.Error()
	line := 0
	if m := errLocRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = executingRE.ReplaceAllString(m[2], "")
	} else {
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, "html/template:"+part+": "), "template: "+part+": ")
	}
	return &ValidationError{Template: id, Part: part, Line: line, Message: msg}
}

// baseLanguage reduces a BCP 47 tag to its lower-case base language:
// "fr-CA" → "fr", "EN_gb" → "en".
func baseLanguage(tag string) (string, error) {
	tag = strings.TrimSpace(strings.ReplaceAll(tag, "_", "-"))
	if tag == "" {
		return "", errors.New("is empty; want a language such as en or fr")
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("%q is not a BCP 47 language tag such as en or fr-CA", tag)
	}
	base, conf := t.Base()
	if conf == language.No || base.String() == "und" {
		return "", fmt.Errorf("%q names no language", tag)
	}
	return base.String(), nil
}

// baseOrEmpty is baseLanguage, "" for what does not parse.
func baseOrEmpty(tag string) string {
	b, err := baseLanguage(tag)
	if err != nil {
		return ""
	}
	return b
}

// tidyText cleans the plain-text part of an email: no trailing spaces, no
// more than one blank line in a row, a single final newline.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// doubleStopRE is a full stop doubled at the end of a sentence: a name
// ending with an abbreviation ("Gulf Trading Co.") followed by the
// template's own full stop. An ellipsis ("...") is left alone.
var doubleStopRE = regexp.MustCompile(`([^.])\.\.([\s<]|$)`)

// singleStop drops the second full stop of "Gulf Trading Co.." in every
// part of every channel.
func singleStop(s string) string {
	return doubleStopRE.ReplaceAllString(s, "$1.$2")
}

// tidyVoice makes one line of plain sentences, and drops the second full stop
// of "Gulf Trading Co.." (a name ending with an abbreviation, then a sentence end).
func tidyVoice(s string) string {
	return singleStop(strings.Join(strings.Fields(s), " "))
}

// tidySMS collapses the spaces of each line, keeps line breaks, drops blank
// lines and trims the whole.
func tidySMS(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
