package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

// upload posts a multipart form with one file, as the import form does.
func (br *browser) upload(path string, fields map[string]string, fileName, content string) *http.Response {
	br.t.Helper()
	if fileName == "" {
		return br.uploadFiles(path, fields)
	}
	return br.uploadFiles(path, fields, [2]string{fileName, content})
}

// uploadFiles posts a multipart form with the session's token, fields and
// files (name and content, in order) in the part "file".
func (br *browser) uploadFiles(path string, fields map[string]string, files ...[2]string) *http.Response {
	br.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(br.t, mw.WriteField("csrf", br.csrf))
	for k, v := range fields {
		require.NoError(br.t, mw.WriteField(k, v))
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", f[0])
		require.NoError(br.t, err)
		_, _ = fw.Write([]byte(f[1]))
	}
	require.NoError(br.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, br.b.srv.URL+path, &buf)
	require.NoError(br.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", br.b.srv.URL)
	res, err := br.client.Do(req)
	require.NoError(br.t, err)
	br.t.Cleanup(func() { res.Body.Close() })
	return res
}

// An admin uploads an invoices file with bad rows: the good ones land, the
// report lists the rejected ones, and the CSV has them all, formulas defused.
func TestAdminImportsInvoicesAndDownloadsTheRejections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.rows.Customer(t, storetest.Customer{ExternalID: "C1"})
	admin := b.signIn(t, "admin@example.com", domain.RoleAdmin)

	status, body := admin.get("/imports")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `enctype="multipart/form-data"`)

	csv := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
		"I1,C1,F-1,invoice,2026-01-01,2026-02-01,EUR,100.00,60.00\n" +
		"=1+1,C9,F-9,invoice,2026-01-01,2026-02-01,EUR,1.00,1.00\n" +
		"I2,C1,F-2,invoice,2026-01-01,2025-02-01,EUR,50.25,50.25\n" +
		"I3,C1,F-3,invoice,2026-01-01,2026-03-01,EUR,10.00,10.00\n"
	res := admin.upload("/imports", map[string]string{"kind": "invoices"}, "invoices.csv", csv)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	report := res.Header.Get("Location")
	require.Regexp(t, `^/imports/\d+$`, report)

	status, body = admin.get(report)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 inserted, 0 updated, 0 unchanged, 2 rejected", "the confirmation")
	require.Contains(t, body, "web:invoices.csv")
	require.Contains(t, body, "admin@example.com", "who sent it")
	require.Contains(t, body, "due_date 2025-02-01 is before issue_date 2026-01-01")
	require.Contains(t, body, `<td data-label="Line" class="num">3</td>`)
	require.Contains(t, body, report+"/rejections.csv")

	res, err := admin.client.Get(b.srv.URL + report + "/rejections.csv")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	id := strings.TrimPrefix(report, "/imports/")
	require.Equal(t, `attachment; filename="import-`+id+`-rejections.csv"`, res.Header.Get("Content-Disposition"))
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	got := readBody(t, res)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	require.Len(t, lines, 3, got)
	require.Equal(t, "line,external_id,field,reason", lines[0])
	require.True(t, strings.HasPrefix(lines[1], "3,'=1+1,external_id,"), "a formula is defused: %s", lines[1])
	require.True(t, strings.HasPrefix(lines[2], "4,I2,"), lines[2])

	status, body = admin.get("/imports")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<a href="`+report+`">`)
	require.Contains(t, body, "web:invoices.csv")
	require.Regexp(t, regexp.MustCompile(`data-label="Rejected" class="num"><span class="badge bad">2</span>`), body)
}

// A file that cannot be read imports nothing; the form says why beside the file.
func TestImportFormRefusesBadFiles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carla@example.com", domain.RoleCreditManager)
	for _, tc := range []struct {
		name, kind, file, content, want string
	}{
		{"no file", "invoices", "", "", "Choose a file to import."},
		{"unknown extension", "invoices", "data.xlsx", "x", "data.xlsx is neither a .csv nor a .json file."},
		{"bad header", "users", "users.csv", "mail,name\n", "Nothing was imported: "},
		{"unknown kind", "orders", "x.csv", "a\n", `id="kind-error"`},
		{"hostile name", "users", "<img src=x onerror=alert(1)>.txt", "x", "&lt;img src=x onerror=alert(1)&gt;.txt is neither"},
	} {
		res := cm.upload("/imports", map[string]string{"kind": tc.kind}, tc.file, tc.content)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, body, tc.want, tc.name)
		require.NotContains(t, body, "<img", tc.name)
	}
	status, body := cm.get("/imports")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "0 imports", "nothing was recorded")
}

// Agents and the other roles without imports.create neither see nor use imports or users.
func TestAnAgentMayNotImportNorManageUsers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	for _, path := range []string{"/imports", "/imports/1", "/imports/1/rejections.csv", "/users", "/users/new", "/users/1"} {
		status, _ := agent.get(path)
		require.Equal(t, http.StatusForbidden, status, path)
	}
	res := agent.upload("/imports", map[string]string{"kind": "users"}, "u.csv", "email,name,role\nx@example.com,X,agent\n")
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = agent.post("/users", url.Values{"email": {"eve@example.com"}, "role": {"admin"}, "all_entities": {"on"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	_, body := agent.get("/")
	require.NotContains(t, body, `href="/imports"`)
	require.NotContains(t, body, `href="/users"`)

	cm := b.signIn(t, "carla@example.com", domain.RoleCreditManager)
	status, _ := cm.get("/users")
	require.Equal(t, http.StatusForbidden, status, "users are the admin's")
	status, _ = cm.get("/imports/999999")
	require.Equal(t, http.StatusNotFound, status)
}
