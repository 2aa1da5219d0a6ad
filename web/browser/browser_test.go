package browser

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"recoup/config"
	"recoup/devenv"
	"recoup/domain"
	"recoup/store/storetest"
)

// chromiumPath is Debian's Chromium; `make test` installs it.
const chromiumPath = "/usr/bin/chromium"

// screenshots is where each main page's picture goes (ignored by git): look at them.
const screenshots = "screenshots"

// stack is one `recoup dev` under test, and the password of each role's user.
type stack struct {
	url   string
	users map[domain.Role]devenv.DevUser
}

// startStack runs `recoup dev` with a small demo data set on free ports until the test ends.
func startStack(t *testing.T) *stack {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s: run `make test` (it installs it) or `apt-get install -y chromium`", chromiumPath)
	}
	cfg := config.Load()
	cfg.DatabaseURL = storetest.NewURL(t)
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = freeAddr(t)
	cfg.TemporalAddress = freeAddr(t)
	cfg.TemporalUIAddr = freeAddr(t)
	cfg.SMTPURL = "smtp://" + freeAddr(t)
	cfg.InboundSMTPAddr = freeAddr(t)
	cfg.TemporalNamespace = "default"
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan devenv.Info, 1)
	done := make(chan error, 1)
	go func() {
		done <- devenv.Run(ctx, devenv.Options{Config: cfg, DemoCustomers: 40, Logger: slog.New(slog.DiscardHandler),
			Out: io.Discard, Started: func(i devenv.Info) { started <- i }})
	}()
	var info devenv.Info
	select {
	case info = <-started:
	case err := <-done:
		cancel()
		t.Fatalf("recoup dev stopped before it was ready: %v", err)
	case <-time.After(3 * time.Minute):
		cancel()
		t.Fatal("recoup dev not ready within 3 minutes")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("recoup dev did not stop within 30s")
		}
	})
	s := &stack{url: info.API, users: map[domain.Role]devenv.DevUser{}}
	for _, u := range info.Credentials.Users {
		s.users[u.Role] = u
	}
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// newBrowser is a fresh headless Chromium (its own profile: no shared
// cookies) with a window of width × height CSS pixels.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // tests run as root here
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(width, height),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	require.NoError(t, chromedp.Do(ctx), "start Chromium")
	return ctx
}

// byLabel finds the form field whose <label> reads text.
func byLabel(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//*[@id=//label[normalize-space()=%q]/@for]`, text))
}

// fill types value into the field labelled text.
func fill(text, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(byLabel(text), value)
}

// signIn signs role's dev user in through the sign-in form, in English.
func (s *stack) signIn(t *testing.T, ctx context.Context, role domain.Role) {
	t.Helper()
	u, ok := s.users[role]
	require.True(t, ok, "recoup dev has a %s user", role)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/login"),
		fill("Email", u.Email),
		fill("Password", u.Password),
		chromedp.Click(`//button[normalize-space()="Sign in"]`),
		chromedp.WaitVisible(chromedp.CSS(`nav.main`)),
	), "sign in as %s", role)
}

// screenshot saves the whole page as screenshots/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(screenshots, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(screenshots, name+".png"), png, 0o644))
}

// text is the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err)
	return s
}

// acceptConfirmations answers yes to the page's confirmation dialogs (our
// script asks before destructive actions; the forms work without it too).
func acceptConfirmations() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`)
}

// waitText waits until the first element matching the CSS selector sel
// contains want (a page that was already showing one is replaced by the
// answer to a post), and returns its text.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	var got string
	require.Eventually(t, func() bool {
		got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		return strings.Contains(got, want)
	}, 30*time.Second, 100*time.Millisecond, "%s never showed %q (last: %q)", sel, want, got)
	return got
}

// count is how many elements match the CSS selector sel.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	require.NoError(t, err)
	return n
}

// taskActions are the completion forms' actions of the worklist shown, in order.
func taskActions(t *testing.T, ctx context.Context) []string {
	t.Helper()
	actions, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('form[action$="/complete"]'), f => f.getAttribute("action"))`))
	require.NoError(t, err)
	return actions
}

