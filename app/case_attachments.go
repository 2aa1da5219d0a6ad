package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig checks GIF attachments
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// DefaultAttachmentMaxBytes bounds one attached file when
// RECOUP_ATTACHMENT_MAX_BYTES is not set: 10 MiB.
const DefaultAttachmentMaxBytes = 10 << 20

// MaxAttachmentsPerNote is how many files one post to a case may attach.
const MaxAttachmentsPerNote = 10

// maxAttachmentName bounds a file name, in bytes (what file systems allow).
const maxAttachmentName = 255

// ParseAttachmentMax reads RECOUP_ATTACHMENT_MAX_BYTES ("": the default):
// a whole number of bytes, from 1 KiB to 1 GiB.
func ParseAttachmentMax(v string) (int64, error) {
	if v == "" {
		return DefaultAttachmentMaxBytes, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1<<10 || n > 1<<30 {
		return 0, fmt.Errorf("RECOUP_ATTACHMENT_MAX_BYTES: %q is not a number of bytes from 1024 to 1073741824", v)
	}
	return n, nil
}

// WithAttachmentMax sets the size limit of one attached file (bytes; DefaultAttachmentMaxBytes otherwise).
func WithAttachmentMax(n int64) Option { return func(a *App) { a.attachMax = n } }

// AttachmentMax is the size limit of one attached file, in bytes.
func (a *App) AttachmentMax() int64 { return a.attachMax }

// AttachmentBodyLimit bounds the body of a request that attaches files: the
// most files a post may carry at the limit, and room for the form around them.
func (a *App) AttachmentBodyLimit() int64 { return MaxAttachmentsPerNote*a.attachMax + 1<<20 }

// attachmentType is a kind of file Recoup accepts, by the type sniffed from
// its bytes and the extensions its name may have.
type attachmentType struct {
	ContentType string
	Extensions  []string
}

// Office's zip-based documents.
const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// AttachmentTypes is the allow-list: what a case's files may be.
var AttachmentTypes = []attachmentType{
	{"application/pdf", []string{".pdf"}},
	{"image/png", []string{".png"}},
	{"image/jpeg", []string{".jpg", ".jpeg"}},
	{"image/gif", []string{".gif"}},
	{"image/webp", []string{".webp"}},
	{"text/plain", []string{".txt"}},
	{"text/csv", []string{".csv"}},
	{"message/rfc822", []string{".eml"}},
	{docxType, []string{".docx"}},
	{xlsxType, []string{".xlsx"}},
}

// AttachmentExtensions lists the allowed extensions, for messages and help texts.
func AttachmentExtensions() string {
	var exts []string
	for _, t := range AttachmentTypes {
		exts = append(exts, t.Extensions...)
	}
	return strings.Join(exts, ", ")
}

// ValidateAttachment checks one file before it is stored and answers the
// content type to store and serve it with. It is pure: the same rules for
// the API, the web pages and the inbound mail. Refused, each with an
// invalid-input error on the field "file" that names the file and says why:
//   - a name that is empty, longer than 255 bytes, not UTF-8, with a path
//     separator (/ or \), "..", a control or bidirectional-override
//     character, or without an allowed extension (AttachmentTypes);
//   - an empty file, or one larger than max bytes (a caller reading a
//     stream may stop at max+1 bytes: the answer is the same);
//   - content whose type, sniffed from its bytes (net/http's sniffing plus
//     checks of PDF, PNG, JPEG, GIF, WebP, UTF-8 text, e-mail and the zip
//     structure of Office documents), is not allowed or does not match the
//     extension: HTML or SVG named .pdf or .png, a script named .txt, a
//     macro-enabled document named .docx.
func ValidateAttachment(name string, data []byte, max int64) (string, error) {
	bad := func(format string, args ...any) error {
		return domain.FieldError("file", "%q: %s", name, fmt.Sprintf(format, args...))
	}
	if err := attachmentName(name); err != "" {
		return "", bad("%s", err)
	}
	ext := strings.ToLower(path.Ext(name))
	want, ok := typeOfExtension(ext)
	if !ok {
		return "", bad("%s files are not allowed; allowed: %s", extOrNone(ext), AttachmentExtensions())
	}
	switch {
	case len(data) == 0:
		return "", bad("the file is empty")
	case int64(len(data)) > max:
		return "", bad("the file is larger than the limit of %d bytes", max)
	}
	got, why := sniffAttachment(data, ext)
	switch {
	case why != "":
		return "", bad("%s", why)
	case got != want:
		return "", bad("its content is %s, not what a %s file holds (%s)", got, ext, want)
	}
	return got, nil
}

// attachmentName says what is wrong with a file name ("": nothing).
func attachmentName(name string) string {
	switch {
	case name == "":
		return "a file name is required"
	case len(name) > maxAttachmentName:
		return fmt.Sprintf("the name is longer than %d bytes", maxAttachmentName)
	case !utf8.ValidString(name):
		return "the name is not valid UTF-8"
	case strings.ContainsAny(name, `/\`):
		return "the name contains a path separator (/ or \\)"
	case strings.Contains(name, ".."):
		return `the name contains ".."`
	case strings.TrimSpace(name) != name:
		return "the name starts or ends with a space"
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control, unicode.Zl, unicode.Zp) {
			return fmt.Sprintf("the name contains the control character %U", r)
		}
	}
	return ""
}

func extOrNone(ext string) string {
	if ext == "" {
		return "names without an extension:"
	}
	return ext
}

func typeOfExtension(ext string) (string, bool) {
	for _, t := range AttachmentTypes {
		for _, e := range t.Extensions {
			if e == ext {
				return t.ContentType, true
			}
		}
	}
	return "", false
}

// sniffAttachment answers the type of data by its bytes (ext only tells apart
// kinds of UTF-8 text: plain, CSV, e-mail), or why it is refused.
func sniffAttachment(data []byte, ext string) (string, string) {
	detected, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch detected {
	case "application/pdf":
		return detected, ""
	case "image/png", "image/jpeg", "image/gif":
		if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
			return "", fmt.Sprintf("it starts like %s but is not a readable image (%v)", detected, err)
		}
		return detected, ""
	case "image/webp":
		return detected, ""
	case "application/zip":
		return officeType(data)
	case "text/plain":
		return textType(data, ext)
	}
	return detected, ""
}

// officeType tells a Word or Excel document from another zip; macros are refused.
func officeType(data []byte) (string, string) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", "it starts like a zip archive but is not a readable one"
	}
	has := map[string]bool{}
	for _, f := range z.File {
		has[f.Name] = true
		if strings.HasSuffix(strings.ToLower(f.Name), "vbaproject.bin") {
			return "", "the document contains macros, which are not allowed"
		}
	}
	switch {
	case !has["[Content_Types].xml"]:
		return "application/zip", ""
	case has["word/document.xml"]:
		return docxType, ""
	case has["xl/workbook.xml"]:
		return xlsxType, ""
	}
	return "application/zip", ""
}

// textType checks text: UTF-8 throughout, no binary control characters, no
// markup (HTML, SVG, XML: a browser could run what it holds), and for an
// e-mail, a message with a From header.
func textType(data []byte, ext string) (string, string) {
	if !utf8.Valid(data) {
		return "", "text that is not valid UTF-8"
	}
	for _, r := range string(data) {
		if r != '\t' && r != '\n' && r != '\r' && r != '\f' && unicode.IsControl(r) {
			return "", fmt.Sprintf("text with the control character %U: a binary file", r)
		}
	}
	lead := strings.TrimLeft(strings.TrimPrefix(string(data), "\uFEFF"), " \t\r\n\f")
	if strings.HasPrefix(lead, "<") {
		return "", "it looks like markup (HTML, SVG or XML), which is not allowed"
	}
	switch ext {
	case ".csv":
		return "text/csv", ""
	case ".eml":
		m, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil || m.Header.Get("From") == "" {
			return "text/plain", ""
		}
		return "message/rfc822", ""
	}
	return "text/plain", ""
}

// AttachmentUpload is a file someone (or an inbound e-mail) attaches to a case.
type AttachmentUpload struct {
	Name string
	Data []byte
}

// AddCaseAttachments attaches files to a case inside who's perimeter (who
// may comment on it), with a comment when comment.Text is not empty: each
// file is checked by ValidateAttachment against the deployment's limit
// (RECOUP_ATTACHMENT_MAX_BYTES), at most MaxAttachmentsPerNote at once.
// The comment and the files are recorded in one transaction and journaled
// ("case.comment", "case.attach"), the owner and the mentioned are
// notified, and the case's workflow is told as for a comment. A refusal
// (any file, the comment) leaves nothing behind.
func (a *App) AddCaseAttachments(ctx context.Context, who domain.Principal, caseID int64, comment CommentRequest,
	files []AttachmentUpload) (store.AddedCaseNote, error) {
	if _, err := a.visibleCase(ctx, who, auth.CasesComment, caseID); err != nil {
		return store.AddedCaseNote{}, err
	}
	switch {
	case len(files) == 0:
		return store.AddedCaseNote{}, domain.FieldError("file", "required: the file to attach")
	case len(files) > MaxAttachmentsPerNote:
		return store.AddedCaseNote{}, domain.FieldError("file", "at most %d files at once", MaxAttachmentsPerNote)
	}
	var errs []error
	checked := make([]store.NewAttachment, len(files))
	for i, f := range files {
		ct, err := ValidateAttachment(f.Name, f.Data, a.attachMax)
		errs = append(errs, err)
		checked[i] = store.NewAttachment{FileName: f.Name, ContentType: ct, Content: f.Data}
	}
	if err := domain.Invalid(errs...); err != nil {
		return store.AddedCaseNote{}, err
	}
	return a.addNote(ctx, who, caseID, comment, checked)
}

// CaseAttachments lists the files of a case inside who's perimeter, oldest first.
func (a *App) CaseAttachments(ctx context.Context, who domain.Principal, caseID int64) ([]store.CaseAttachment, error) {
	if _, err := a.visibleCase(ctx, who, auth.CasesRead, caseID); err != nil {
		return nil, err
	}
	return a.store.CaseAttachments(ctx, caseID)
}

// CaseAttachment answers one file of a case inside who's perimeter and its
// bytes, for download (never to be shown inline: see the README, "Attachments").
func (a *App) CaseAttachment(ctx context.Context, who domain.Principal, caseID, id int64) (store.CaseAttachment, []byte, error) {
	if _, err := a.visibleCase(ctx, who, auth.CasesRead, caseID); err != nil {
		return store.CaseAttachment{}, nil, err
	}
	return a.store.CaseAttachment(ctx, caseID, id)
}
