package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAccountPlanIsRecordedListedAndCancelled(t *testing.T) {
	t.Parallel()
	f := accountSetup(t)
	page := "/accounts/" + strconv.FormatInt(f.mine, 10)
	d1, d2 := time.Now().AddDate(0, 0, 10).Format(time.DateOnly), time.Now().AddDate(0, 1, 10).Format(time.DateOnly)

	_, body := f.agent.get(page)
	for _, want := range []string{"Payment plans", "No payment plan recorded.", `action="` + page + `/plans"`, `name="schedule"`, `for="plan-schedule"`} {
		require.Contains(t, body, want)
	}
	for _, tc := range []struct {
		name, schedule, want string
	}{
		{"a line without an amount", d1, "Line 1: write the date"},
		{"short of what is owed", d1 + " 249.99", "they must be equal"},
		{"dates backwards", d2 + " 100\n" + d1 + " 150", "is not after the one before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.agent.post(page+"/plans", url.Values{"schedule": {tc.schedule}})
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			body := readBody(t, res)
			require.Contains(t, body, tc.want)
			require.Contains(t, body, `class="field-error"`)
		})
	}
	for name, br := range map[string]*browser{"auditor": f.auditor, "sales rep": f.rep} {
		res := br.post(page+"/plans", url.Values{"schedule": {d1 + " 250"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode, name)
		_, body := br.get(page)
		require.NotContains(t, body, `action="`+page+`/plans"`, name)
	}
	res := f.agent.post("/accounts/"+strconv.FormatInt(f.theirs, 10)+"/plans", url.Values{"schedule": {d1 + " 10"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	res = f.agent.post(page+"/plans", url.Values{"schedule": {d1 + " 100,50\n" + d2 + " 149.50"}, "note": {"<script>alert(1)</script>"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	_, body = f.agent.get(page)
	require.Contains(t, body, "Payment plan of 2 instalments for 250.00 EUR recorded")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, body, "<script>alert(1)</script>")
	require.Contains(t, body, `data-label="Instalments"`)

	id := regexp.MustCompile(`/plans/(\d+)/cancel`).FindStringSubmatch(body)
	require.Len(t, id, 2)
	res = f.agent.post(page+"/plans/"+id[1]+"/cancel", url.Values{"reason": {""}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res = f.agent.post(page+"/plans/"+id[1]+"/cancel", url.Values{"reason": {"renegotiated"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.agent.get(page)
	require.Contains(t, body, "Payment plan cancelled")
	require.NotContains(t, body, "/plans/"+id[1]+"/cancel\"")
}
