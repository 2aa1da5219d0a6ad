package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// catalog is the UI text, one set of keys per language, read from
// messages/<lang>/*.json (one file per area of the app, so each area owns its
// words). Every key must exist in every language.
type catalog struct {
	langs    []string // the first is the default
	messages map[string]map[string]string
	matcher  language.Matcher
}

func loadCatalog(fsys fs.FS) (*catalog, error) {
	c := &catalog{messages: map[string]map[string]string{}}
	dirs, err := fs.ReadDir(fsys, "messages")
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		lang := d.Name()
		c.messages[lang] = map[string]string{}
		files, err := fs.Glob(fsys, path.Join("messages", lang, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := c.messages[lang][k]; dup {
					return nil, fmt.Errorf("%s: key %q is defined twice", f, k)
				}
				c.messages[lang][k] = v
			}
		}
	}
	c.langs = []string{"en"}
	for lang := range c.messages {
		if lang != "en" {
			c.langs = append(c.langs, lang)
		}
	}
	sort.Strings(c.langs[1:])
	for _, lang := range c.langs {
		for k := range c.messages["en"] {
			if _, ok := c.messages[lang][k]; !ok {
				return nil, fmt.Errorf("messages/%s: no text for %q", lang, k)
			}
		}
		for k := range c.messages[lang] {
			if _, ok := c.messages["en"][k]; !ok {
				return nil, fmt.Errorf("messages/%s: %q is not an English key", lang, k)
			}
		}
	}
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.Make(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// choose is the user's saved language, else the best match of the browser's
// Accept-Language, else English.
func (c *catalog) choose(saved, acceptLanguage string) string {
	if slices.Contains(c.langs, saved) {
		return saved
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.langs[0]
	}
	return c.langs[i]
}

// text is the message key in lang with args filled in (fmt verbs); a missing
// key shows as itself, which the catalogue test catches first.
func (c *catalog) text(lang, key string, args ...any) string {
	msg, ok := c.messages[lang][key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// has reports whether key is in the catalogue.
func (c *catalog) has(key string) bool {
	_, ok := c.messages["en"][key]
	return ok && !strings.HasPrefix(key, " ")
}
