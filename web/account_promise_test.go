package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// promiseDate is a date the customer's today is before, whatever the test machine's zone.
func promiseDate() string { return time.Now().AddDate(0, 0, 10).Format(time.DateOnly) }

func TestAccountPromiseIsRecordedListedAndCancelled(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)

	_, body := f.agent.get(page)
	for _, want := range []string{"Promises to pay", "No promise to pay recorded.", `action="` + page + `/promises"`,
		`name="amount"`, `name="date"`, `name="invoice_ids"`, `name="note"`, `for="promise-amount"`, "F-&lt;1&gt;"} {
		require.Contains(t, body, want)
	}

	res := f.agent.post(page+"/promises", url.Values{"amount": {"100,50"}, "date": {promiseDate()},
		"note": {"<script>alert(1)</script>"}, "source": {"call"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	require.Equal(t, page, res.Header.Get("Location"))

	_, body = f.agent.get(page)
	require.Contains(t, body, "Promise of 100.50 EUR by")
	require.Contains(t, body, `data-label="Status"><span class="badge">Open</span>`)
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "the note is escaped")
	require.NotContains(t, body, "<script>alert(1)</script>")
	require.Contains(t, body, `data-label="Promised date"`)
	require.Contains(t, body, `data-confirm="Cancel this promise?`)

	id := regexp.MustCompile(`/promises/(\d+)/cancel`).FindStringSubmatch(body)
	require.Len(t, id, 2)
	cancel := page + "/promises/" + id[1] + "/cancel"

	res = f.agent.post(cancel, url.Values{"reason": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `class="field-error"`)

	theirs := "/accounts/" + strconv.FormatInt(f.theirs, 10)
	res = f.agent.post(theirs+"/promises/"+id[1]+"/cancel", url.Values{"reason": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "another customer's account")

	res = f.agent.post(cancel, url.Values{"reason": {"the customer disputes it"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "Promise cancelled")
	require.Contains(t, body, ">Cancelled</span>")
	require.NotContains(t, body, `/promises/`+id[1]+`/cancel"`, "a closed promise has no cancel button")
}

func TestAccountPromiseFormRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no amount", url.Values{"date": {promiseDate()}}, "Enter the amount in EUR"},
		{"not an amount", url.Values{"amount": {"lots"}, "date": {promiseDate()}}, "Enter the amount in EUR"},
		{"more than is open", url.Values{"amount": {"250.01"}, "date": {promiseDate()}}, "more than the invoices&#39; open total"},
		{"a date in the past", url.Values{"amount": {"10"}, "date": {"2001-01-01"}}, "is in the past"},
		{"no date", url.Values{"amount": {"10"}}, "date: required"},
		{"another customer's invoice", url.Values{"amount": {"10"}, "date": {promiseDate()}, "invoice_ids": {"999999"}}, "is not an open EUR invoice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.agent.post(page+"/promises", tc.form)
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			body := readBody(t, res)
			require.Contains(t, body, tc.want)
			require.Contains(t, body, `class="field-error"`, "the message stands next to its field")
			require.Contains(t, body, `role="alert"`, "and in the summary")
		})
	}
}

func TestAccountPromiseByRole(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)
	valid := func() url.Values { return url.Values{"amount": {"10"}, "date": {promiseDate()}} } // post adds the session's token
	for name, br := range map[string]*browser{"auditor": f.auditor, "sales rep": f.rep} {
		status, body := br.get(page)
		require.Equal(t, http.StatusOK, status, name)
		require.Contains(t, body, "Promises to pay", "%s sees the list", name)
		require.NotContains(t, body, `action="`+page+`/promises"`, "%s has no promise form", name)
		res := br.post(page+"/promises", valid())
		require.Equal(t, http.StatusForbidden, res.StatusCode, name)
	}
	res := f.agent.post("/accounts/"+strconv.FormatInt(f.theirs, 10)+"/promises", valid())
	require.Equal(t, http.StatusNotFound, res.StatusCode, "an agent guessing another customer's id")

	manager := f.b.signIn(t, "manager@example.com", domain.RoleCreditManager)
	res = manager.post(page+"/promises", valid())
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
}
