package templates

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"recoup/domain"
)

// The names of the shipped templates: the steps of the default dunning scenario.
const (
	ReminderCourtesy = "reminder_courtesy" // a few days before the due date
	ReminderDue      = "reminder_due"      // on the due date
	Reminder1        = "reminder_1"        // 7 days overdue
	Reminder2        = "reminder_2"        // 15 days overdue, firmer
	ReminderRepeat   = "reminder_repeat"   // every 14 days after that
)

// FallbackLanguage is the language used when neither the customer's nor the
// entity's language has a template.
const FallbackLanguage = "en"

// ErrUnknownTemplate is returned (wrapped) by Render for a name no template has.
var ErrUnknownTemplate = errors.New("unknown template")

// ErrNoTemplate is returned (wrapped) by Render when the name exists but not
// for the channel, or in none of the languages tried.
var ErrNoTemplate = errors.New("no template")

type key struct {
	name string
	ch   domain.Channel
	lang string
}

// Set is a lookup of validated templates by name, channel and language. It is
// safe for concurrent use.
type Set struct {
	byKey map[key]*compiled
	names map[string]bool
}

// NewSet validates and parses ts. When two templates share a name, channel and
// base language, the later one wins, so that a credit manager's templates can
// be laid over the defaults: NewSet(append(Defaults(), custom...)...).
func NewSet(ts ...Template) (*Set, error) {
	s := &Set{byKey: map[key]*compiled{}, names: map[string]bool{}}
	for _, t := range ts {
		c, err := compile(t)
		if err != nil {
			return nil, err
		}
		s.byKey[key{c.t.Name, c.t.Channel, c.t.Language}] = c
		s.names[c.t.Name] = true
	}
	return s, nil
}

// Lookup returns the template for name and channel in exactly the (base)
// language lang, with Language normalized to the base language.
func (s *Set) Lookup(name string, ch domain.Channel, lang string) (Template, bool) {
	c, ok := s.byKey[key{name, ch, baseOrEmpty(lang)}]
	if !ok {
		return Template{}, false
	}
	return c.t, true
}

// Templates returns the set's templates sorted by name, channel and language.
func (s *Set) Templates() []Template {
	out := make([]Template, 0, len(s.byKey))
	for _, c := range s.byKey {
		out = append(out, c.t)
	}
	sortTemplates(out)
	return out
}

// Render fills the template name for channel ch with d, in the customer's
// language lang if the set has it, else in the entity's language entityLang,
// else in English. Languages are BCP 47 tags reduced to their base language
// ("fr-CA" uses "fr"). It returns the language used, which is the language of
// the text (the voice of a call must speak it). An unknown name, or a name
// with no template for the channel in any of these languages, is an error
// wrapping ErrUnknownTemplate or ErrNoTemplate.
func (s *Set) Render(name string, ch domain.Channel, lang, entityLang string, d Data) (Rendered, string, error) {
	if !s.names[name] {
		return Rendered{}, "", fmt.Errorf("%w %q (known: %s)", ErrUnknownTemplate, name, strings.Join(s.sortedNames(), ", "))
	}
	var tried []string
	for _, l := range []string{baseOrEmpty(lang), baseOrEmpty(entityLang), FallbackLanguage} {
		if l == "" || slices.Contains(tried, l) {
			continue
		}
		tried = append(tried, l)
		if c, ok := s.byKey[key{name, ch, l}]; ok {
			r, err := c.render(d)
			if err != nil {
				return Rendered{}, "", fmt.Errorf("render %s: %w", c.t.id(), err)
			}
			return r, l, nil
		}
	}
	var have []string
	for k := range s.byKey {
		if k.name == name && k.ch == ch {
			have = append(have, k.lang)
		}
	}
	if len(have) == 0 {
		return Rendered{}, "", fmt.Errorf("%w: template %q has no %s version", ErrNoTemplate, name, ch)
	}
	sort.Strings(have)
	return Rendered{}, "", fmt.Errorf("%w: %s template %q exists in %s, not in %s",
		ErrNoTemplate, ch, name, strings.Join(have, ", "), strings.Join(tried, ", "))
}

func (s *Set) sortedNames() []string {
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Compare orders templates by name, channel and language, the order lists show them in.
func Compare(a, b Template) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Language, b.Language))
}

func sortTemplates(ts []Template) { slices.SortFunc(ts, Compare) }

// DefaultSet is the shipped templates as a Set. They are checked by this
// package's tests, so an error here is a build defect, not an input problem.
func DefaultSet() *Set {
	set, err := NewSet(Defaults()...)
	if err != nil {
		panic("templates: the shipped defaults do not load: " + err.Error())
	}
	return set
}
