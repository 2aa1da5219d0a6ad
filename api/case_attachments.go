package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/store"
)

type attachmentView struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	CommentID   *int64    `json:"comment_id"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	DownloadURL string    `json:"download_url"`
}

func toAttachment(at store.CaseAttachment) attachmentView {
	return attachmentView{ID: at.ID, CaseID: at.CaseID, CommentID: at.CommentID, FileName: at.FileName, ContentType: at.ContentType,
		Size: at.Size, SHA256: at.SHA256, UploadedBy: at.UploadedBy, UploadedAt: at.UploadedAt.UTC(),
		DownloadURL: AttachmentURL(at.CaseID, at.ID)}
}

// AttachmentURL is where a case's file is downloaded (the web pages link to it too).
func AttachmentURL(caseID, id int64) string {
	return fmt.Sprintf("/api/v1/cases/%d/attachments/%d", caseID, id)
}

// maxFormValue bounds a text part of the upload form (the comment).
const maxFormValue = 64 << 10

// attachCase takes a multipart form: one or more "file" parts, an optional
// "text" (a comment the files belong to) and "mentions" parts. Each file is
// read up to the limit and one byte more (what is beyond is refused without
// being read); the use case checks everything and records all or nothing.
func (s *Server) attachCase(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	max := s.app.AttachmentMax()
	LongRequest(c.Writer, UploadTime)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.app.AttachmentBodyLimit())
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mediaType != "multipart/form-data" {
		return domain.FieldError("body", "want multipart/form-data with one or more \"file\" parts, not %q", mediaType)
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return domain.FieldError("body", "bad multipart form: %v", err)
	}
	var comment app.CommentRequest
	var files []app.AttachmentUpload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return multipartError(err)
		}
		switch part.FormName() {
		case "file":
			if len(files) == app.MaxAttachmentsPerNote {
				return domain.FieldError("file", "at most %d files at once", app.MaxAttachmentsPerNote)
			}
			data, err := readPart(part, max+1)
			if err != nil {
				return err
			}
			files = append(files, app.AttachmentUpload{Name: rawFileName(part), Data: data})
		case "text", "mentions":
			v, err := readPart(part, maxFormValue+1)
			if err != nil {
				return err
			}
			if len(v) > maxFormValue {
				return domain.FieldError(part.FormName(), "at most %d bytes", maxFormValue)
			}
			if part.FormName() == "text" {
				comment.Text = string(v)
			} else {
				comment.Mentions = append(comment.Mentions, string(v))
			}
		default:
			return domain.FieldError(part.FormName(), "unknown part: want file, text or mentions")
		}
	}
	note, err := s.app.AddCaseAttachments(c.Request.Context(), principal(c), id, comment, files)
	if err != nil {
		return err
	}
	var cm *commentView
	if note.Comment != nil {
		v := toComment(*note.Comment)
		cm = &v
	}
	c.JSON(http.StatusCreated, gin.H{"comment": cm, "attachments": mapSlice(note.Attachments, toAttachment)})
	return nil
}

// readPart reads at most limit bytes of a part.
func readPart(part *multipart.Part, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(part, limit))
	if err != nil {
		return nil, multipartError(err)
	}
	return data, nil
}

// multipartError is a body too large as such (413), else a form that cannot be read (400).
func multipartError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return domain.FieldError("body", "bad multipart form: %v", err)
}

// rawFileName is the file name a part was sent with, as sent: Part.FileName
// keeps only its last element, and a name with a path is to be refused, not
// quietly changed.
func rawFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName()
	}
	return params["filename"]
}

// listCaseAttachments lists a case's files, oldest first.
func (s *Server) listCaseAttachments(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	list, err := s.app.CaseAttachments(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"attachments": mapSlice(list, toAttachment)})
	return nil
}

// attachmentPolicy forbids a downloaded file everything, should a browser
// ever show it: no script, no plugin, no frame, a sandboxed origin.
const attachmentPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'"

// downloadCaseAttachment sends one file of a case as a download, never to
// be shown inline: Content-Disposition attachment with its name (RFC 6266),
// the type sniffed when it was stored, nosniff and a sandbox policy.
func (s *Server) downloadCaseAttachment(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	aid, err := pathID(c, "aid")
	if err != nil {
		return err
	}
	at, content, err := s.app.CaseAttachment(c.Request.Context(), principal(c), id, aid)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", attachmentDisposition(at.FileName))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", attachmentPolicy)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	c.Data(http.StatusOK, downloadType(at.ContentType), content)
	return nil
}

// downloadType is the type a file is served with: the allowed type it was
// stored with (text in UTF-8, as checked), else application/octet-stream.
func downloadType(stored string) string {
	for _, t := range app.AttachmentTypes {
		if t.ContentType == stored {
			if strings.HasPrefix(stored, "text/") {
				return stored + "; charset=utf-8"
			}
			return stored
		}
	}
	return "application/octet-stream"
}

// attachmentDisposition is `attachment` with the file's name twice (RFC
// 6266): an ASCII fallback in filename (anything else, quotes and
// backslashes as _) and the exact name, UTF-8 percent-encoded, in filename*.
func attachmentDisposition(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar: the bytes RFC 8187 lets an extended value carry unescaped.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
