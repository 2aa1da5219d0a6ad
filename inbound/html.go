package inbound

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText converts an HTML body to plain text with the x/net/html
// tokenizer: the text of the document (entities decoded), line breaks where
// blocks end, list items marked "- ", a link's address after its text when
// it differs. Scripts, styles, the head and comments are dropped; nothing of
// the markup survives, so the result is safe to show as text.
func HTMLText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0 // inside script, style, head, title, template
	var href string
	var linkText strings.Builder
	inLink := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := collapse(string(z.Text()))
			b.WriteString(t)
			if inLink {
				linkText.WriteString(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.Br:
				b.WriteString("\n")
			case atom.Li:
				if !end {
					b.WriteString("\n- ")
				}
			case atom.P, atom.Div, atom.Tr, atom.Table, atom.Blockquote, atom.Pre, atom.Ul, atom.Ol,
				atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr, atom.Section, atom.Article:
				b.WriteString("\n")
			case atom.Td, atom.Th:
				if end {
					b.WriteString("\t")
				}
			case atom.A:
				if !end {
					href, inLink = "", true
					linkText.Reset()
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							href = string(v)
						}
					}
				} else if inLink {
					inLink = false
					if h := strings.TrimSpace(href); showLink(h, linkText.String()) {
						b.WriteString(" <" + h + ">")
					}
				}
			}
		}
	}
}

// showLink: a web or mail link whose text does not already say where it goes.
func showLink(href, text string) bool {
	l := strings.ToLower(href)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "mailto:") {
		return false
	}
	return strings.TrimSpace(text) != href && strings.TrimSpace(text) != strings.TrimPrefix(href, "mailto:")
}

// collapse turns runs of white space into one space, as a browser shows them.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// tidy trims each line and keeps at most one blank line in a row.
func tidy(s string) string {
	var out []string
	blank := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
