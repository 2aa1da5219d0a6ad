package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
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

// addedBody is the answer to an upload.
type addedBody struct {
	Comment     *commentBody     `json:"comment"`
	Attachments []attachmentBody `json:"attachments"`
}

// openCase opens a case through the API (body: its JSON) and answers it.
func (b *testBundle) openCase(t *testing.T, body string) caseBody {
	t.Helper()
	return decode[struct {
		Case caseBody `json:"case"`
	}](t, b.do(t, http.MethodPost, "/api/v1/cases", "application/json", body, http.StatusCreated)).Case
}

// Files go up with a comment or alone and come down as downloads that no
// browser renders: attachment, nosniff, sandboxed, the sniffed type.
func TestCaseAttachmentsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, f1, _ := b.caseIDs(t)
	opened := b.openCase(t, fmt.Sprintf(`{"type": "dispute", "customer_id": %d, "reason": "quantity", "invoices": [{"invoice_id": %d}]}`,
		customer, f1))
	path := fmt.Sprintf("/api/v1/cases/%d/attachments", opened.ID)
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")

	ct, body := multipartBody(t, formPart{field: "text", data: []byte("the signed delivery note @alice@recoup.example")},
		formPart{field: "file", name: "bon de livraison n°3 \"signé\".pdf", contentType: "application/octet-stream", data: pdf},
		formPart{field: "file", name: "count.csv", contentType: "text/csv", data: []byte("pallet,count\nA,10\n")})
	added := decode[addedBody](t, b.do(t, http.MethodPost, path, ct, body, http.StatusCreated))
	require.NotNil(t, added.Comment)
	require.Equal(t, []string{"alice@recoup.example"}, added.Comment.Mentions)
	require.Len(t, added.Attachments, 2)
	pdfAt := added.Attachments[0]
	require.Equal(t, "application/pdf", pdfAt.ContentType, "the sniffed type, not the part's claim")
	require.Equal(t, added.Comment.ID, *pdfAt.CommentID)
	require.Equal(t, fmt.Sprintf("%s/%d", path, pdfAt.ID), pdfAt.DownloadURL)

	ct, body = multipartBody(t, formPart{field: "file", name: "notes.txt", contentType: "text/plain", data: []byte("called the driver")})
	alone := decode[addedBody](t, b.do(t, http.MethodPost, path, ct, body, http.StatusCreated))
	require.Nil(t, alone.Comment)
	require.Nil(t, alone.Attachments[0].CommentID)

	list := decode[struct {
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodGet, path, "", "", http.StatusOK))
	require.Len(t, list.Attachments, 3)
	got := decode[struct {
		Attachments []attachmentBody `json:"attachments"`
	}](t, b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", opened.ID), "", "", http.StatusOK))
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
	other := b.openCase(t, fmt.Sprintf(`{"type": "customer_message", "customer_id": %d, "description": "hello"}`, customer))
	b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/attachments/%d", other.ID, pdfAt.ID), "", "", http.StatusNotFound)
}

