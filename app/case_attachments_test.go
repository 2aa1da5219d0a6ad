package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

// sample files of each kind, built as their programs write them.
func pngFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func jpegFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2)), nil))
	return buf.Bytes()
}

func gifFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White}), nil))
	return buf.Bytes()
}

// zipFile is a zip archive holding names (each with a line of XML).
func zipFile(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		require.NoError(t, err)
		_, err = f.Write([]byte(`<?xml version="1.0"?><x/>`))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

var (
	pdfFile  = []byte("%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")
	webpFile = append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"), make([]byte, 13)...)
	emlFile  = []byte("From: Buyer <buyer@customer.example>\r\nTo: ar@seller.example\r\nSubject: Re: invoice F-1\r\n\r\nWe never received pallet 3.\r\n")
	svgFile  = []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>`)
	htmlFile = []byte("<!DOCTYPE html><html><body><script>fetch('/api/v1/tokens')</script></body></html>")
)

func TestValidateAttachmentAcceptsWhatTheAllowListNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"delivery note.pdf", pdfFile, "application/pdf"},
		{"photo.PNG", pngFile(t), "image/png"},
		{"photo.jpeg", jpegFile(t), "image/jpeg"},
		{"photo.jpg", jpegFile(t), "image/jpeg"},
		{"anim.gif", gifFile(t), "image/gif"},
		{"photo.webp", webpFile, "image/webp"},
		{"notes.txt", []byte("Pallet 3 missing.\r\nSee photo.\n"), "text/plain"},
		{"compte rendu é.txt", []byte("\uFEFFLivraison incomplète : palette 3.\n"), "text/plain"},
		{"count.csv", []byte("pallet,count\nA,10\nB,<12>\n"), "text/csv"},
		{"reply.eml", emlFile, "message/rfc822"},
		{"letter.docx", zipFile(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"prices.xlsx", zipFile(t, "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	} {
		got, err := app.ValidateAttachment(tc.name, tc.data, app.DefaultAttachmentMaxBytes)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

// hostileFiles are refused, each with an error on the field file that names
// the file and says why.
var hostileFiles = []struct {
	why  string
	name string
	data func(t *testing.T) []byte
	says string
}{
	{"empty", "empty.pdf", func(*testing.T) []byte { return nil }, "the file is empty"},
	{"too big", "big.pdf", func(*testing.T) []byte { return append(pdfFile, bytes.Repeat([]byte(" "), 2048)...) }, "larger than the limit of 1024 bytes"},
	{"a path", "../../etc/passwd.txt", func(*testing.T) []byte { return []byte("root") }, "path separator"},
	{"a Windows path", `C:\Users\x\invoice.pdf`, func(*testing.T) []byte { return pdfFile }, "path separator"},
	{"dot dot", "..pdf", func(*testing.T) []byte { return pdfFile }, `contains ".."`},
	{"a control character", "in\x00voice.pdf", func(*testing.T) []byte { return pdfFile }, "control character U+0000"},
	{"a newline", "in\nvoice.pdf", func(*testing.T) []byte { return pdfFile }, "control character U+000A"},
	{"a right-to-left override", "invoice\u202Efdp.exe", func(*testing.T) []byte { return pdfFile }, "control character U+202E"},
	{"no name", "", func(*testing.T) []byte { return pdfFile }, "a file name is required"},
	{"no extension", "invoice", func(*testing.T) []byte { return pdfFile }, "names without an extension: files are not allowed"},
	{"an executable", "setup.exe", func(*testing.T) []byte { return []byte("MZ\x90\x00\x03") }, ".exe files are not allowed; allowed: .pdf, .png"},
	{"an SVG", "logo.svg", func(*testing.T) []byte { return svgFile }, ".svg files are not allowed"},
	{"HTML", "page.html", func(*testing.T) []byte { return htmlFile }, ".html files are not allowed"},
	{"HTML disguised as PDF", "invoice.pdf", func(*testing.T) []byte { return htmlFile }, "its content is text/html, not what a .pdf file holds (application/pdf)"},
	{"HTML disguised as PNG", "photo.png", func(*testing.T) []byte { return htmlFile }, "its content is text/html, not what a .png file holds"},
	{"SVG with a script disguised as PNG", "photo.png", func(*testing.T) []byte { return svgFile }, "looks like markup"},
	{"SVG with a script disguised as text", "notes.txt", func(*testing.T) []byte { return svgFile }, "looks like markup"},
	{"a script disguised as text", "notes.txt", func(*testing.T) []byte { return []byte("<script>alert(1)</script>") }, "its content is text/html"},
	{"XML disguised as CSV", "data.csv", func(*testing.T) []byte { return []byte(`<?xml version="1.0"?><a/>`) }, "its content is text/xml"},
	{"a PNG named PDF", "invoice.pdf", pngFile, "its content is image/png, not what a .pdf file holds"},
	{"a PDF named JPEG", "photo.jpg", func(*testing.T) []byte { return pdfFile }, "its content is application/pdf"},
	{"a PNG header on junk", "photo.png", func(*testing.T) []byte { return []byte("\x89PNG\r\n\x1a\n<html><script>x</script>") }, "not a readable image"},
	{"a binary named text", "notes.txt", func(*testing.T) []byte { return []byte("MZ\x00\x00\x01\x02binary") }, "its content is application/octet-stream"},
	{"Latin-1 text", "notes.txt", func(*testing.T) []byte { return []byte("caf\xe9 cr\xe8me") }, "not valid UTF-8"},
	{"a macro-enabled document", "letter.docx", func(t *testing.T) []byte {
		return zipFile(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")
	}, "contains macros"},
	{"a zip named docx", "letter.docx", func(t *testing.T) []byte { return zipFile(t, "payload.js") }, "its content is application/zip"},
	{"a spreadsheet named docx", "letter.docx", func(t *testing.T) []byte { return zipFile(t, "[Content_Types].xml", "xl/workbook.xml") },
		"its content is application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"text named eml", "reply.eml", func(*testing.T) []byte { return []byte("just some words") }, "its content is text/plain, not what a .eml file holds"},
}

func TestValidateAttachmentRefusesHostileFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileFiles {
		got, err := app.ValidateAttachment(tc.name, tc.data(t), 1024)
		require.Empty(t, got, tc.why)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), tc.why)
		var de *domain.Error
		require.ErrorAs(t, err, &de, tc.why)
		require.Equal(t, "file", de.Field, tc.why)
		require.Contains(t, err.Error(), tc.says, tc.why)
		require.True(t, strings.HasPrefix(err.Error(), "file: "), tc.why)
	}
}

func (b casesBundle) attachmentRows(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM case_attachments`).Scan(&n))
	return n
}

