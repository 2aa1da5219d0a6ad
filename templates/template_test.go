package templates

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

func emailTemplate(subject, text, html string) Template {
	return Template{Name: "custom", Channel: domain.ChannelEmail, Language: "en", Subject: subject, Text: text, HTML: html}
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	const okSubject, okText, okHTML = "Hello {{.Customer.Name}}", "Dear {{.Customer.Name}}", "<p>Dear {{.Customer.Name}}</p>"
	tests := []struct {
		name     string
		tmpl     Template
		part     string
		line     int
		contains string // in the error message
	}{
		{"unknown field in text", emailTemplate(okSubject, "Dear customer,\n\n{{.Nope}}", okHTML),
			"text", 3, "can't evaluate field Nope in type templates.Data"},
		{"unknown field in html", emailTemplate(okSubject, okText, "<p>\n{{range .Invoices}}{{.Nope}}{{end}}</p>"),
			"html", 2, "can't evaluate field Nope in type templates.Invoice"},
		{"unknown field in subject", emailTemplate("Hi {{.Customer.Nope}}", okText, okHTML),
			"subject", 1, "can't evaluate field Nope"},
		{"if without condition", emailTemplate(okSubject, okText, "<p>\n\n{{if}}x{{end}}</p>"),
			"html", 3, "missing value for if"},
		{"unclosed action", emailTemplate(okSubject, "{{if .PortalURL}}x", okHTML),
			"text", 1, "unexpected EOF"},
		{"unknown function", emailTemplate(okSubject, okText, "{{euros .Totals}}"),
			"html", 1, `function "euros" not defined`},
		{"wrong argument type", emailTemplate(okSubject, "{{money .Customer.Name}}", okHTML),
			"text", 1, "wrong type for value"},
		{"index past the sample's single invoice", emailTemplate(okSubject, "{{(index .Invoices 1).Number}}", okHTML),
			"text", 1, "1 invoice in KWD"},
		{"html branches in different contexts", emailTemplate(okSubject, okText, `{{if .PortalURL}}<a href="{{else}}<b>{{end}}`),
			"html", 1, "branches end in different contexts"},
		{"empty subject", emailTemplate("  ", okText, okHTML), "subject", 0, "is empty"},
		{"subject rendering empty", emailTemplate("{{if false}}x{{end}}", okText, okHTML), "subject", 0, "renders empty"},
		{"email without html", emailTemplate(okSubject, okText, ""), "html", 0, "is empty"},
		{"sms with a subject", Template{Name: "x", Channel: domain.ChannelSMS, Language: "en", Subject: "s", Text: "t"},
			"subject", 0, "only email"},
		{"voice with html", Template{Name: "x", Channel: domain.ChannelVoice, Language: "en", Text: "t", HTML: "<p>"},
			"html", 0, "only email"},
		{"sms too long", Template{Name: "x", Channel: domain.ChannelSMS, Language: "en", Text: "{{range 1700}}x{{end}}"},
			"text", 0, "may not exceed 1600 characters"},
		{"runaway output", Template{Name: "x", Channel: domain.ChannelVoice, Language: "en", Text: "{{range 2000000}}x{{end}}"},
			"text", 0, "renders to more than"},
		{"bad channel", Template{Name: "x", Channel: "fax", Language: "en", Text: "t"}, "channel", 0, "want email, sms or voice"},
		{"bad language", Template{Name: "x", Channel: domain.ChannelSMS, Language: "english!", Text: "t"}, "language", 0, "not a BCP 47"},
		{"no language", Template{Name: "x", Channel: domain.ChannelSMS, Text: "t"}, "language", 0, "is empty"},
		{"bad name", Template{Name: "Reminder 1", Channel: domain.ChannelSMS, Language: "en", Text: "t"}, "name", 0, "lower-case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.tmpl.Validate()
			require.Error(t, err)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "%T: %v", err, err)
			require.Equal(t, tt.part, ve.Part, err.Error())
			require.Equal(t, tt.line, ve.Line, err.Error())
			require.Contains(t, err.Error(), tt.contains)
			// The message names the part, and the line when known.
			want := tt.part
			if tt.part == "subject" || tt.part == "text" || tt.part == "html" {
				want += " part"
			}
			if tt.line > 0 {
				want += ", line " + strconv.Itoa(tt.line)
			}
			require.Contains(t, err.Error(), want)
			// A set refuses it too.
			_, err = NewSet(tt.tmpl)
			require.Error(t, err)
		})
	}
}