// Refusals name the field, and leave nothing behind.
func TestCaseAttachmentsRefuseHostileUploads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	customer, _, _ := b.caseIDs(t)
	opened := b.openCase(t, fmt.Sprintf(`{"type": "customer_message", "customer_id": %d, "description": "hello"}`, customer))
	path := fmt.Sprintf("/api/v1/cases/%d/attachments", opened.ID)
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
	}](t, b.do(t, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", opened.ID), "", "", http.StatusOK))
	require.Empty(t, got.Comments, "nothing left behind")
	require.Empty(t, got.Attachments)
}

// hostileAttachmentCases are uploads to a case that must change nothing:
// hostile files, names, parts and forms (TestHostileInputIsRefusedAndChangesNothing).
func hostileAttachmentCases(caseID string) []hostileCase {
	const route = "POST /cases/:id/attachments"
	path := "/api/v1/cases/" + caseID + "/attachments"
	pdf := "%PDF-1.4\n%%EOF\n"
	var cases []hostileCase
	form := func(name string, parts ...string) {
		body := ""
		for _, p := range parts {
			body += "--X\r\n" + p + "\r\n"
		}
		cases = append(cases, hostileCase{name: "POST_cases_id_attachments/" + name, route: route, method: http.MethodPost, path: path,
			contentType: "multipart/form-data; boundary=X", body: body + "--X--\r\n"})
	}
	file := func(name, data string) string {
		return fmt.Sprintf("Content-Disposition: form-data; name=\"file\"; filename=%q\r\nContent-Type: application/pdf\r\n\r\n%s", name, data)
	}
	value := func(field, v string) string {
		return fmt.Sprintf("Content-Disposition: form-data; name=%q\r\n\r\n%s", field, v)
	}
	form("html-as-pdf", file("invoice.pdf", "<html><script>alert(1)</script></html>"))
	form("svg-script-as-png", file("photo.png", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	form("svg", file("logo.svg", `<svg><script>alert(1)</script></svg>`))
	form("empty-file", file("x.pdf", ""))
	form("name-path", file("../../etc/x.pdf", pdf))
	form("name-nul", "Content-Disposition: form-data; name=\"file\"; filename=\"x\x00.pdf\"\r\n\r\n"+pdf)
	form("name-invalid-utf8", "Content-Disposition: form-data; name=\"file\"; filename=\"x\xff.pdf\"\r\n\r\n"+pdf)
	form("name-none", "Content-Disposition: form-data; name=\"file\"\r\n\r\n"+pdf)
	for _, s := range hostileSQL {
		form("name-"+s.name, file(s.value+".pdf", "<html></html>"))
		form("text-"+s.name+"-bad-file", value("text", s.value), file("x.exe", pdf))
		form("part-"+s.name, file("x.pdf", pdf), value(s.value, "1"))
	}
	form("text-nul", value("text", "a\x00b"), file("x.pdf", pdf))
	form("text-invalid-utf8", value("text", "a\xff\xfeb"), file("x.pdf", pdf))
	form("mention-unknown", value("text", "see"), value("mentions", "ghost@recoup.example"), file("x.pdf", pdf))
	form("mention-nul", value("text", "see"), value("mentions", "a\x00@recoup.example"), file("x.pdf", pdf))
	form("good-beside-bad", value("text", "two"), file("ok.pdf", pdf), file("bad.pdf", "MZ\x90\x00"))
	form("no-file", value("text", "only words"))
	form("nothing")
	cases = append(cases,
		hostileCase{name: "POST_cases_id_attachments/json", route: route, method: http.MethodPost, path: path,
			contentType: "application/json", body: `{"text": "hi"}`},
		hostileCase{name: "POST_cases_id_attachments/broken", route: route, method: http.MethodPost, path: path,
			contentType: "multipart/form-data; boundary=X", body: "--Y\r\n" + file("x.pdf", pdf)},
		hostileCase{name: "POST_cases_id_attachments/truncated", route: route, method: http.MethodPost, path: path,
			contentType: "multipart/form-data; boundary=X", body: "--X\r\n" + file("x.pdf", pdf)},
		hostileCase{name: "POST_cases_id_attachments/query", route: route, method: http.MethodPost, path: path + "?comment_id=1",
			contentType: "multipart/form-data; boundary=X", body: "--X\r\n" + file("x.pdf", pdf) + "\r\n--X--\r\n"},
		hostileCase{name: "POST_cases_id_attachments/case-sql", route: route, method: http.MethodPost,
			path: "/api/v1/cases/" + url.PathEscape(sqlOr) + "/attachments", contentType: "multipart/form-data; boundary=X",
			body: "--X\r\n" + file("x.pdf", pdf) + "\r\n--X--\r\n"},
		hostileCase{name: "POST_cases_id_attachments/case-unknown", route: route, method: http.MethodPost,
			path: "/api/v1/cases/999999/attachments", contentType: "multipart/form-data; boundary=X",
			body: "--X\r\n" + file("x.pdf", pdf) + "\r\n--X--\r\n"},
	)
	return cases
}
