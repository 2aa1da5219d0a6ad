package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"recoup/domain"
)

// The shipped templates live in defaults/:
//
//	defaults/layout.email.txt    the plain-text email around every message
//	defaults/layout.email.html   the HTML email around every message
//	defaults/<lang>/labels.txt   "key = value" lines filling [[key]] in the layouts
//	defaults/<lang>/labels.<part>.txt  the same, for an optional part of the layouts
//	defaults/<lang>/<name>.email.subject
//	defaults/<lang>/<name>.email.txt   the message: paragraphs, then a line "---"
//	                                   where the statement goes, then paragraphs
//	defaults/<lang>/<name>.sms.txt     may use [[label]] too (sms_balance)
//	defaults/<lang>/<name>.voice.txt   may use [[label]] too (voice_balance)
//
// Defaults assembles them into self-contained templates: the HTML part is the
// HTML layout with the message's paragraphs as <p> elements, so the text and
// HTML parts say the same thing. What a credit manager gets back from the API
// and edits is the assembled template, not these pieces.
//
//go:embed defaults
var defaultsFS embed.FS

// Defaults returns the shipped templates: every step of the default scenario
// (ReminderCourtesy, ReminderDue, Reminder1, Reminder2, ReminderRepeat) for
// email, SMS and voice, in each of DefaultLanguages, sorted by name, channel
// and language. The slice is the caller's to keep.
func Defaults() []Template {
	ts := loadDefaults()
	return append([]Template(nil), ts...)
}

// DefaultLanguages lists the languages Defaults ships, English first.
func DefaultLanguages() []string {
	return []string{"en", "fr", "de", "es", "it", "nl", "pt", "pl", "ar", "ja"}
}

// rightToLeft lists the shipped languages written right to left: their
// layouts get dir="rtl" and mirrored alignments.
var rightToLeft = map[string]bool{"ar": true}

var loadDefaults = sync.OnceValue(func() []Template {
	ts, err := assembleDefaults(defaultsFS, "defaults")
	if err != nil {
		panic("templates: shipped defaults are broken: " + err.Error())
	}
	return ts
})

func assembleDefaults(fsys fs.FS, root string) ([]Template, error) {
	read := func(p string) (string, error) {
		b, err := fs.ReadFile(fsys, p)
		return string(b), err
	}
	layoutTxt, err := read(path.Join(root, "layout.email.txt"))
	if err != nil {
		return nil, err
	}
	layoutHTML, err := read(path.Join(root, "layout.email.html"))
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, lang := range DefaultLanguages() {
		dir := path.Join(root, lang)
		labelSrc, err := read(path.Join(dir, "labels.txt"))
		if err != nil {
			return nil, err
		}
		labels, err := parseLabels(labelSrc)
		if err != nil {
			return nil, fmt.Errorf("%s/labels.txt: %w", dir, err)
		}
		if err := addLabelFiles(fsys, dir, labels); err != nil {
			return nil, err
		}
		labels["lang"] = lang
		labels["dir"], labels["start"], labels["end"] = "ltr", "left", "right"
		if rightToLeft[lang] {
			labels["dir"], labels["start"], labels["end"] = "rtl", "right", "left"
		}
		used := map[string]bool{"lang": true, "dir": true, "start": true, "end": true}

		subjects, err := fs.Glob(fsys, path.Join(dir, "*.email.subject"))
		if err != nil {
			return nil, err
		}
		for _, p := range subjects {
			name := strings.TrimSuffix(path.Base(p), ".email.subject")
			subject, err := read(p)
			if err != nil {
				return nil, err
			}
			body, err := read(path.Join(dir, name+".email.txt"))
			if err != nil {
				return nil, err
			}
			intro, closing, ok := strings.Cut(body, "\n---\n")
			if !ok || strings.Contains(closing, "\n---\n") {
				return nil, fmt.Errorf("%s/%s.email.txt: want one line \"---\" where the statement goes", dir, name)
			}
			vars := map[string]string{"intro": strings.TrimSpace(intro), "closing": strings.TrimSpace(closing)}
			text, err := fill(layoutTxt, labels, vars, used)
			if err != nil {
				return nil, fmt.Errorf("%s text: %w", p, err)
			}
			htmlLabels := make(map[string]string, len(labels))
			for k, v := range labels {
				htmlLabels[k] = escapeLiteral(v)
			}
			html, err := fill(layoutHTML, htmlLabels, map[string]string{
				"intro": paragraphsHTML(intro), "closing": paragraphsHTML(closing),
			}, used)
			if err != nil {
				return nil, fmt.Errorf("%s html: %w", p, err)
			}
			out = append(out, Template{
				Name: name, Channel: domain.ChannelEmail, Language: lang,
				Subject: strings.TrimSpace(subject), Text: text, HTML: html,
			})
			for _, ch := range []domain.Channel{domain.ChannelSMS, domain.ChannelVoice} {
				p := path.Join(dir, name+"."+string(ch)+".txt")
				src, err := read(p)
				if err != nil {
					return nil, err
				}
				// [[sms_balance]], [[voice_balance]]: the account summary, one wording per language.
				if src, err = fill(src, labels, nil, used); err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				out = append(out, Template{Name: name, Channel: ch, Language: lang, Text: strings.TrimSpace(src)})
			}
		}
		for k := range labels {
			if !used[k] {
				return nil, fmt.Errorf("%s/labels.txt: %q is not used by the layouts", dir, k)
			}
		}
	}
	sortTemplates(out)
	return out, nil
}

