package web

import (
	"bytes"
	_ "embed"
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

// The statement's font: DejaVu Sans (Debian's fonts-dejavu-core 2.37, the
// Bitstream Vera licence, which allows embedding it: fonts/LICENSE-DejaVu).
// fpdf's core fonts are cp1252 and printed every other script as '?';
// DejaVu Sans has Latin, Greek and Cyrillic (README "Customer portal" says
// what it does not cover).
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// pdfFace is a font the statement is laid out in: its family, how a
// document registers it, and how text is made printable in it.
type pdfFace struct {
	family string
	add    func(pdf *fpdf.Fpdf)
	text   func(pdf *fpdf.Fpdf) func(string) string
}

// dejaVu is the statement's face. Narrow and no-break spaces (French
// amounts) become plain spaces, as wide as the columns expect (a cell never wraps).
var dejaVu = pdfFace{family: "DejaVu",
	add: func(pdf *fpdf.Fpdf) {
		pdf.AddUTF8FontFromBytes("DejaVu", "", dejaVuSans)
		pdf.AddUTF8FontFromBytes("DejaVu", "B", dejaVuSansBold)
	},
	text: func(*fpdf.Fpdf) func(string) string { return strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace },
}

// statementPDF lays out the statement: the entity and the customer, every
// open item, the totals per currency, in DejaVu Sans (UTF-8: fpdf embeds
// the subset of glyphs used, and maps them back to Unicode for copy and search).
func (h *Handler) statementPDF(lang string, c store.PortalCustomer, d templates.Data) ([]byte, error) {
	return h.statementPDFIn(dejaVu, lang, c, d)
}

// statementPDFIn lays out the statement in face (BenchmarkStatementFont
// compares faces on the same layout).
func (h *Handler) statementPDFIn(face pdfFace, lang string, c store.PortalCustomer, d templates.Data) ([]byte, error) {
	t := func(key string, args ...any) string { return h.catalog.text(lang, key, args...) }
	p := &Page{Lang: lang, cat: h.catalog}
	pdf := fpdf.New("P", "mm", "A4", "")
	face.add(pdf)
	tr := face.text(pdf)
	pdfFont := face.family
	pdf.SetTitle(t("portal.pdf.title"), true)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(pdfFont, "", 8)
		pdf.CellFormat(0, 5, tr(t("portal.pdf.page", pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont(pdfFont, "B", 16)
	pdf.CellFormat(0, 8, tr(c.EntityName), "", 1, "L", false, 0, "")
	pdf.SetFont(pdfFont, "", 11)
	pdf.CellFormat(0, 6, tr(t("portal.pdf.title")+" · "+d.Today), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, tr(c.Name+" ("+c.ExternalID+")"), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	widths := []float64{30, 38, 26, 26, 20, 40}
	head := []string{t("portal.col.kind"), t("portal.col.number"), t("portal.col.date"), t("portal.col.due"), t("portal.col.days"), t("portal.col.open")}
	header := func() {
		pdf.SetFont(pdfFont, "B", 9)
		pdf.SetFillColor(230, 230, 230)
		for i, s := range head {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 7, tr(s), "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(pdfFont, "", 9)
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
		pdf.SetFont(pdfFont, "B", 10)
		pdf.CellFormat(0, 6, tr(t("portal.pdf.totals", b.Currency)), "T", 1, "L", false, 0, "")
		pdf.SetFont(pdfFont, "", 10)
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
