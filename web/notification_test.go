package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAMentionRingsTheBellAndIsMarkedRead(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")

	_, body := f.agent.get("/")
	require.Contains(t, body, `<a href="/notifications" class="bell">Notifications</a>`, "nothing unread: a quiet bell")

	for _, text := range []string{"@agent@example.com can you check the delivery note?", "@agent@example.com and the second one <b>?</b>"} {
		res := f.logistics.post(page+"/comments", url.Values{"text": {text}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	}
	_, body = f.agent.get("/")
	require.Contains(t, body, `<span class="badge bad">2<span class="visually-hidden"> unread</span></span>`, "the bell counts them")
	_, body = f.logistics.get("/")
	require.NotContains(t, body, `visually-hidden"> unread`, "the author is not notified of their own comment")

	status, body := f.agent.get("/notifications")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 notifications, 2 unread")
	require.Contains(t, body, "You were mentioned")
	require.Contains(t, body, `<a href="`+page+`">Case `+page[len("/cases/"):]+`</a>`)
	require.NotContains(t, body, "<b>?</b>", "escaped")
	ids := regexp.MustCompile(`action="/notifications/(\d+)/read"`).FindAllStringSubmatch(body, -1)
	require.Len(t, ids, 2)

	res := f.logistics.post("/notifications/"+ids[0][1]+"/read", url.Values{"back": {"/notifications"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "someone else's notification")
	res = f.agent.post("/notifications/"+ids[0][1]+"/read", url.Values{"back": {"https://evil.example/"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/notifications", res.Header.Get("Location"), "back only to the list")
	_, body = f.agent.get("/notifications?unread=1")
	require.Contains(t, body, "1 notifications, 1 unread")
	require.Len(t, regexp.MustCompile(`action="/notifications/\d+/read"`).FindAllString(body, -1), 1)

	res = f.agent.postForm("/notifications/read", url.Values{"csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "CSRF refused")
	res = f.agent.post("/notifications/read", url.Values{"back": {"/notifications?unread=1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/notifications?unread=1", res.Header.Get("Location"))
	_, body = f.agent.get("/notifications?unread=1")
	require.Contains(t, body, "1 notifications marked read.")
	require.Contains(t, body, "Nothing unread.")
	require.Contains(t, body, `<a href="/notifications" class="bell" aria-current="page">Notifications</a>`)
}
