package browser

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// portalLink signs the dev admin in through the API and makes a portal link
// for the most overdue account; it answers the link and the account's name.
func (s *stack) portalLink(t *testing.T) (link, name string) {
	t.Helper()
	admin := s.users[domain.RoleAdmin]
	res, err := http.Post(s.url+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, admin.Email, admin.Password)))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	call := func(method, path string, into any) {
		req, err := http.NewRequest(method, s.url+path, nil)
		require.NoError(t, err)
		for _, c := range res.Cookies() {
			req.AddCookie(c)
		}
		out, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer out.Body.Close()
		require.Less(t, out.StatusCode, 300, path)
		require.NoError(t, json.NewDecoder(out.Body).Decode(into))
	}
	var list struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	call(http.MethodGet, "/api/v1/customers?sort=-overdue&limit=1", &list)
	require.Len(t, list.Items, 1)
	var made struct {
		URL string `json:"url"`
	}
	call(http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/portal-links", list.Items[0].ID), &made)
	return made.URL, list.Items[0].Name
}

// TestBrowserPortalOnAPhone: a debtor opens their link on a phone-sized
// window, sees their open items without scrolling sideways, promises to pay
// one invoice, disputes another with a file, writes to the team and gets
// the statement PDF. Screenshots: screenshots/portal-*.png.
//
//	go test ./web/browser/ -run TestBrowserPortalOnAPhone
func TestBrowserPortalOnAPhone(t *testing.T) {
	s := startStack(t)
	link, name := s.portalLink(t)
	ctx := newBrowser(t, 390, 844)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`ul.items`)),
	), "open the link")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.Equal(t, s.url+"/portal/", loc, "the token left the address bar")
	require.Contains(t, text(t, ctx, "header.brandbar"), name)
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	require.False(t, wide, "no horizontal scrolling at 390 px")
	screenshot(t, ctx, "portal-open-items")

	// A promise for the first invoice, a week ahead.
	boxes := count(t, ctx, `input[name="invoice"]:not([disabled])`)
	require.GreaterOrEqual(t, boxes, 2, "the most overdue account has invoices to act on")
	date := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="invoice"]:not([disabled])`)),
		chromedp.Click(`//button[normalize-space()="Promise to pay"]`),
		chromedp.WaitVisible(chromedp.CSS(`#date`)),
		chromedp.SetValue(chromedp.CSS(`#date`), date),
	), "the promise form")
	screenshot(t, ctx, "portal-promise")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`//button[normalize-space()="Confirm my promise"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash, div.error, p.error`)),
	))
	screenshot(t, ctx, "portal-promised")
	waitText(t, ctx, "p.flash", "your promise to pay")
	require.Contains(t, text(t, ctx, "ul.items"), "Payment promised")

	// A dispute of the next invoice, with a PDF.
	note := filepath.Join(t.TempDir(), "delivery-note.pdf")
	require.NoError(t, os.WriteFile(note, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`(//li[contains(@class,"item") and not(.//span[contains(@class,"badge")])]//a[normalize-space()="Dispute"])[1]`),
		chromedp.WaitVisible(chromedp.CSS(`#reason`)),
		chromedp.SetValue(chromedp.CSS(`#reason`), "quantity"),
		fill("Comment", "Two pallets of ten were missing."),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{note}),
	), "the dispute form")
	screenshot(t, ctx, "portal-dispute")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`//button[normalize-space()="Send the dispute"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	))
	waitText(t, ctx, "p.flash", "Your dispute of invoice")
	require.Contains(t, text(t, ctx, "main"), "delivery-note.pdf")
	screenshot(t, ctx, "portal-dispute-thread")

	// A message to the team.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/portal/messages/new"),
		fill("Your message", "Could you send me last month's statement by post?"),
		chromedp.Click(`//button[normalize-space()="Send"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	))
	waitText(t, ctx, "p.flash", "Your message was sent")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/portal/")))
	require.Contains(t, text(t, ctx, "main"), "Disputed")
	screenshot(t, ctx, "portal-after")

	// The link page, as someone whose link expired sees it.
	other := newBrowser(t, 390, 844)
	require.NoError(t, chromedp.Do(other, chromedp.Navigate(s.url+"/portal/l/"+strings.Repeat("A", 43)),
		chromedp.WaitVisible(chromedp.CSS(`p.error`))))
	require.Contains(t, text(t, other, "main"), "no longer valid")
	screenshot(t, other, "portal-dead-link")
}
