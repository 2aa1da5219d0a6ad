// Package browser holds the web app's browser tests: Debian's Chromium,
// driven by chromedp, against `recoup dev` (the real server, a real database,
// the embedded Temporal server), signed in as each role. With integration, it
// is one of the two test packages that link the Temporal server.
package browser
