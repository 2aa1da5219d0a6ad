package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// TestBrowserDashboards opens each role's dashboard on the demo data, on a
// desktop and on a phone: the charts are drawn (visible, coloured by the
// stylesheet under the strict CSP), the page does not scroll sideways at
// 390 px, and a screenshot of each is saved.
//
//	go test ./web/browser/ -run TestBrowserDashboards
func TestBrowserDashboards(t *testing.T) {
	s := startStack(t)
	for _, tc := range []struct {
		role    domain.Role
		path    string
		figures []string
	}{
		{domain.RoleAgent, "/dashboard/portfolio", []string{"#aging svg.chart", "#promises svg.chart"}},
		{domain.RoleCreditManager, "/dashboard/team", []string{"#aging-agent svg.chart", "#promises svg.chart", "#dso-trend svg.chart"}},
		{domain.RoleDivisionManager, "/dashboard/entities", []string{"#aging-entity svg.chart", "#dso-trend svg.chart"}},
	} {
		name := "dashboard-" + strings.ReplaceAll(string(tc.role), "_", "-")
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, tc.role)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(`//nav[@class="main"]//a[normalize-space()="Dashboard"]`),
			chromedp.WaitVisible(chromedp.CSS(tc.figures[0])),
		), "%s opens the dashboard from the navigation", tc.role)
		loc, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(loc, s.url+tc.path), "%s's own dashboard: %s", tc.role, loc)
		for _, sel := range tc.figures {
			w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("`+sel+`").getBoundingClientRect().width`))
			require.NoError(t, err)
			require.Greater(t, w, 200.0, "%s is drawn at the container's width", sel)
		}
		if tc.role != domain.RoleAgent { // the buckets' colours come from the stylesheet's classes
			fill, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("svg.chart rect.bucket-5")).fill`))
			require.NoError(t, err)
			require.Equal(t, "rgb(126, 31, 22)", fill)
		}
		screenshot(t, ctx, name)

		phone := newBrowser(t, 390, 844)
		s.signIn(t, phone, tc.role)
		require.NoError(t, chromedp.Do(phone, chromedp.Navigate(s.url+tc.path), chromedp.WaitVisible(chromedp.CSS(tc.figures[0]))))
		wide, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		require.NoError(t, err)
		require.False(t, wide, "%s: nothing scrolls sideways on a phone", name)
		screenshot(t, phone, name+"-phone")
	}
}