func (b casesBundle) commentRows(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM case_comments`).Scan(&n))
	return n
}

// Each hostile file, alone or beside a good one and a comment, is refused
// and leaves no row: no file, no comment, no journal entry.
func TestHostileAttachmentsLeaveNothingBehind(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	a := app.New(b.st, nil, nil, app.WithAttachmentMax(1024))
	ctx := context.Background()
	k := b.dispute(t, b.agent, "quantity", b.first)
	for _, tc := range hostileFiles {
		files := []app.AttachmentUpload{{Name: "good.pdf", Data: pdfFile}, {Name: tc.name, Data: tc.data(t)}}
		_, err := a.AddCaseAttachments(ctx, b.logistics, k.ID, app.CommentRequest{Text: "see attached"}, files)
		require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err), tc.why)
		require.Contains(t, err.Error(), tc.says, tc.why)
	}
	require.Zero(t, b.attachmentRows(t))
	require.Zero(t, b.commentRows(t))
	var journaled int
	require.NoError(t, b.st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE action IN ('case.comment', 'case.attach')`).Scan(&journaled))
	require.Zero(t, journaled)

	_, err := a.AddCaseAttachments(ctx, b.logistics, k.ID, app.CommentRequest{Text: "nothing attached"}, nil)
	require.ErrorContains(t, err, "file: required")
	many := make([]app.AttachmentUpload, app.MaxAttachmentsPerNote+1)
	for i := range many {
		many[i] = app.AttachmentUpload{Name: "a.pdf", Data: pdfFile}
	}
	_, err = a.AddCaseAttachments(ctx, b.logistics, k.ID, app.CommentRequest{}, many)
	require.ErrorContains(t, err, "file: at most 10 files at once")
	_, err = a.AddCaseAttachments(ctx, b.logistics, k.ID, app.CommentRequest{Text: strings.Repeat("x", 4001)},
		[]app.AttachmentUpload{{Name: "a.pdf", Data: pdfFile}})
	require.ErrorContains(t, err, "text: at most 4000 characters")
	require.Zero(t, b.attachmentRows(t))
}

