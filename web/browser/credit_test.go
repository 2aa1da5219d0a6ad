package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// TestBrowserSalesRepDoNotShipOnAPhone: a credit manager puts one of the
// sales rep's customers on credit hold with a reason; the sales rep, on a
// 390 px phone, opens it from their home page and sees "Do not ship" with the
// reason in the first screen, nothing scrolling sideways.
//
//	go test ./web/browser/ -run TestBrowserSalesRepDoNotShipOnAPhone
func TestBrowserSalesRepDoNotShipOnAPhone(t *testing.T) {
	s := startStack(t)
	phone := newBrowser(t, 390, 844)
	s.signIn(t, phone, domain.RoleSalesRep)
	require.NoError(t, chromedp.Do(phone, chromedp.Navigate(s.url+"/")))
	account, err := chromedp.Run(phone, chromedp.Evaluate[string](
		`(document.querySelector('main table.list a[href^="/accounts/"]') || {}).pathname || ""`))
	require.NoError(t, err)
	require.NotEmpty(t, account, "the sales rep's home page lists their customers")

	desk := newBrowser(t, 1280, 900)
	s.signIn(t, desk, domain.RoleCreditManager)
	require.NoError(t, chromedp.Do(desk,
		chromedp.Navigate(s.url+account),
		chromedp.WaitVisible(chromedp.CSS(`#credit-hold-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#credit-hold-reason`), "Two cheques bounced: cash on delivery only"),
		chromedp.Click(chromedp.CSS(`#credit-hold-form button`)),
	), "put the account on credit hold")
	waitText(t, desk, "main", "The account is on credit hold")

	require.NoError(t, chromedp.Do(phone,
		chromedp.Navigate(s.url+account),
		chromedp.WaitVisible(chromedp.CSS(`#do-not-ship`)),
	))
	banner := text(t, phone, "#do-not-ship")
	require.Contains(t, strings.ToLower(banner), "do not ship: credit hold", "shown in capitals")
	require.Contains(t, banner, "Two cheques bounced")
	top, err := chromedp.Run(phone, chromedp.Evaluate[float64](`document.querySelector('#do-not-ship').getBoundingClientRect().bottom`))
	require.NoError(t, err)
	require.Less(t, top, 844.0, "in the first screen, without scrolling")
	wide, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	require.False(t, wide, "nothing wider than the 390 px screen")
	screenshot(t, phone, "account-do-not-ship-phone")
}