// TestBrowser runs every flow against one `recoup dev` (starting one costs seconds).
func TestBrowser(t *testing.T) {
	s := startStack(t)

	t.Run("each role sees its navigation and nothing else", func(t *testing.T) {
		for _, tc := range []struct {
			role     domain.Role
			shown    []string
			notShown []string
		}{
			{domain.RoleAdmin, []string{"Accounts", "Worklist", "Scenarios", "Imports", "Users"}, nil},
			{domain.RoleCreditManager, []string{"Accounts", "Worklist", "Scenarios", "Rules", "Templates", "Imports"}, []string{"Users"}},
			{domain.RoleAgent, []string{"Accounts", "Worklist", "Scenarios"}, []string{"Imports", "Users", "Entities"}},
			{domain.RoleSalesRep, []string{"Accounts", "Worklist"}, []string{"Scenarios", "Templates", "Imports", "Users"}},
			{domain.RoleAuditor, []string{"Accounts", "Scenarios", "Templates"}, []string{"Imports", "Users", "Entities"}},
		} {
			ctx := newBrowser(t, 1280, 900)
			s.signIn(t, ctx, tc.role)
			nav := text(t, ctx, "nav.main")
			for _, item := range tc.shown {
				require.Contains(t, nav, item, "%s's navigation", tc.role)
			}
			for _, item := range tc.notShown {
				require.NotContains(t, nav, item, "%s's navigation", tc.role)
			}
			screenshot(t, ctx, "home-"+strings.ReplaceAll(string(tc.role), "_", "-"))
		}
	})

	var account string // the account the flows below work on: the most overdue one
	t.Run("a credit manager gives the most overdue account to an agent", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleCreditManager)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/accounts?sort=-overdue"),
			chromedp.Click(chromedp.CSS(`table.list tbody a[href^="/accounts/"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#actions-h`)),
		))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		account = strings.TrimPrefix(loc, s.url)
		require.NotContains(t, text(t, ctx, "dl.facts"), s.users[domain.RoleAgent].Email, "another agent's account")
		require.NoError(t, chromedp.Do(ctx,
			fill("Give the account to (agent's email)", s.users[domain.RoleAgent].Email),
			chromedp.Click(`//button[normalize-space()="Reassign"]`),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		))
		require.Contains(t, text(t, ctx, "dl.facts"), s.users[domain.RoleAgent].Email, "the account shows its new agent")
		screenshot(t, ctx, "account")
	})

	t.Run("a credit manager adds a step to a scenario, sees version 2 and the diff, and the account's calendar changes", func(t *testing.T) {
		ctx := newBrowser(t, 1400, 900)
		s.signIn(t, ctx, domain.RoleCreditManager)
		// The account follows the scenario to be edited (pinned), and its calendar ahead is read before the edit.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/scenarios"),
			chromedp.Click(chromedp.CSS(`table.list a`)),
			chromedp.WaitVisible(chromedp.CSS(`form.scenario-editor`)),
		))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		scenarioID := loc[strings.LastIndex(loc, "/")+1:]
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+account),
			chromedp.SetValue(chromedp.CSS(`#pin-scenario`), scenarioID),
			chromedp.Click(`//button[normalize-space()="Pin"]`),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		))
		before := text(t, ctx, `section[aria-labelledby="dunning-h"]`)

		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(loc), chromedp.WaitVisible(chromedp.CSS(`form.scenario-editor`))))
		screenshot(t, ctx, "scenario-edit")
		rows := count(t, ctx, `tr[id^="step-"]`)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(`//button[@value="add"]`),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#step-%d`, rows))),
		))
		require.Equal(t, rows+1, count(t, ctx, `tr[id^="step-"]`), "a row added, nothing saved yet")
		row := fmt.Sprintf("#s%d-", rows)
		// A task: the step comes after the scenario's escalation, and escalated invoices get no more
		// reminders (their tasks still fire), so a reminder there would never show in the calendar.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(row+"offset_days"), "60"),
			chromedp.SetValue(chromedp.CSS(row+"channel"), "task"),
			chromedp.SetValue(chromedp.CSS(row+"template"), ""),
			chromedp.SetValue(chromedp.CSS(row+"assignee_role"), "agent"),
			chromedp.Click(`//button[@value="save" and not(@tabindex)]`),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		))
		require.Contains(t, text(t, ctx, "main"), "version 2")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(`//a[contains(@href, "/diff")]`),
			chromedp.WaitVisible(chromedp.CSS(`.ins`)),
		))
		screenshot(t, ctx, "scenario-diff")

		// The account's workflow takes the new version when the save wakes it: the page shows it once it has.
		newStep := fmt.Sprintf("Task\tstep %d (day 60)", rows+1)
		require.NotContains(t, before, newStep)
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.url+account), chromedp.WaitVisible(chromedp.CSS(`#dunning-h`))))
		after := text(t, ctx, `section[aria-labelledby="dunning-h"]`)
		require.Contains(t, after, newStep, "the calendar ahead follows the new version")
	})

	t.Run("an agent pauses the account with a reason and sees it on the account and in its timeline", func(t *testing.T) {
		require.NotEmpty(t, account)
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleAgent)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+account),
			chromedp.WaitVisible(chromedp.CSS(`#actions-h`)),
			acceptConfirmations(),
			// Several forms of the page ask for a reason (holds, promises): this is the pause's.
			chromedp.SendKeys(chromedp.CSS(`#pause-reason`), "customer called: pays on Friday"),
			chromedp.Click(`//button[normalize-space()="Pause reminders"]`),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		))
		require.Contains(t, text(t, ctx, "#dunning-h + dl"), "customer called: pays on Friday", "the pause and its reason on the account")
		require.Contains(t, text(t, ctx, `section[aria-labelledby="history-h"]`), "dunning.pause", "and in its timeline")
		screenshot(t, ctx, "account-paused")
	})

	t.Run("an auditor sees the timeline and no action buttons", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleAuditor)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+account),
			chromedp.WaitVisible(chromedp.CSS(`#history-h`)),
		))
		require.Zero(t, count(t, ctx, `#actions-h`), "no actions section")
		require.Zero(t, count(t, ctx, `main form[method="post"]`), "no form that changes anything")
		require.Contains(t, text(t, ctx, `section[aria-labelledby="history-h"]`), "dunning.pause")
	})

	t.Run("a phone shows the account page without scrolling sideways", func(t *testing.T) {
		ctx := newBrowser(t, 390, 844)
		s.signIn(t, ctx, domain.RoleAgent)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+account),
			chromedp.WaitVisible(chromedp.CSS(`#items-h`)),
		))
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		require.NoError(t, err)
		require.False(t, wide, "nothing wider than the 390 px screen")
		screenshot(t, ctx, "account-phone")
	})

	t.Run("a credit manager edits a French template and sees the preview", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleCreditManager)
		subject := "Relance : facture impayée de {{.Customer.Name}}"
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/templates/reminder_1/email/fr"),
			chromedp.WaitVisible(chromedp.CSS(`#subject`)),
			chromedp.SetValue(chromedp.CSS(`#subject`), subject),
			chromedp.Click(`//button[@value="preview"]`),
		))
		got := waitText(t, ctx, ".preview-subject", "Relance")
		name, ok := strings.CutPrefix(strings.TrimSpace(got), "Relance : facture impayée de ")
		require.True(t, ok, got)
		require.NotEmpty(t, name, "the account's name filled in")
		require.NotContains(t, got, "{{", "rendered for a real account")
		// The frame's document loads on its own once in view. The frame element
		// can be replaced while it loads, so it is scrolled to by script (no node
		// id kept between two steps) and its screenshot is taken again if the
		// node went away under it.
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`iframe.preview-html`))))
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('iframe.preview-html').scrollIntoView(), true)`))
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(time.Second)))
		screenshot(t, ctx, "template-preview")
		var frame []byte
		require.Eventually(t, func() bool {
			var err error
			frame, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`iframe.preview-html`)))
			return err == nil
		}, 30*time.Second, 500*time.Millisecond, "a screenshot of the preview's frame")
		require.NoError(t, os.WriteFile(filepath.Join(screenshots, "template-preview-html.png"), frame, 0o644))
	})

	t.Run("an admin uploads an invoices file with bad rows and downloads the rejections", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleAdmin)
		file := filepath.Join(t.TempDir(), "invoices.csv")
		require.NoError(t, os.WriteFile(file, []byte("external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
			"BAD-1,NO-SUCH-CUSTOMER,X-1,invoice,2026-01-01,2026-02-01,EUR,10.00,10.00\n"+
			"BAD-2,NO-SUCH-CUSTOMER,X-2,invoice,2026-13-01,2026-02-01,EUR,10.00,10.00\n"), 0o644))
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/imports"),
			chromedp.SetValue(chromedp.CSS(`#kind`), "invoices"),
			chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
			chromedp.Submit(chromedp.CSS(`#file`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href$="rejections.csv"]`)),
		))
		screenshot(t, ctx, "import-report")
		csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`fetch(document.querySelector('a[href$="rejections.csv"]').href).then(r => r.text())`,
			chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		require.Contains(t, csv, "NO-SUCH-CUSTOMER")
		require.Equal(t, 3, strings.Count(strings.TrimSpace(csv), "\n")+1, "a header and the two rejected rows:\n%s", csv)
	})

	t.Run("a sales rep chooses French and sees the app and amounts in French", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleSalesRep)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/profile"),
			chromedp.SetValue(chromedp.CSS(`#language`), "fr"),
			chromedp.Submit(chromedp.CSS(`#language`)),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
			chromedp.Navigate(s.url+"/accounts?sort=-balance"),
		))
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		require.NoError(t, err)
		require.Equal(t, "fr", lang)
		require.Contains(t, text(t, ctx, "nav.main"), "Comptes")
		require.Regexp(t, `\d,\d{2}\D*€`, text(t, ctx, "table.list td.num"), "amounts with a decimal comma and the euro sign after")
		screenshot(t, ctx, "accounts-fr")
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`main h1`))))
		screenshot(t, ctx, "home-sales-rep-fr")
	})

	t.Run("a credit manager completes the top task of the team's worklist", func(t *testing.T) {
		ctx := newBrowser(t, 1280, 900)
		s.signIn(t, ctx, domain.RoleCreditManager)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/worklist?scope=team"),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/complete"]`)),
		))
		screenshot(t, ctx, "worklist")
		before := taskActions(t, ctx)
		require.NotEmpty(t, before)
		action := before[0]
		sel := `form[action="` + action + `"]`
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(sel+` select[name="outcome"]`), "other"),
			chromedp.SetValue(chromedp.CSS(sel+` input[name="note"]`), "decided to wait for the dispute"),
			chromedp.Submit(chromedp.CSS(sel+` select[name="outcome"]`)),
			chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		))
		require.Zero(t, count(t, ctx, sel), "the completed task left the open list")
		// The demo's workflows go on creating tasks meanwhile: the others are
		// all still there, new ones may have come.
		require.Subset(t, taskActions(t, ctx), before[1:], "the other open tasks stay")
	})
}