// Files go under a comment or alone, by whoever may comment on the case, and
// are read back by whoever may see it; outside the perimeter, not found.
func TestAttachmentsFollowTheCasePerimeter(t *testing.T) {
	t.Parallel()
	b := setupCases(t)
	ctx := context.Background()
	k := b.dispute(t, b.agent, "quantity", b.first) // routed to logistics

	note, err := b.a.AddCaseAttachments(ctx, b.logistics, k.ID, app.CommentRequest{Text: "photo of pallet 3 @sam@example.com"},
		[]app.AttachmentUpload{{Name: "pallet 3.png", Data: pngFile(t)}, {Name: "count.csv", Data: []byte("pallet,count\n3,0\n")}})
	require.NoError(t, err)
	require.NotNil(t, note.Comment)
	require.Equal(t, []string{"sam@example.com"}, note.Comment.Mentions, "the comment's mentions, as for any comment")
	require.Equal(t, []string{"image/png", "text/csv"}, []string{note.Attachments[0].ContentType, note.Attachments[1].ContentType},
		"the sniffed types are stored")
	alone, err := b.a.AddCaseAttachments(ctx, b.sam, k.ID, app.CommentRequest{}, []app.AttachmentUpload{{Name: "order.pdf", Data: pdfFile}})
	require.NoError(t, err)
	require.Nil(t, alone.Comment, "a file alone makes no comment")

	d, err := b.a.Case(ctx, b.auditor, k.ID)
	require.NoError(t, err)
	require.Len(t, d.Comments, 1)
	require.Len(t, d.Attachments, 3)
	_, content, err := b.a.CaseAttachment(ctx, b.auditor, k.ID, alone.Attachments[0].ID)
	require.NoError(t, err)
	require.Equal(t, pdfFile, content)

	sales := domain.Principal{Role: domain.RoleDepartment, Department: domain.DepartmentSales, Email: "sales@example.com", AllEntities: true}
	_, err = b.a.CaseAttachments(ctx, sales, k.ID)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "another department does not see the case")
	_, _, err = b.a.CaseAttachment(ctx, sales, k.ID, alone.Attachments[0].ID)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = b.a.AddCaseAttachments(ctx, sales, k.ID, app.CommentRequest{}, []app.AttachmentUpload{{Name: "x.pdf", Data: pdfFile}})
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	_, err = b.a.AddCaseAttachments(ctx, b.auditor, k.ID, app.CommentRequest{}, []app.AttachmentUpload{{Name: "x.pdf", Data: pdfFile}})
	require.Equal(t, domain.CodeForbidden, domain.ErrorCode(err), "an auditor reads, never writes")
	require.Equal(t, 3, b.attachmentRows(t))

	var journal []string
	rows, err := b.st.Pool.Query(ctx, `SELECT action FROM audit_journal WHERE target = $1 ORDER BY seq`, store.CaseTarget(k.ID))
	require.NoError(t, err)
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		journal = append(journal, a)
	}
	require.Equal(t, []string{"case.open", "case.comment", "case.attach", "case.attach"}, journal)
}
