package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
	"recoup/templates"
)

// Where a template of the effective set comes from.
const (
	sourceDefault = "default" // shipped in the binary
	sourceCustom  = "custom"  // saved through the API, replacing or adding to the defaults
)

type templateView struct {
	Name      string     `json:"name"`
	Channel   string     `json:"channel"`
	Language  string     `json:"language"`
	Subject   string     `json:"subject"`
	Text      string     `json:"text"`
	HTML      string     `json:"html"`
	Source    string     `json:"source"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

type templateRequest struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

func defaultView(t templates.Template) templateView {
	return templateView{Name: t.Name, Channel: string(t.Channel), Language: t.Language, Subject: t.Subject, Text: t.Text, HTML: t.HTML, Source: sourceDefault}
}

func customView(o store.TemplateOverride) templateView {
	v := defaultView(o.Template)
	at := o.UpdatedAt.UTC()
	v.Source, v.UpdatedAt, v.UpdatedBy = sourceCustom, &at, o.UpdatedBy
	return v
}

type templateKey struct{ name, channel, language string }

// effectiveTemplates is what reminders use: the shipped defaults with the
// saved templates laid over them, sorted by name, channel and language.
func (s *Server) effectiveTemplates(ctx context.Context) ([]templateView, error) {
	overrides, err := s.store.TemplateOverrideList(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[templateKey]templateView{}
	for _, t := range templates.Defaults() {
		byKey[templateKey{t.Name, string(t.Channel), t.Language}] = defaultView(t)
	}
	for _, o := range overrides {
		byKey[templateKey{o.Name, string(o.Channel), o.Language}] = customView(o)
	}
	out := make([]templateView, 0, len(byKey))
	for _, v := range byKey {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		return a.Language < b.Language
	})
	return out, nil
}

// checkStepTemplates refuses reminder steps (email, sms, voice) whose template
// has no version for the step's channel in the effective set (defaults plus
// saved templates), naming each such step's field: steps[i].template. Any
// language will do: the language is chosen per customer when sending.
func (s *Server) checkStepTemplates(ctx context.Context, steps []dunning.Step) error {
	list, err := s.effectiveTemplates(ctx)
	if err != nil {
		return err
	}
	known := map[string][]string{} // name → channels
	for _, v := range list {
		if chs := known[v.Name]; len(chs) == 0 || chs[len(chs)-1] != v.Channel {
			known[v.Name] = append(chs, v.Channel)
		}
	}
	var errs []error
	for i, st := range steps {
		if !st.Channel.IsReminder() || strings.TrimSpace(st.Template) == "" {
			continue // dunning.Scenario.Validate reports these
		}
		chs, ok := known[st.Template]
		switch {
		case !ok:
			errs = append(errs, domain.FieldError(fmt.Sprintf("steps[%d].template", i), "no template %q (known: %s)", st.Template, strings.Join(slices.Sorted(maps.Keys(known)), ", ")))
		case !slices.Contains(chs, string(st.Channel)):
			errs = append(errs, domain.FieldError(fmt.Sprintf("steps[%d].template", i), "template %q has no %s version (it has %s)", st.Template, st.Channel, strings.Join(chs, ", ")))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return joinedInvalid(errors.Join(errs...))
}

// knownTemplate reports whether set has a template called name for channel ch, in any language.
func knownTemplate(set *templates.Set, name string, ch domain.Channel) bool {
	for _, t := range set.Templates() {
		if t.Name == name && t.Channel == ch {
			return true
		}
	}
	return false
}

func (s *Server) listTemplates(c *gin.Context) {
	if err := queryParams(c, "name", "channel", "language", "source"); err != nil {
		s.fail(c, err)
		return
	}
	name, ch, lang, source := c.Query("name"), c.Query("channel"), c.Query("language"), c.Query("source")
	if ch != "" && !isTemplateChannel(ch) {
		s.fail(c, domain.FieldError("channel", "%q: want email, sms or voice", ch))
		return
	}
	if source != "" && source != sourceDefault && source != sourceCustom {
		s.fail(c, domain.FieldError("source", "%q: want default or custom", source))
		return
	}
	list, err := s.effectiveTemplates(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]templateView, 0, len(list))
	for _, v := range list {
		if (name == "" || v.Name == name) && (ch == "" || v.Channel == ch) && (lang == "" || v.Language == lang) && (source == "" || v.Source == source) {
			out = append(out, v)
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) getTemplate(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	k, err := templatePath(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.effectiveTemplates(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, v := range list {
		if v.Name == k.name && v.Channel == k.channel && v.Language == k.language {
			c.JSON(http.StatusOK, v)
			return
		}
	}
	s.fail(c, domain.Errorf(domain.CodeNotFound, "no template %s/%s/%s", k.name, k.channel, k.language))
}

func (s *Server) putTemplate(c *gin.Context) {
	k, err := templatePath(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t := templates.Template{Name: k.name, Channel: domain.Channel(k.channel), Language: k.language, Subject: req.Subject, Text: req.Text, HTML: req.HTML}
	if err := t.Validate(); err != nil {
		s.fail(c, templateInvalid(err))
		return
	}
	o, err := s.store.PutTemplate(c.Request.Context(), t, actor(c))
	if err != nil {
		s.fail(c, templateInvalid(err))
		return
	}
	c.JSON(http.StatusOK, customView(o))
}

func (s *Server) deleteTemplate(c *gin.Context) {
	k, err := templatePath(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.DeleteTemplate(c.Request.Context(), k.name, domain.Channel(k.channel), k.language, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// templatePath reads {name}/{channel}/{language}. The language must be a base
// language as templates are keyed ("fr", not "fr-CA" or "FR").
func templatePath(c *gin.Context) (templateKey, error) {
	k := templateKey{c.Param("name"), c.Param("channel"), c.Param("language")}
	if !isTemplateChannel(k.channel) {
		return k, domain.FieldError("channel", "%q: want email, sms or voice", k.channel)
	}
	probe := templates.Template{Name: k.name, Channel: domain.Channel(k.channel), Language: k.language, Text: "x"}
	if k.channel == string(domain.ChannelEmail) {
		probe.Subject, probe.HTML = "x", "x"
	}
	set, err := templates.NewSet(probe) // checks name and language, and gives the language as stored
	if err != nil {
		return k, templateInvalid(err)
	}
	if base := set.Templates()[0].Language; base != k.language {
		return k, domain.FieldError("language", "%q: use the base language %q", k.language, base)
	}
	return k, nil
}

// templateInvalid turns a template's validation error into a 400 naming the
// part (subject, text, html, or name/channel/language) and, in the message, the line.
func templateInvalid(err error) error {
	var ve *templates.ValidationError
	if errors.As(err, &ve) {
		return &domain.Error{Code: domain.CodeInvalid, Field: ve.Part, Message: ve.Error()}
	}
	return err
}

func isTemplateChannel(ch string) bool { return domain.Channel(ch).IsReminder() }
