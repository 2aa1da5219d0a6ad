package templates

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// Digest names the credit managers' daily digest email. It is not a customer
// message: it is not in the customisable Set, and ships in the web app's
// languages (DigestLanguages); any other language reads English.
const Digest = "digest"

// DigestLanguages are the languages the digest ships in.
var DigestLanguages = []string{"en", "fr"}

// DigestMaxAccounts caps the accounts the digest lists by name; the rest is
// one "and N more" line.
const DigestMaxAccounts = 50

// DigestData is what the digest template reads.
type DigestData struct {
	Name       string // the credit manager
	Date       string // tomorrow, YYYY-MM-DD
	SendsKnown bool
	Sends      []DigestSends
	Accounts   int  // accounts with open invoices looked at
	Truncated  bool // there were more than the digest looks at
	Blocked    []DigestBlocked
	More       int    // blocked accounts beyond DigestMaxAccounts
	Link       string // the app's URL
}

// DigestSends is one entity's count of tomorrow's messages on one channel.
type DigestSends struct {
	Entity, Sending, Channel string
	Count                    int
}

// DigestBlocked is one account that cannot be chased.
type DigestBlocked struct {
	Name, Entity string
	Reasons      []string
}

//go:embed digest
var digestFS embed.FS

var digestTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, l := range DigestLanguages {
		src, err := digestFS.ReadFile("digest/" + l + ".txt")
		if err != nil {
			panic(err)
		}
		out[l] = template.Must(template.New(l).Option("missingkey=error").
			Funcs(template.FuncMap{"join": strings.Join}).Parse(string(src)))
	}
	return out
}()

// RenderDigest renders the digest in lang (its base language; English when
// the digest does not ship in it): the subject is the first line.
func RenderDigest(lang string, d DigestData) (subject, text string, err error) {
	t, ok := digestTemplates[baseOrEmpty(lang)]
	if !ok {
		t = digestTemplates[FallbackLanguage]
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", "", fmt.Errorf("template %s/%s: %w", Digest, t.Name(), err)
	}
	subject, text, _ = strings.Cut(b.String(), "\n")
	return strings.TrimSpace(subject), tidyText(text), nil
}
