package browser

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// TestBrowserDepartmentCommentsOnACase: an agent opens a dispute from an
// invoice row of an account and routes it to legal; the legal department's
// user finds it on their cases board, comments on it, and the case page
// shows the comment, on a desktop and on a phone; then they reject the
// dispute and the customer's contact is emailed the reason.
//
//	go test ./web/browser/ -run TestBrowserDepartmentCommentsOnACase
func TestBrowserDepartmentCommentsOnACase(t *testing.T) {
	s := startStack(t)
	ctx := newBrowser(t, 1280, 900)
	page := openDisputeForLegal(t, s, ctx)

	legal := newBrowser(t, 1280, 900)
	s.signIn(t, legal, domain.RoleDepartment)
	require.NoError(t, chromedp.Do(legal,
		chromedp.Navigate(s.url+"/cases"),
		chromedp.Click(chromedp.CSS(`table.list a[href="`+page+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#discussion-h`)),
		fill("Your comment", "We asked the carrier for the proof of delivery. @"+s.users[domain.RoleAgent].Email+" keep the invoice on hold."),
		chromedp.Click(`//button[normalize-space()="Comment"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "comment as the legal department")
	waitText(t, legal, "p.flash", "Comment added.")
	discussion := text(t, legal, `ol.comments`)
	require.Contains(t, discussion, "We asked the carrier for the proof of delivery.")
	require.Contains(t, discussion, s.users[domain.RoleDepartment].Email)
	screenshot(t, legal, "case")

	phone := newBrowser(t, 390, 844)
	s.signIn(t, phone, domain.RoleDepartment)
	require.NoError(t, chromedp.Do(phone, chromedp.Navigate(s.url+page), chromedp.WaitVisible(chromedp.CSS(`ol.comments`))))
	wide, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	require.False(t, wide, "nothing scrolls sideways on a phone")
	screenshot(t, phone, "case-phone")
	require.NoError(t, chromedp.Do(phone, chromedp.Navigate(s.url+"/cases"), chromedp.WaitVisible(chromedp.CSS(`table.list`))))
	screenshot(t, phone, "cases-phone")

	// Legal rejects the dispute: the customer's contact is emailed the reason.
	require.NoError(t, chromedp.Do(legal,
		chromedp.Navigate(s.url+page),
		chromedp.WaitVisible(chromedp.CSS(`#decision`)),
		acceptConfirmations(),
		chromedp.SetValue(chromedp.CSS(`#decision`), "rejected"),
		chromedp.SendKeys(chromedp.CSS(`#decide-reason`), "The carrier's proof of delivery is signed by the customer."),
		chromedp.Click(`//button[normalize-space()="Record the decision"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "reject the dispute")
	waitText(t, legal, "p.flash", "Decision recorded: Rejected. The reason is emailed to the customer's contact, in their language.")
	screenshot(t, legal, "case-rejected")
}

// openDisputeForLegal signs ctx in as the agent, opens a dispute from the
// first open invoice of the most overdue account and routes it to legal; it
// answers the case page's path, where ctx stays.
func openDisputeForLegal(t *testing.T, s *stack, ctx context.Context) string {
	t.Helper()
	s.signIn(t, ctx, domain.RoleAgent)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/accounts?sort=-overdue"),
		chromedp.Click(chromedp.CSS(`table.list tbody a[href^="/accounts/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#items-h`)),
		chromedp.Click(chromedp.CSS(`a.row-action`)), // "Dispute" on the first open invoice: ticks it in the form
		chromedp.WaitVisible(chromedp.CSS(`#open-dispute input[name=invoice_ids]:checked`)),
		chromedp.SetValue(chromedp.CSS(`#dispute-reason`), "other"),
		chromedp.SendKeys(chromedp.CSS(`#dispute-description`), "The customer says the goods never arrived."),
		chromedp.Click(`//button[normalize-space()="Open the dispute"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "open a dispute from an invoice row")
	waitText(t, ctx, "p.flash", "opened and routed to")
	page, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	page = page[len(s.url):]
	require.True(t, strings.HasPrefix(page, "/cases/"), "the new case's page: %q", page)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#route-department`), "legal"),
		chromedp.SendKeys(chromedp.CSS(`#route-reason`), "a delivery the customer contests in writing"),
		chromedp.Click(`//button[normalize-space()="Re-route"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "route it to legal")
	waitText(t, ctx, "p.flash", "Case sent to Legal.")
	return page
}

// TestBrowserCasePageUpdatesLive: the agent's case page stays open while the
// legal department comments (mentioning the agent) in another browser: the
// comment appears in the agent's discussion and the bell counts it, without
// reloading the page.
//
//	go test ./web/browser/ -run TestBrowserCasePageUpdatesLive
func TestBrowserCasePageUpdatesLive(t *testing.T) {
	s := startStack(t)
	agent := newBrowser(t, 1280, 900)
	page := openDisputeForLegal(t, s, agent)
	before, err := chromedp.Run(agent, chromedp.Evaluate[string](`document.querySelector("#bell [data-unread]").textContent`))
	require.NoError(t, err)
	unread, err := strconv.Atoi(before)
	require.NoError(t, err)
	_, err = chromedp.Run(agent, chromedp.Evaluate[bool](`window.recoupNotReloaded = true`))
	require.NoError(t, err)
	time.Sleep(time.Second) // the page's stream is open (it would catch up anyway: Last-Event-ID)

	legal := newBrowser(t, 1280, 900)
	s.signIn(t, legal, domain.RoleDepartment)
	const comment = "The carrier confirms a partial delivery."
	note := filepath.Join(t.TempDir(), "delivery-note.pdf")
	require.NoError(t, os.WriteFile(note, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600))
	require.NoError(t, chromedp.Do(legal,
		chromedp.Navigate(s.url+page),
		chromedp.WaitVisible(chromedp.CSS(`#discussion-h`)),
		fill("Your comment", comment+" @"+s.users[domain.RoleAgent].Email+" please check with the customer."),
		chromedp.SetUploadFiles(chromedp.CSS(`#comment-file`), []string{note}),
		chromedp.Click(`//button[normalize-space()="Comment"]`),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	), "comment as the legal department")

	waitText(t, agent, "#discussion ol.comments", comment)
	waitText(t, agent, "#discussion ol.comments", "delivery-note.pdf")
	waitText(t, agent, "#discussion-h", "(1)")
	waitText(t, agent, "#bell [data-unread]", strconv.Itoa(unread+1))
	state, err := chromedp.Run(agent, chromedp.Evaluate[bool](
		`window.recoupNotReloaded === true && !document.querySelector("#bell .badge").hidden`))
	require.NoError(t, err)
	require.True(t, state, "the same page, not reloaded, its bell showing the count")
	screenshot(t, agent, "case-live")
}
