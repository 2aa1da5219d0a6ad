package api

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/importer"
)

// createImport takes an ERP file as the raw body (Content-Type text/csv or
// application/json) or as the "file" part of a multipart form, and streams
// it into the importer: nothing holds the whole file in memory.
func (s *Server) createImport(c *gin.Context) {
	if err := queryParams(c, "kind", "format"); err != nil {
		s.fail(c, err)
		return
	}
	kind, err := importer.ParseKind(c.Query("kind"))
	if err != nil {
		s.fail(c, domain.FieldError("kind", "%v", err))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxFile)
	body, name, contentType, err := importBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	format, err := importFormat(c.Query("format"), contentType)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.importer.Import(c.Request.Context(), kind, format, body, importer.Source{
		Name: name, Actor: actor(c), RequestID: c.GetString(requestIDHeader),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	view := importView{Result: res}
	view.AccountsToWake, view.WakeWorkflowID, view.WakeError = s.wakeDunning(c, res)
	c.JSON(http.StatusOK, view)
}

// importView is the import's result and the wake-up of the accounts it touched.
type importView struct {
	importer.Result
	AccountsToWake int    `json:"accounts_to_wake"`
	WakeWorkflowID string `json:"wake_workflow_id,omitempty"`
	// WakeError says why the accounts could not be woken (the import itself is committed).
	WakeError string `json:"wake_error,omitempty"`
}

// wakeDunning starts the durable wake-up (WakeAccounts workflow) of every
// account whose invoices the import changed. The import has committed
// whatever happens here; an account missed now is woken by the daily sweep.
func (s *Server) wakeDunning(c *gin.Context, res importer.Result) (int, string, string) {
	if !res.ChangesDunning() {
		return 0, "", ""
	}
	if s.control == nil {
		return 0, "", "this API process has no Temporal connection: dunning was not woken"
	}
	ctx := c.Request.Context()
	n, err := s.store.CountTouchedCustomers(ctx, res.ImportID)
	if err != nil {
		s.log.ErrorContext(ctx, "accounts touched by import", "import", res.ImportID, "err", err)
		return 0, "", "could not count the accounts the import touched; the daily sweep wakes them"
	}
	if n == 0 {
		return 0, "", ""
	}
	id, err := s.control.WakeImport(ctx, res.ImportID)
	if err != nil {
		s.log.ErrorContext(ctx, "wake dunning after import", "import", res.ImportID, "err", err)
		return n, "", "Temporal did not take the wake-up; the daily sweep wakes these accounts"
	}
	return n, id, ""
}

func importBody(c *gin.Context) (io.Reader, string, string, error) {
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mediaType != "multipart/form-data" {
		return c.Request.Body, "api", mediaType, nil
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, "", "", domain.FieldError("body", "bad multipart form: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, "", "", domain.FieldError("file", "the form has no part named \"file\"")
		}
		if part.FormName() == "file" {
			pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			if strings.HasSuffix(strings.ToLower(part.FileName()), ".json") {
				pt = "application/json"
			}
			return part, "api:" + part.FileName(), pt, nil
		}
	}
}

func importFormat(param, contentType string) (importer.Format, error) {
	if param != "" {
		f, err := importer.ParseFormat(param)
		if err != nil {
			return "", domain.FieldError("format", "%v", err)
		}
		return f, nil
	}
	switch contentType {
	case "application/json":
		return importer.JSON, nil
	case "text/csv", "application/csv", "text/plain", "", "application/octet-stream":
		return importer.CSV, nil
	}
	return "", domain.FieldError("format", "cannot tell the format from Content-Type %q: send text/csv or application/json, or ?format=", contentType)
}
