package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// TestBrowserPromiseFromTheWorklist: an agent asks themself for a call on
// their most overdue account (the account page's task form), opens the
// worklist, works its top task and records a promise to pay as the call's
// outcome; the account page of that task lists the promise.
//
//	go test ./web/browser/ -run TestBrowserPromiseFromTheWorklist
func TestBrowserPromiseFromTheWorklist(t *testing.T) {
	s := startStack(t)
	ctx := newBrowser(t, 1280, 900)
	s.signIn(t, ctx, domain.RoleAgent)
	agent := s.users[domain.RoleAgent].Email

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/accounts?sort=-overdue"),
		chromedp.Click(chromedp.CSS(`table.list tbody a[href^="/accounts/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-h`)),
		chromedp.SetValue(chromedp.CSS(`#task-kind`), "call"),
		fill("Or a person (email)", agent),
		fill("What to do", "call about the oldest invoices"),
		chromedp.Click(`//button[normalize-space()="Create the task"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "create a call task from the account page")
	waitText(t, ctx, "p.flash", "created.")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`table.worklist tbody tr`)),
	))
	account, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector("table.worklist tbody tr td a[href^='/accounts/']").getAttribute("href")`))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(account, "/accounts/"), "the top task's account: %q", account)
	form := `table.worklist tbody tr:first-child form.complete`
	hidden := func() string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("`+form+` fieldset.for-promise")).display`))
		require.NoError(t, err)
		return v
	}
	require.Equal(t, "none", hidden(), "the promise's fields show only for the promise outcome")
	date := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`table.worklist tbody tr:first-child details summary`)),
		chromedp.SetValue(chromedp.CSS(form+` select[name=outcome]`), "promise"),
		chromedp.WaitVisible(chromedp.CSS(form+` input[name=amount]`)), // shown for the promise outcome
	))
	require.Equal(t, "block", hidden())
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(form+` input[name=amount]`), "1"),
		chromedp.SetValue(chromedp.CSS(form+` input[name=promise_date]`), date),
		chromedp.SetValue(chromedp.CSS(form+` input[name=note]`), "will pay one unit by transfer"),
		chromedp.Click(chromedp.CSS(form+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "record the promise on the top task")
	waitText(t, ctx, "p.flash", "completed: Promise to pay.")
	screenshot(t, ctx, "worklist-promise")

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.url+account), chromedp.WaitVisible(chromedp.CSS(`#promises-h`))))
	promises := text(t, ctx, `section[aria-labelledby="promises-h"] table`)
	require.Contains(t, promises, "will pay one unit by transfer")
	require.Contains(t, promises, "Call", "recorded from a call")
	screenshot(t, ctx, "account-promise")
}
