package templates

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
)

// Report names the weekly report email sent to a report's recipients. Like
// the digest it is not a customer message: it ships in ReportLanguages, any
// other language reads English.
const Report = "report"

// ReportLanguages are the languages the weekly report ships in.
var ReportLanguages = []string{"en", "fr"}

// ReportData is what the weekly report's templates read; amounts and
// ratios come formatted for the report's language.
type ReportData struct {
	Name     string // the report's name
	AsOf     string // YYYY-MM-DD
	Entity   string // "": every entity of the perimeter
	Currency string // the reporting currency
	// Buckets are the aged balance's total in the reporting currency: not
	// due, 1–30, 31–60, 61–90, 91–120, over 120 days past due.
	Buckets        [6]string
	Credits, Total string
	Overdue        string // the buckets past due
	Over60Share    string // percent of open invoices; "": undefined
	DSO            string // days; "": undefined
	Missing        []string
	Top            []ReportTop
	Disputes       ReportDisputes
	Link           string // the app's URL; "": none
}

// ReportTop is one of the most overdue customers.
type ReportTop struct {
	Rank               int
	Name, Entity       string
	Overdue, Reporting string // in their currency, and converted
	Days               int    // of their oldest overdue invoice
}

// ReportDisputes are the disputes opened in the period and their resolution times.
type ReportDisputes struct {
	From, To                  string
	Opened, Decided, Breached int
	AvgDays, P90Days          string // "": none decided
	Reasons                   []ReportReason
}

// ReportReason is one reason's disputes.
type ReportReason struct {
	Reason, Department string
	Opened, Decided    int
	AvgDays            string
}

//go:embed report
var reportFS embed.FS

type reportTemplates struct {
	text *template.Template
	html *htmltemplate.Template
}

var reportSet = func() map[string]reportTemplates {
	out := map[string]reportTemplates{}
	for _, l := range ReportLanguages {
		txt, err := reportFS.ReadFile("report/" + l + ".txt")
		if err != nil {
			panic(err)
		}
		page, err := reportFS.ReadFile("report/" + l + ".html")
		if err != nil {
			panic(err)
		}
		out[l] = reportTemplates{
			text: template.Must(template.New(l).Option("missingkey=error").Parse(string(txt))),
			html: htmltemplate.Must(htmltemplate.New(l).Option("missingkey=error").Parse(string(page))),
		}
	}
	return out
}()

// RenderReport renders the weekly report in lang (its base language;
// English when the report does not ship in it): the subject is the text's
// first line, then the text and the HTML bodies.
func RenderReport(lang string, d ReportData) (subject, text, html string, err error) {
	t, ok := reportSet[baseOrEmpty(lang)]
	if !ok {
		t = reportSet[FallbackLanguage]
	}
	var b strings.Builder
	if err := t.text.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("template %s/%s.txt: %w", Report, t.text.Name(), err)
	}
	subject, text, _ = strings.Cut(b.String(), "\n")
	var h strings.Builder
	if err := t.html.Execute(&h, d); err != nil {
		return "", "", "", fmt.Errorf("template %s/%s.html: %w", Report, t.html.Name(), err)
	}
	return strings.TrimSpace(subject), tidyText(text), h.String(), nil
}
