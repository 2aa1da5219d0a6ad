package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

// formPart is one part of a multipart upload: a file (name set) or a value.
type formPart struct {
	field, name, contentType string
	data                     []byte
}

// multipartBody encodes parts as a browser or curl -F does.
func multipartBody(t *testing.T, parts ...formPart) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.name != "" {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.name))
			h.Set("Content-Type", p.contentType)
		} else {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q`, p.field))
		}
		pw, err := w.CreatePart(h)
		require.NoError(t, err)
		_, err = pw.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return w.FormDataContentType(), buf.String()
}

type commentBody struct {
	ID       int64    `json:"id"`
	Mentions []string `json:"mentions"`
}

type attachmentBody struct {
	ID          int64  `json:"id"`
	CommentID   *int64 `json:"comment_id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	DownloadURL string `json:"download_url"`
}

// Files go up with a comment or alone and come down as downloads that no
// browser renders: attachment, nosniff, sandboxed, the sniffed type.
func TestCaseAttachmentsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, f1, _ := b.caseIDs(t)
	opened := decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json",
		fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "quantity", "invoices": [{"invoice_id": %d}]}`, customer, f1),
		http.StatusCreated))
	path := fmt.Sprintf("/api/v1/cases/%d/attachments", opened.Case.ID)
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")

	ct, body := multipartBody(t, formPart{field: "text", data: []byte("the signed delivery note @alice@recoup.example")},
		formPart{field: "file", name: "bon de livraison n°3 \"signé\".pdf", contentType: "application/octet-stream", data: pdf},
		formPart{field: "file", name: "count.csv", contentType: "text/csv", data: []byte("pallet,count\nA,10\n")})
	added := decode[struct {
		Comment     *commentBody     `json:"comment"`
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodPost, path, ct, body, http.StatusCreated))
	require.NotNil(t, added.Comment)
	require.Equal(t, []string{"alice@recoup.example"}, added.Comment.Mentions)
	require.Len(t, added.Attachments, 2)
	pdfAt := added.Attachments[0]
	require.Equal(t, "application/pdf", pdfAt.ContentType, "the sniffed type, not the part's claim")
	require.Equal(t, added.Comment.ID, *pdfAt.CommentID)
	require.Equal(t, fmt.Sprintf("%s/%d", path, pdfAt.ID), pdfAt.DownloadURL)

	ct, body = multipartBody(t, formPart{field: "file", name: "notes.txt", contentType: "text/plain", data: []byte("called the driver")})
	alone := decode[struct {
		Comment     *commentBody     `json:"comment"`
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodPost, path, ct, body, http.StatusCreated))
	require.Nil(t, alone.Comment)
	require.Nil(t, alone.Attachments[0].CommentID)

	list := decode[struct {
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Len(t, list.Attachments, 3)
	got := decode[struct {
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", opened.Case.ID), "", "", http.StatusOK))
	require.Len(t, got.Attachments, 3, "the case carries its files")

	_, rec := b.serve(b.admin, http.MethodGet, pdfAt.DownloadURL, "", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, pdf, rec.Body.Bytes())
	h := rec.Header()
	require.Equal(t, "application/pdf", h.Get("Content-Type"))
	require.Equal(t, `attachment; filename="bon de livraison n_3 _sign__.pdf"; filename*=UTF-8''bon%20de%20livraison%20n%C2%B03%20%22sign%C3%A9%22.pdf`,
		h.Get("Content-Disposition"))
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Contains(t, h.Get("Content-Security-Policy"), "sandbox")
	require.Equal(t, fmt.Sprint(len(pdf)), h.Get("Content-Length"))
	b.do(t, http.MethodGet, alone.Attachments[0].DownloadURL, "", "", http.StatusOK)
	_, rec = b.serve(b.admin, http.MethodGet, alone.Attachments[0].DownloadURL, "", "")
	require.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))

	// Outside the perimeter: another department does not see the case, nor its files.
	sales := b.tokenFor(t, store.UserSpec{Email: "sales@recoup.example", Role: domain.RoleDepartment, Department: domain.DepartmentSales})
	b.doAs(t, sales, http.MethodGet, path, "", "", http.StatusNotFound)
	b.doAs(t, sales, http.MethodGet, pdfAt.DownloadURL, "", "", http.StatusNotFound)
	ct, body = multipartBody(t, formPart{field: "file", name: "x.pdf", contentType: "application/pdf", data: pdf})
	b.doAs(t, sales, http.MethodPost, path, ct, body, http.StatusNotFound)
	auditor := b.tokenFor(t, store.UserSpec{Email: "audit@recoup.example", Role: domain.RoleAuditor})
	b.doAs(t, auditor, http.MethodGet, pdfAt.DownloadURL, "", "", http.StatusOK)
	b.doAs(t, auditor, http.MethodPost, path, ct, body, http.StatusForbidden)
	other := decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json",
		fmt.Sprintf(`{"type": "customer_message", "customer_id": %d, "description": "hello"}`, customer), http.StatusCreated))
	b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/attachments/%d", other.Case.ID, pdfAt.ID), "", "", http.StatusNotFound)
}

// Refusals name the field, and leave nothing behind.
func TestCaseAttachmentsRefuseHostileUploads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, _, _ := b.caseIDs(t)
	opened := decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json",
		fmt.Sprintf(`{"type": "customer_message", "customer_id": %d, "description": "hello"}`, customer), http.StatusCreated))
	path := fmt.Sprintf("/api/v1/cases/%d/attachments", opened.Case.ID)
	html := []byte("<html><body><script>alert(1)</script></body></html>")
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for _, tc := range []struct {
		why   string
		parts []formPart
		field string
		says  string
	}{
		{"HTML disguised as PDF", []formPart{{field: "file", name: "invoice.pdf", contentType: "application/pdf", data: html}}, "file", "text/html"},
		{"a path in the name", []formPart{{field: "file", name: "../../x.pdf", contentType: "application/pdf", data: pdf}}, "file", "path separator"},
		{"empty", []formPart{{field: "file", name: "x.pdf", contentType: "application/pdf"}}, "file", "empty"},
		{"no file", []formPart{{field: "text", data: []byte("hello")}}, "file", "required"},
		{"an unknown part", []formPart{{field: "file", name: "x.pdf", contentType: "application/pdf", data: pdf}, {field: "owner", data: []byte("x")}}, "owner", "unknown part"},
		{"a good file beside a bad one", []formPart{{field: "text", data: []byte("two files")},
			{field: "file", name: "ok.pdf", contentType: "application/pdf", data: pdf},
			{field: "file", name: "logo.svg", contentType: "image/svg+xml", data: []byte(`<svg><script>alert(1)</script></svg>`)}}, "file", ".svg files are not allowed"},
	} {
		ct, body := multipartBody(t, tc.parts...)
		e := decode[struct {
			Error struct{ Code, Message, Field string } `json:"error"`
		}](t, b.do(t, http.MethodPost, path, ct, body, http.StatusBadRequest))
		require.Equal(t, "invalid", e.Error.Code, tc.why)
		require.Equal(t, tc.field, e.Error.Field, tc.why)
		require.Contains(t, e.Error.Message, tc.says, tc.why)
	}
	b.do(t, http.MethodPost, path, "application/json", `{"text": "hi"}`, http.StatusBadRequest)

	got := decode[struct {
		Comments    []any `json:"comments"`
		Attachments []any `json:"attachments"`
	}](t, b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", opened.Case.ID), "", "", http.StatusOK))
	require.Empty(t, got.Comments, "nothing left behind")
	require.Empty(t, got.Attachments)
}
