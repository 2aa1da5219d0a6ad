package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAMentionRingsTheBellAndIsMarkedRead(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")

	_, body := f.agent.get("/")
	require.Contains(t, body, `<a href="/notifications" id="bell" class="bell" data-stream="/api/v1/notifications/stream">Notifications `+
		`<span class="badge bad" hidden><span data-unread>0</span>`, "nothing unread: a quiet bell (its script follows the live stream)")

	for _, text := range []string{"@agent@example.com can you check the delivery note?", "@agent@example.com and the second one <b>?</b>"} {
		res := f.logistics.post(page+"/comments", url.Values{"text": {text}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	}
	_, body = f.agent.get("/")
	require.Contains(t, body, `<span class="badge bad"><span data-unread>2</span><span class="visually-hidden"> unread</span></span>`, "the bell counts them")
	_, body = f.logistics.get("/")
	require.Contains(t, body, `hidden><span data-unread>0</span>`, "the author is not notified of their own comment")

	status, body := f.agent.get("/notifications")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "2 notifications, 2 unread")
	require.Contains(t, body, "You were mentioned")
	require.Contains(t, body, "dock@example.com mentioned you on case "+page[len("/cases/"):]+" (Acme &lt;Ltd&gt;)", "rendered when read")
	require.Contains(t, body, `<ol class="comments notifications" id="notification-items" data-live>`, "new ones are added at the top")
	require.Contains(t, body, `<template id="notification-new">`)
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
	require.Contains(t, body, `class="bell" data-stream="/api/v1/notifications/stream" aria-current="page">Notifications <span class="badge bad" hidden>`)
	_, body = f.agent.get("/notifications?page=2")
	require.NotContains(t, body, "data-live", "only the first page takes new ones")
}

// The case page's discussion comes alone too, for the page's script to
// replace it when the case changes; outside the perimeter it is not found.
func TestTheCaseDiscussionFragment(t *testing.T) {
	t.Parallel()
	f := caseSetup(t)
	page := f.openDispute(t, f.agent, f.first, "quantity", "")
	res := f.logistics.postFiles(page+"/comments", "the pallet was <b>short</b>", [2]string{"count.pdf", pdfBytes})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))

	_, body := f.agent.get(page)
	require.Contains(t, body, `<div id="discussion" data-case="`+page[len("/cases/"):]+`" data-fragment="`+page+`/discussion" aria-live="polite">`)
	status, body := f.agent.get(page + "/discussion")
	require.Equal(t, http.StatusOK, status)
	require.True(t, strings.HasPrefix(strings.TrimSpace(body), `<h2 id="discussion-h">Discussion (1)</h2>`), body)
	require.Contains(t, body, "the pallet was &lt;b&gt;short&lt;/b&gt;")
	require.Contains(t, body, "count.pdf", "its files under the comment")
	require.NotContains(t, body, "<html", "a fragment, without the layout")
	require.NotContains(t, body, "<form", "the comment form stays on the page (what is being typed is kept)")
	status, _ = f.sales.get(page + "/discussion")
	require.Equal(t, http.StatusNotFound, status, "routed to logistics, not sales")
}
