package api

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/importer"
)

// createImport takes an ERP file as the raw body (Content-Type text/csv or
// application/json) or as the "file" part of a multipart form, and streams
// it into the import: nothing holds the whole file in memory.
func (s *Server) createImport(c *gin.Context) error {
	if err := queryParams(c, "kind", "format"); err != nil {
		return err
	}
	if _, err := importer.ParseKind(c.Query("kind")); err != nil {
		return domain.FieldError("kind", "%v", err) // before reading a body that cannot be imported
	}
	LongRequest(c.Writer, UploadTime)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxFile)
	body, name, contentType, err := importBody(c)
	if err != nil {
		return err
	}
	format, err := importFormat(c.Query("format"), contentType)
	if err != nil {
		return err
	}
	res, err := s.app.Import(c.Request.Context(), principal(c), app.ImportRequest{Kind: c.Query("kind"), Format: format, Name: name, Body: body})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, importView{Result: res.Result, AccountsToWake: res.Woken.Accounts, WakeWorkflowID: res.Woken.WorkflowID,
		WakeError: res.Woken.Error})
	return nil
}

// importView is the import's result and the wake-up of the accounts it touched.
type importView struct {
	importer.Result
	AccountsToWake int    `json:"accounts_to_wake"`
	WakeWorkflowID string `json:"wake_workflow_id,omitempty"`
	// WakeError says why the accounts could not be woken (the import itself is committed).
	WakeError string `json:"wake_error,omitempty"`
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
