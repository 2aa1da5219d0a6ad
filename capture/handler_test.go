package capture

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const hostileRaw = `From: "Evil <script>" <evil@example.com>
To: victim@example.com
Subject: <script>alert('subject')</script> & more
Message-ID: <hostile@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: multipart/alternative; boundary=a

--a
Content-Type: text/plain; charset=utf-8

</pre><script>alert('text')</script>
--a
Content-Type: text/html; charset=utf-8

<p onclick="x()">Hi</p><img src="cid:logo"></iframe><script>alert('html')</script>
--a--
--b
Content-Type: image/png
Content-ID: <logo>
Content-Disposition: inline; filename="../../logo.png"

PNG
--b--
`

// newViewer mounts the handler the way `recoup dev` does and captures one hostile and one
// ordinary message.
func newViewer(t *testing.T) (*httptest.Server, Message, Message) {
	t.Helper()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	plain, err := mb.Add("billing@recoup.test", []string{"c@example.com"}, rawMail("ordinary", "hello"))
	require.NoError(t, err)
	hostile, err := mb.Add("evil@example.com", []string{"victim@example.com"}, crlf(hostileRaw))
	require.NoError(t, err)

	mux := http.NewServeMux()
	h := mb.Handler("/dev/mail")
	mux.Handle("/dev/mail", h)
	mux.Handle("/dev/mail/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, hostile, plain
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestHandler_ListHTMLEscapes(t *testing.T) {
	t.Parallel()
	srv, hostile, plain := newViewer(t)

	for _, path := range []string{"/dev/mail", "/dev/mail/"} {
		resp, body := get(t, srv.URL+path, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")

		require.NotContains(t, body, "<script>")
		require.Contains(t, body, html.EscapeString(hostile.Subject))
		require.Contains(t, body, `href="/dev/mail/`+hostile.ID+`"`)
		require.Contains(t, body, `href="/dev/mail/`+plain.ID+`"`)
		require.Less(t, strings.Index(body, hostile.ID), strings.Index(body, plain.ID), "newest first")
	}
}

func TestHandler_ListJSON(t *testing.T) {
	t.Parallel()
	srv, hostile, plain := newViewer(t)

	cases := []struct {
		name   string
		url    string
		header []string
	}{
		{"query parameter", "/dev/mail?format=json", nil},
		{"Accept header", "/dev/mail", []string{"Accept", "application/json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := get(t, srv.URL+tc.url, tc.header...)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))

			var list struct {
				Count    int `json:"count"`
				Messages []struct {
					Message
					URL    string `json:"url"`
					RawURL string `json:"raw_url"`
				} `json:"messages"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &list))
			require.Equal(t, 2, list.Count)
			require.Len(t, list.Messages, 2)

			got := list.Messages[0]
			require.Equal(t, hostile.ID, got.ID)
			require.Equal(t, hostile.Subject, got.Subject)
			require.Equal(t, hostile.Text, got.Text)
			require.Equal(t, hostile.HTML, got.HTML)
			require.Equal(t, hostile.To, got.To)
			require.True(t, hostile.Received.Equal(got.Received))
			require.Equal(t, "/dev/mail/"+hostile.ID, got.URL)
			require.Equal(t, "/dev/mail/"+hostile.ID+"/raw", got.RawURL)
			require.Empty(t, got.Raw, "raw bytes are served separately")
			require.Equal(t, plain.ID, list.Messages[1].ID)
		})
	}

	t.Run("empty mailbox is an empty list, not null", func(t *testing.T) {
		t.Parallel()
		mb, err := NewMailbox("")
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		mb.Handler("/dev/mail").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail?format=json", nil))
		require.JSONEq(t, `{"count":0,"messages":[]}`, rec.Body.String())
	})
}

func TestHandler_MessagePage(t *testing.T) {
	t.Parallel()
	srv, hostile, _ := newViewer(t)

	resp, body := get(t, srv.URL+"/dev/mail/"+hostile.ID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, body, "<script>")
	require.NotContains(t, body, "<p onclick")
	require.Contains(t, body, html.EscapeString(hostile.Subject))
	require.Contains(t, body, "&lt;/pre&gt;&lt;script&gt;", "text body escaped")
	require.Contains(t, body, "hostile@example.com", "Message-ID shown")

	// The HTML body only appears escaped inside the sandboxed iframe's srcdoc, with inline
	// images pointed at the attachment URL.
	require.Contains(t, body, `<iframe title="HTML body" sandbox="allow-popups allow-popups-to-escape-sandbox"`)
	require.Contains(t, body, `srcdoc="&lt;base target=&#34;_blank&#34;&gt;&lt;p onclick=&#34;x()&#34;&gt;Hi&lt;/p&gt;&lt;img src=&#34;/dev/mail/`+hostile.ID+`/attachments/0&#34;&gt;&lt;/iframe&gt;&lt;script&gt;`)
	require.Contains(t, body, `href="/dev/mail/`+hostile.ID+`/raw"`)

	// JSON for one message.
	resp, body = get(t, srv.URL+"/dev/mail/"+hostile.ID, "Accept", "application/json")
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var one Message
	require.NoError(t, json.Unmarshal([]byte(body), &one))
	require.Equal(t, hostile.Subject, one.Subject)
	require.Len(t, one.Attachments, 1)
	require.Contains(t, body, `"url": "/dev/mail/`+hostile.ID+`/attachments/0"`)
}

func TestHandler_RawAndAttachmentDownloads(t *testing.T) {
	t.Parallel()
	srv, hostile, _ := newViewer(t)

	resp, body := get(t, srv.URL+"/dev/mail/"+hostile.ID+"/raw")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "message/rfc822", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename=`+hostile.ID+`.eml`, resp.Header.Get("Content-Disposition"))
	require.Equal(t, string(hostile.Raw), body)

	resp, body = get(t, srv.URL+"/dev/mail/"+hostile.ID+"/attachments/0")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename=.._.._logo.png`, resp.Header.Get("Content-Disposition"), "no path separators")
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "sandbox")
	require.Equal(t, "PNG", body)
}

func TestHandler_NotFound(t *testing.T) {
	t.Parallel()
	srv, hostile, _ := newViewer(t)
	for _, path := range []string{
		"/dev/mail/999999",
		"/dev/mail/nope",
		"/dev/mail/999999/raw",
		"/dev/mail/" + hostile.ID + "/attachments/1",
		"/dev/mail/" + hostile.ID + "/attachments/-1",
		"/dev/mail/" + hostile.ID + "/attachments/00",
		"/dev/mail/" + hostile.ID + "/unknown",
	} {
		resp, _ := get(t, srv.URL+path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

func TestHandler_OnlyReads(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	mb.Handler("/dev/mail").ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dev/mail", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestHandler_WorksBehindStripPrefix(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	msg, err := mb.Add("a@recoup.test", []string{"b@example.com"}, rawMail("stripped", "b"))
	require.NoError(t, err)
	h := http.StripPrefix("/dev/mail", mb.Handler("/dev/mail"))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail/"+msg.ID, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "stripped")
	require.Contains(t, rec.Body.String(), `href="/dev/mail/`+msg.ID+`/raw"`, "links keep the public prefix")
}
