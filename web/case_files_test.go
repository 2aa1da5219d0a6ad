package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// postFiles sends the case page's comment form as a browser does:
// multipart, with the session's token, the text and files (name, bytes).
func (br *browser) postFiles(path, text string, files ...[2]string) *http.Response {
	br.t.Helper()
	return br.uploadFiles(path, map[string]string{"text": text}, files...)
}

func (f caseFixture) attachments(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM case_attachments`).Scan(&n))
	return n
}

const pdfBytes = "%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"

// The comment form takes files (without JavaScript: a multipart form with
// its token); they show under their comment with name, size and type, and
// download from the API as attachments.
func TestTheCommentFormAttachesFilesUnderTheComment(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")

	_, body := f.logistics.get(page)
	require.Contains(t, body, `enctype="multipart/form-data"`)
	require.Contains(t, body, `<input type="file" id="comment-file" name="file" multiple accept=".pdf, .png`)
	require.Contains(t, body, "at most 10.0 MB each")

	res := f.logistics.postFiles(page+"/comments", "Signed delivery note attached",
		[2]string{"delivery <note>.pdf", pdfBytes}, [2]string{"count.csv", "pallet,count\nA,10\n"})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.logistics.get(page)
	require.Contains(t, body, "Added, with 2 file(s).")
	_, body = f.agent.get(page)
	comment, _, ok := strings.Cut(body[strings.Index(body, "Signed delivery note attached"):], "</ul></li>")
	require.True(t, ok)
	require.Contains(t, comment, `download="delivery &lt;note&gt;.pdf">delivery &lt;note&gt;.pdf</a>`, "under the comment, escaped")
	require.Contains(t, comment, "35 bytes · application/pdf")
	require.Contains(t, comment, "count.csv</a> <span class=\"muted\">18 bytes · text/csv")
	_, link, ok := strings.Cut(comment, `<a href="`)
	require.True(t, ok)
	link, _, _ = strings.Cut(link, `"`)
	require.Regexp(t, `^/api/v1/cases/\d+/attachments/\d+$`, link)

	res, err := f.agent.client.Get(f.b.srv.URL + link)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, pdfBytes, readBody(t, res))
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; "))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	status, _ := f.sales.get(link)
	require.Equal(t, http.StatusNotFound, status, "another department does not download it")

	res = f.rep.postFiles(page+"/comments", "", [2]string{"order.pdf", pdfBytes})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.agent.get(page)
	require.Contains(t, body, "Files sent without a comment")
	require.Contains(t, body, "order.pdf</a>")
	require.Contains(t, body, "Discussion (1)", "a file alone makes no comment")
	require.Equal(t, 3, f.attachments(t))
}

// A refused file shows the form again with the reason beside the field;
// nothing is kept, not even the comment that came with it.
func TestTheCommentFormRefusesHostileFilesAndKeepsNothing(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")
	for _, tc := range []struct {
		name, data, says string
	}{
		{"invoice.pdf", "<html><script>alert(1)</script></html>", "its content is text/html, not what a .pdf file holds"},
		{"logo.svg", `<svg><script>alert(1)</script></svg>`, ".svg files are not allowed"},
		{"empty.pdf", "", "the file is empty"},
		{`C:\Users\me\x.pdf`, pdfBytes, "path separator"},
	} {
		res := f.logistics.postFiles(page+"/comments", "look at this", [2]string{"fine.pdf", pdfBytes}, [2]string{tc.name, tc.data})
		require.Equal(t, http.StatusBadRequest, res.StatusCode, tc.name)
		body := readBody(t, res)
		require.Contains(t, body, `<p class="field-error">file: `, tc.name)
		require.Contains(t, body, tc.says, tc.name)
		require.Contains(t, body, `id="comment-file" name="file" multiple`, tc.name)
		require.Contains(t, body, ">look at this</textarea>", "the comment is kept in the form")
	}
	require.Zero(t, f.attachments(t))
	_, body := f.agent.get(page)
	require.Contains(t, body, "Discussion (0)")

	auditor := f.b.signIn(t, "auditor@example.com", domain.RoleAuditor)
	res := auditor.postFiles(page+"/comments", "", [2]string{"x.pdf", pdfBytes})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "an auditor attaches nothing")
	require.Zero(t, f.attachments(t))
}

func TestTheCaseFormSpeaksFrenchSizes(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")
	res := f.logistics.postFiles(page+"/comments", "", [2]string{"photo.txt", strings.Repeat("a", 1536)})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	res = f.agent.post("/profile/language", url.Values{"language": {"fr"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body := f.agent.get(page)
	require.Contains(t, body, "1,5 Ko · text/plain")
	require.Contains(t, body, "10,0 Mo au plus chacun")
	require.Contains(t, body, "Fichiers envoyés sans commentaire")
}