func TestValidateErrorMessage(t *testing.T) {
	t.Parallel()
	err := Template{Name: "reminder_1", Channel: domain.ChannelSMS, Language: "fr", Text: "Bonjour\n{{.Nope}}"}.Validate()
	require.EqualError(t, err, `template reminder_1/sms/fr: text part, line 2: <.Nope>: can't evaluate field Nope in type templates.Data (with sample data: 3 invoices in EUR and JPY)`)
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	for _, tmpl := range []Template{
		{Name: "reminder_1", Channel: domain.ChannelSMS, Language: "pt-BR", Text: "{{.Entity.Name}}: {{len .Invoices}} {{plural (len .Invoices) \"fatura\" \"faturas\"}}, {{moneyList .Totals}}. {{date (index .Invoices 0).DueDate}}"},
		{Name: "my-step_2", Channel: domain.ChannelVoice, Language: "EN", Text: "Hello {{.Customer.Name}}. {{spokenMoneyList .Totals}}."},
		{Name: "x", Channel: domain.ChannelEmail, Language: "de-CH", Subject: "{{.Entity.Name}}", Text: "{{.Today}}",
			HTML: `{{range .Invoices}}<p>{{.Number}} {{shortDate .DueDate}} {{money .Amount}}</p>{{end}}{{with .PortalURL}}<a href="{{.}}">pay</a>{{end}}`},
	} {
		require.NoError(t, tmpl.Validate(), tmpl.id())
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	t.Parallel()
	s, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := testData()
	d.Customer.Name = `<script>alert("x")</script> & Co`
	d.Entity.Name = `Acme "<b>" SAS`
	d.PortalURL = `javascript:alert(1)`
	d.AgentEmail = `"><img src=x onerror=alert(1)>@example.com`
	d.Invoices[0].Number = `<img src=x onerror=alert(2)>`
	d.Statement[0].Number = d.Invoices[0].Number
	for _, lang := range DefaultLanguages() {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			r, used, err := s.Render(Reminder1, domain.ChannelEmail, lang, "", d)
			require.NoError(t, err)
			require.Equal(t, lang, used)
			require.NotContains(t, r.HTML, "<script>")
			require.NotContains(t, r.HTML, "<img")
			require.NotContains(t, r.HTML, "<b>")
			require.NotContains(t, r.HTML, "javascript:")
			require.Contains(t, r.HTML, "&lt;script&gt;")
			require.Contains(t, r.HTML, "&amp; Co")
			require.Contains(t, r.HTML, "&lt;img src=x onerror=alert(2)&gt;")
			// Plain text is plain: the name as typed.
			require.Contains(t, r.Text, d.Customer.Name)
		})
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	s, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := testData()
	d.Entity.Name = "Acme\r\nBcc: victim@example.com"
	r, _, err := s.Render(Reminder1, domain.ChannelEmail, "en", "", d)
	require.NoError(t, err)
	require.NotContains(t, r.Subject, "\n")
	require.NotContains(t, r.Subject, "\r")
	require.Contains(t, r.Subject, "Acme Bcc: victim@example.com")
}

