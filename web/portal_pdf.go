package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"recoup/dunning"
	"recoup/store"
	"recoup/templates"
)

func nowUTC() time.Time { return time.Now().UTC() }

// todayIn is today's date on the customer's clock.
func todayIn(tz string) dunning.Date { return (dunning.Account{TimeZone: tz}).Today(time.Now()) }

// portalStatementPDF answers the statement as a PDF, made on request from
// the figures the email statement uses (app.PortalStatement).
func (h *Handler) portalStatementPDF(r *portalRequest) error {
	data, c, err := h.app.PortalStatement(r.c.Request.Context(), r.s, r.lang)
	if err != nil {
		return err
	}
	pdf, err := h.statementPDF(r.lang, c, data)
	if err != nil {
		return err
	}
	r.c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=\"statement-%s.pdf\"", safeFileName(c.ExternalID)))
	r.c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}

// safeFileName keeps letters, digits, dashes and dots of a name for a header.
func safeFileName(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < 64; i++ {
		if b := s[i]; b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '.' || b == '_' {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return "account"
	}
	return string(out)
}

// statementPDF lays out the statement: the entity and the customer, every
// open item, the totals per currency. fpdf's core fonts are cp1252: text
// goes through its translator, so accented Latin letters print and other
// scripts show as '?' (README "Customer portal").
func (h *Handler) statementPDF(lang string, c store.PortalCustomer, d templates.Data) ([]byte, error) {
	t := func(key string, args ...any) string { return h.catalog.text(lang, key, args...) }
	p := &Page{Lang: lang, cat: h.catalog}
	pdf := fpdf.New("P", "mm", "A4", "")
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	// Thin and no-break spaces (French amounts) are not in cp1252: plain spaces.
	spaces := strings.NewReplacer("\u202f", " ", "\u00a0", " ")
	tr := func(s string) string { return cp1252(spaces.Replace(s)) }
	pdf.SetTitle(tr(t("portal.pdf.title")), false)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(t("portal.pdf.page", pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 8, tr(c.EntityName), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.CellFormat(0, 6, tr(t("portal.pdf.title")+" · "+d.Today), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, tr(c.Name+" ("+c.ExternalID+")"), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	widths := []float64{30, 38, 26, 26, 20, 40}
	head := []string{t("portal.col.kind"), t("portal.col.number"), t("portal.col.date"), t("portal.col.due"), t("portal.col.days"), t("portal.col.open")}
	header := func() {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.SetFillColor(230, 230, 230)
		for i, s := range head {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 7, tr(s), "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
	}
	header()
	for _, it := range d.Statement {
		if pdf.GetY() > 270 {
			pdf.AddPage()
			header()
		}
		due, days := "", ""
		if it.IsInvoice() {
			due = p.Date(it.DueDate)
			if it.DaysOverdue > 0 {
				days = fmt.Sprint(it.DaysOverdue)
			}
		}
		cells := []string{t("portal.kind." + it.Kind), it.Number, p.Date(it.Date), due, days, p.Money(it.Open)}
		for i, s := range cells {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 6, tr(s), "", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	for _, b := range d.Balances {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(0, 6, tr(t("portal.pdf.totals", b.Currency)), "T", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		for _, row := range [][2]string{{t("portal.total.outstanding"), p.Money(b.Outstanding)}, {t("portal.total.overdue"), p.Money(b.Overdue)},
			{t("portal.total.credits"), p.Money(b.Credits)}, {t("portal.total.net"), p.Money(b.NetDue)}} {
			pdf.CellFormat(140, 6, tr(row[0]), "", 0, "L", false, 0, "")
			pdf.CellFormat(40, 6, tr(row[1]), "", 1, "R", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