// addLabelFiles adds the labels of dir's labels.<part>.txt files (labels of
// the layouts' optional parts, such as a payment plan's schedule, kept apart
// so each part's labels ship with its templates).
func addLabelFiles(fsys fs.FS, dir string, labels map[string]string) error {
	parts, err := fs.Glob(fsys, path.Join(dir, "labels.*.txt"))
	if err != nil {
		return err
	}
	for _, p := range parts {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		more, err := parseLabels(string(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for k, v := range more {
			if _, dup := labels[k]; dup {
				return fmt.Errorf("%s: %q is already defined", p, k)
			}
			labels[k] = v
		}
	}
	return nil
}

// parseLabels reads "key = value" lines; blank lines and lines starting with
// "#" are skipped.
func parseLabels(src string) (map[string]string, error) {
	labels := map[string]string{}
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: want key = value", i+1)
		}
		if _, dup := labels[k]; dup {
			return nil, fmt.Errorf("line %d: %q defined twice", i+1, k)
		}
		labels[k] = v
	}
	return labels, nil
}

var placeholderRE = regexp.MustCompile(`\[\[([a-z_]+)\]\]`)

// fill replaces every [[key]] of layout with vars[key] or labels[key].
func fill(layout string, labels, vars map[string]string, used map[string]bool) (string, error) {
	var missing []string
	out := placeholderRE.ReplaceAllStringFunc(layout, func(m string) string {
		k := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := vars[k]; ok {
			return v
		}
		if v, ok := labels[k]; ok {
			used[k] = true
			return v
		}
		missing = append(missing, k)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no label for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// escapeLiteral HTML-escapes the literal text of a template snippet, leaving
// its {{actions}} alone (html/template escapes what they print).
func escapeLiteral(s string) string {
	var b strings.Builder
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(esc.Replace(s))
			break
		}
		b.WriteString(esc.Replace(s[:i]))
		s = s[i:]
		j := strings.Index(s, "}}")
		if j < 0 {
			b.WriteString(s) // unterminated: the parser will say so
			break
		}
		b.WriteString(s[:j+2])
		s = s[j+2:]
	}
	return b.String()
}

var blankLinesRE = regexp.MustCompile(`\n[ \t]*\n\s*`)

// paragraphsHTML turns paragraphs separated by blank lines into <p> elements.
func paragraphsHTML(s string) string {
	var ps []string
	for _, p := range blankLinesRE.Split(strings.TrimSpace(s), -1) {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, `<p style="margin:0 0 16px 0;">`+escapeLiteral(p)+`</p>`)
		}
	}
	return strings.Join(ps, "\n")
}