func TestRenderLanguageFallback(t *testing.T) {
	t.Parallel()
	defaults, err := NewSet(Defaults()...)
	require.NoError(t, err)
	frOnly, err := NewSet(Template{Name: Reminder1, Channel: domain.ChannelSMS, Language: "fr", Text: "fr {{.Entity.Name}}"})
	require.NoError(t, err)
	tests := []struct {
		name               string
		set                *Set
		customer, entity   string
		want               string
		wantErr            error
		wantErrMsgContains string
	}{
		{"customer language", defaults, "de", "fr", "de", nil, ""},
		{"customer sv falls back to entity fr", defaults, "sv", "fr", "fr", nil, ""},
		{"customer sv, entity sv: English", defaults, "sv", "sv-SE", "en", nil, ""},
		{"customer pt-PT gets Portuguese", defaults, "pt-PT", "fr", "pt", nil, ""},
		{"customer pl gets Polish", defaults, "pl", "en", "pl", nil, ""},
		{"customer ar-KW gets Arabic", defaults, "ar-KW", "en", "ar", nil, ""},
		{"customer ja-JP gets Japanese", defaults, "ja-JP", "en", "ja", nil, ""},
		{"entity language pt when the customer's has none", defaults, "sv", "pt", "pt", nil, ""},
		{"regional tag uses its base language", defaults, "fr-CA", "en", "fr", nil, ""},
		{"underscore and case", defaults, "NL_be", "", "nl", nil, ""},
		{"nothing given: English", defaults, "", "", "en", nil, ""},
		{"garbage: English", defaults, "!!", "??", "en", nil, ""},
		{"entity language when no English", frOnly, "pt", "fr", "fr", nil, ""},
		{"no language matches", frOnly, "pt", "de", "", ErrNoTemplate, `sms template "reminder_1" exists in fr, not in pt, de, en`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, lang, err := tt.set.Render(Reminder1, domain.ChannelSMS, tt.customer, tt.entity, testData())
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Contains(t, err.Error(), tt.wantErrMsgContains)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, lang)
			want, ok := tt.set.Lookup(Reminder1, domain.ChannelSMS, tt.want)
			require.True(t, ok)
			require.NotEmpty(t, r.Text)
			require.Equal(t, tt.want, want.Language)
		})
	}
}

func TestRenderUnknown(t *testing.T) {
	t.Parallel()
	s, err := NewSet(Template{Name: "only_sms", Channel: domain.ChannelSMS, Language: "en", Text: "hi"})
	require.NoError(t, err)

	_, _, err = s.Render("reminder_9", domain.ChannelSMS, "en", "en", testData())
	require.ErrorIs(t, err, ErrUnknownTemplate)
	require.EqualError(t, err, `unknown template "reminder_9" (known: only_sms)`)

	_, _, err = s.Render("only_sms", domain.ChannelEmail, "en", "en", testData())
	require.ErrorIs(t, err, ErrNoTemplate)
	require.Contains(t, err.Error(), `template "only_sms" has no email version`)
}

func TestRenderRuntimeError(t *testing.T) {
	t.Parallel()
	s, err := NewSet(Template{Name: "x", Channel: domain.ChannelSMS, Language: "en", Text: "{{(index .Invoices 0).Number}}"})
	require.NoError(t, err)
	d := testData()
	d.Invoices = nil
	_, _, err = s.Render("x", domain.ChannelSMS, "en", "", d)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "text", ve.Part)
	require.Contains(t, err.Error(), "index out of range")
}

func TestSetOverlay(t *testing.T) {
	t.Parallel()
	custom := Template{Name: Reminder1, Channel: domain.ChannelSMS, Language: "fr-FR", Text: "Custom {{.Entity.Name}}"}
	s, err := NewSet(append(Defaults(), custom)...)
	require.NoError(t, err)
	r, lang, err := s.Render(Reminder1, domain.ChannelSMS, "fr", "", testData())
	require.NoError(t, err)
	require.Equal(t, "fr", lang)
	require.Equal(t, "Custom Acme Distribution SAS", r.Text)
	// Other languages keep the defaults.
	r, _, err = s.Render(Reminder1, domain.ChannelSMS, "de", "", testData())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(r.Text, "Acme Distribution SAS: 3 Rechnungen"), r.Text)
	require.Len(t, s.Templates(), len(Defaults()))
}

func TestTidy(t *testing.T) {
	t.Parallel()
	require.Equal(t, "  a\n\nb\nc\n", tidyText("\n\n  a  \r\n\n\n\nb \nc\n\n")) // indentation is kept
	require.Equal(t, "", tidyText(" \n \n"))
	require.Equal(t, "a b\nc", tidySMS("  a   b \n\n\n c "))
	require.Equal(t, "Hello Gulf Trading Co. Bye... ok. Co.", tidyVoice("Hello Gulf Trading Co..\n Bye... ok.  Co.."))
}
