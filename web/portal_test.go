package web

import (
	"compress/zlib"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

// portalFixture is two accounts of one entity: ours (two open invoices, a
// credit note) and another one with an invoice, a case and a file that our
// session must never reach.
type portalFixture struct {
	b                     *testBundle
	uses                  *app.App
	ours, other           int64
	first, second, credit int64
	theirs                int64
	theirCase, theirFile  int64
	token                 string // a live link of ours
}

func portalSetup(t *testing.T) portalFixture {
	t.Helper()
	b := setup(t)
	ctx := context.Background()
	eur := money.MustCurrency("EUR")
	f := portalFixture{b: b, uses: app.New(b.store, nil, nil)}
	var k app.OpenedCase
	entity := b.rows.Entity(t, storetest.Entity{Code: "ACME", Name: "Acme Distribution", Currency: eur, Language: "en"})
	f.ours = b.rows.Customer(t, storetest.Customer{Entity: entity, ExternalID: "C-OURS", Name: "Boulangerie Martin", Email: "ap@martin.example"})
	f.other = b.rows.Customer(t, storetest.Customer{Entity: entity, ExternalID: "C-OTHER", Name: "Other Co", Email: "ap@other.example"})
	due := dunning.DateOf(time.Now()).AddDays(-10)
	f.first = b.rows.Invoice(t, storetest.Invoice{Customer: f.ours, Number: "F-1", DueDate: due, Amount: money.Money{Minor: 120000, Currency: eur}})
	f.second = b.rows.Invoice(t, storetest.Invoice{Customer: f.ours, Number: "F-2", DueDate: due.AddDays(5), Amount: money.Money{Minor: 30000, Currency: eur}})
	f.credit = b.rows.Invoice(t, storetest.Invoice{Customer: f.ours, Number: "AV-1", Type: domain.TypeCreditNote, Amount: money.Money{Minor: 5000, Currency: eur}})
	f.theirs = b.rows.Invoice(t, storetest.Invoice{Customer: f.other, ExternalID: "INV-SECRET", Number: "SECRET-9", DueDate: due,
		Amount: money.Money{Minor: 999900, Currency: eur}})
	sys := domain.System("test")
	// Their invoice's PDF, from the ERP: our session must never reach it.
	imported, err := f.uses.Import(ctx, sys, app.ImportRequest{Kind: "documents", Format: "csv", Name: "test", Body: strings.NewReader(
		"invoice_external_id,file_name,content\nINV-SECRET,SECRET-9.pdf," + base64.StdEncoding.EncodeToString([]byte(pdfBytes+"%SECRET-9\n")) + "\n")})
	require.NoError(t, err)
	require.Equal(t, int64(1), imported.Inserted, imported.Rejections)
	k, err = f.uses.OpenCase(ctx, sys, app.CaseRequest{Type: "dispute", CustomerID: f.other, Reason: "price", Description: "their dispute",
		Invoices: []store.NewCaseInvoice{{InvoiceID: f.theirs}}})
	require.NoError(t, err)
	f.theirCase = k.ID
	note, err := f.uses.AddCaseAttachments(ctx, sys, k.ID, app.CommentRequest{Text: "their file"},
		[]app.AttachmentUpload{{Name: "theirs.pdf", Data: []byte(pdfBytes)}})
	require.NoError(t, err)
	f.theirFile = note.Attachments[0].ID
	f.token = f.link(t, f.ours)
	return f
}

// link records a live link for customer and returns its token.
func (f portalFixture) link(t *testing.T, customer int64) string {
	t.Helper()
	token, hash := auth.NewPortalToken(false)
	_, err := f.b.store.IssuePortalLink(context.Background(), store.PortalLinkWrite{CustomerID: customer, Hash: hash, Contact: "ap@martin.example"})
	require.NoError(t, err)
	return token
}

// customerBrowser opens the portal with token: the session cookie and the form token.
func (f portalFixture) customerBrowser(t *testing.T, token string) *browser {
	t.Helper()
	br := f.b.anonymous(t)
	res, err := br.client.Get(f.b.srv.URL + "/portal/l/" + token)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/portal/", res.Header.Get("Location"))
	u, _ := url.Parse(f.b.srv.URL + "/portal/")
	for _, c := range br.client.Jar.Cookies(u) {
		if c.Name == portalCookie {
			br.csrf = csrfToken(c.Value)
		}
	}
	require.NotEmpty(t, br.csrf, "the link opened a session")
	return br
}

func (f portalFixture) externalID(t *testing.T, invoice int64) string {
	t.Helper()
	var id string
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(), `SELECT external_id FROM invoices WHERE id = $1`, invoice).Scan(&id))
	return id
}

func (f portalFixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

// The link opens the account it was made for, and only it: its invoices,
// credit note and totals; the session cookie is the portal's own.
func TestThePortalLinkOpensOneAccount(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.b.anonymous(t)
	res, err := br.client.Get(f.b.srv.URL + "/portal/l/" + f.token)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "no-store, private", res.Header.Get("Cache-Control"))
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == portalCookie {
			cookie = c
		}
	}
	require.NotNil(t, cookie)
	require.Equal(t, "/portal/", cookie.Path)
	require.True(t, cookie.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, cookie.SameSite)
	require.False(t, cookie.Secure, "no https public URL in this test")
	require.NotContains(t, cookie.Value, f.token, "the session is not the link")

	br = f.customerBrowser(t, f.token)
	status, body := br.get("/portal/")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Acme Distribution", "Boulangerie Martin", "F-1", "F-2", "AV-1", "€1,450.00", "€1,500.00", "-€50.00"} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "SECRET-9")
	require.NotContains(t, body, "Other Co")
	require.Equal(t, 2, f.count(t, `SELECT count(*) FROM audit_journal WHERE action = 'portal.open' AND actor = 'ap@martin.example (portal)' AND target = $1`,
		"customer/"+itoa(f.ours)), "each opening is on the account's timeline")
}

// Another account's invoices, cases and files, through every portal route:
// all the same plain 404, and nothing is written.
func TestThePortalAnswersNotFoundForAnotherAccountsIDs(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	theirs, mine := itoa(f.theirs), itoa(f.first)
	kase, file := itoa(f.theirCase), itoa(f.theirFile)
	for _, path := range []string{
		"/portal/invoices/" + theirs + "/pdf",
		"/portal/invoices/" + theirs + "/dispute",
		"/portal/pay?invoice=" + theirs,
		"/portal/pay?invoice=" + mine + "&invoice=" + theirs,
		"/portal/act?do=promise&invoice=" + theirs,
		"/portal/act?do=paid&invoice=" + mine + "&invoice=" + theirs,
		"/portal/act?do=plan&invoice=" + theirs,
		"/portal/cases/" + kase,
		"/portal/cases/" + kase + "/files/" + file,
		"/portal/cases/999999",
		"/portal/invoices/999999/dispute",
	} {
		status, body := br.get(path)
		require.Equal(t, http.StatusNotFound, status, path)
		require.Contains(t, body, "Not found.", path)
		require.NotContains(t, body, "SECRET-9", path)
		require.NotContains(t, body, "%PDF", path)
	}
	for path, form := range map[string]url.Values{
		"/portal/promise": {"invoice": {theirs}, "date": {dunning.DateOf(time.Now()).AddDays(3).String()}},
		"/portal/paid":    {"invoice": {mine, theirs}, "paid_on": {dunning.DateOf(time.Now()).String()}, "reference": {"VIR 1"}},
		"/portal/plan":    {"invoice": {theirs}, "date1": {"2030-01-01"}, "amount1": {"9999"}},
		"/portal/invoices/" + theirs + "/dispute": {"reason": {"price"}, "comment": {"no"}},
		"/portal/cases/" + kase + "/reply":        {"text": {"hello"}},
	} {
		res := br.post(path, form)
		body := readBody(t, res)
		require.Equal(t, http.StatusNotFound, res.StatusCode, path)
		require.NotContains(t, body, "SECRET-9", path)
	}
	require.Equal(t, 0, f.count(t, `SELECT count(*) FROM promises`))
	require.Equal(t, 0, f.count(t, `SELECT count(*) FROM invoice_holds`))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM cases`), "only theirs")
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM case_comments`), "only theirs")
}

// A link that is malformed, unknown, expired or revoked opens nothing and
// offers a new one; revoking ends the sessions it opened.
func TestDeadPortalLinksOfferANewOne(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	ctx := context.Background()
	expired := f.link(t, f.ours)
	_, err := f.b.store.Pool.Exec(ctx, `UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, auth.HashSecret(expired))
	require.NoError(t, err)
	unknown, _ := auth.NewPortalToken(false)
	for _, token := range []string{"short", unknown, expired, strings.Repeat("x", 43) + "'"} {
		br := f.b.anonymous(t)
		status, body := br.get("/portal/l/" + url.PathEscape(token))
		require.Equal(t, http.StatusNotFound, status, token)
		require.Contains(t, body, "This link is no longer valid")
		require.Contains(t, body, `href="/portal/link"`)
	}

	br := f.customerBrowser(t, f.token)
	n, err := f.uses.RevokePortalLinks(ctx, domain.System("agent@acme.example"), f.ours, "lost phone")
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "the live link (the expired one stays as it is)")
	res, err := br.client.Get(f.b.srv.URL + "/portal/")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/portal/link", res.Header.Get("Location"))
	status, _ := f.b.anonymous(t).get("/portal/l/" + f.token)
	require.Equal(t, http.StatusNotFound, status)
}

// A portal session reaches neither staff pages nor the API; a staff
// session does not open the portal.
func TestPortalAndStaffSessionsDoNotCross(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	customer := f.customerBrowser(t, f.token)
	// The portal cookie is scoped to /portal/: even sent by hand elsewhere, it opens nothing.
	u, _ := url.Parse(f.b.srv.URL + "/portal/")
	var secret string
	for _, c := range customer.client.Jar.Cookies(u) {
		if c.Name == portalCookie {
			secret = c.Value
		}
	}
	for _, path := range []string{"/", "/accounts", "/accounts/" + itoa(f.ours)} {
		req, _ := http.NewRequest(http.MethodGet, f.b.srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: portalCookie, Value: secret})
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
		res, err := customer.client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode, path)
		require.True(t, strings.HasPrefix(res.Header.Get("Location"), "/login"), path)
	}
	req, _ := http.NewRequest(http.MethodGet, f.b.srv.URL+"/api/v1/customers/"+itoa(f.ours), nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := customer.client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	staff := f.b.signIn(t, "admin@acme.example", domain.RoleAdmin)
	res, err = staff.client.Get(f.b.srv.URL + "/portal/")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/portal/link", res.Header.Get("Location"))
}

// A promise for two invoices: past the entity's limit it is refused on the
// form; within it, it is recorded as the desk records one (source portal,
// the contact as actor) and the page shows the invoices promised.
func TestThePortalRecordsAPromiseWithinTheEntitysLimit(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	status, body := br.get("/portal/act?do=promise&invoice=" + itoa(f.first) + "&invoice=" + itoa(f.second))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "€1,500.00", "the chosen invoices' total")
	today := dunning.DateOf(time.Now().In(time.UTC))
	form := url.Values{"invoice": {itoa(f.first), itoa(f.second)}, "date": {today.AddDays(45).String()}}
	res := br.post("/portal/promise", form)
	body = readBody(t, res)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, "at most 30 days ahead")
	require.Equal(t, 0, f.count(t, `SELECT count(*) FROM promises`))

	form.Set("date", today.AddDays(10).String())
	res = br.post("/portal/promise", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	var source, by string
	var amount int64
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(),
		`SELECT source, created_by, amount_minor FROM promises WHERE customer_id = $1`, f.ours).Scan(&source, &by, &amount))
	require.Equal(t, "portal", source)
	require.Equal(t, "ap@martin.example (portal)", by)
	require.Equal(t, int64(150000), amount)
	_, body = br.get("/portal/")
	require.Contains(t, body, "your promise to pay €1,500.00")
	require.Equal(t, 2, strings.Count(body, "Payment promised"))
}

// "I have paid" holds the invoices while a task checks the payment.
func TestIHavePaidHoldsTheInvoicesAndAsksForACheck(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	res := br.post("/portal/paid", url.Values{"invoice": {itoa(f.first)}, "paid_on": {"2030-01-01"}, "reference": {"VIR 77"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, readBody(t, res), "is in the future")
	res = br.post("/portal/paid", url.Values{"invoice": {itoa(f.first)}, "paid_on": {dunning.DateOf(time.Now()).AddDays(-1).String()}, "reference": {"VIR 77"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM invoice_holds WHERE invoice_id = $1 AND released_at IS NULL AND until IS NOT NULL`, f.first))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM tasks WHERE customer_id = $1 AND kind = 'check_payment' AND note LIKE '%VIR 77%'`, f.ours))
	_, body := br.get("/portal/")
	require.Contains(t, body, "Payment being checked")
}

// A dispute with a PDF: a dispute case on the invoice, which is disputed at
// once; a file of a refused type refuses the dispute and writes nothing.
func TestThePortalOpensADisputeWithItsFile(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	path := "/portal/invoices/" + itoa(f.second) + "/dispute"
	status, body := br.get(path)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `enctype="multipart/form-data"`)
	require.Contains(t, body, `name="csrf"`)

	res := br.uploadFiles(path, map[string]string{"reason": "quantity", "amount": "100", "comment": "only 8 of 10 delivered"},
		[2]string{"run.exe", "MZ\x90\x00binary"})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM cases`))

	res = br.uploadFiles(path, map[string]string{"reason": "quantity", "amount": "100", "comment": "only 8 of 10 delivered"},
		[2]string{"delivery note.pdf", pdfBytes})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	var kase int64
	var source, by string
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(),
		`SELECT k.id, k.source, k.opened_by FROM cases k JOIN case_invoices ci ON ci.case_id = k.id WHERE ci.invoice_id = $1 AND ci.disputed_minor = 10000`, f.second).
		Scan(&kase, &source, &by))
	require.Equal(t, "portal", source)
	require.Equal(t, "ap@martin.example (portal)", by)
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM invoices WHERE id = $1 AND status = 'disputed'`, f.second))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM case_attachments WHERE case_id = $1 AND file_name = 'delivery note.pdf'`, kase))
	require.Equal(t, "/portal/cases/"+itoa(kase), res.Header.Get("Location"))
	_, body = br.get("/portal/")
	require.Contains(t, body, "Disputed")
	_, body = br.get("/portal/cases/" + itoa(kase))
	require.Contains(t, body, "only 8 of 10 delivered")
	require.Contains(t, body, "delivery note.pdf")
}

// A message opens a customer_message case; the team's answer shows in the
// portal's thread, and the customer can answer back.
func TestThePortalThreadShowsTheTeamsReplies(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	res := br.uploadFiles("/portal/messages", map[string]string{"text": "Can you send the delivery note of F-1?"})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	loc := res.Header.Get("Location")
	var kase int64
	require.NoError(t, f.b.store.Pool.QueryRow(context.Background(),
		`SELECT id FROM cases WHERE customer_id = $1 AND type = 'customer_message' AND source = 'portal'`, f.ours).Scan(&kase))
	require.Equal(t, "/portal/cases/"+itoa(kase), loc)
	_, err := f.uses.CommentCase(context.Background(), domain.System("claire@acme.example"), kase, app.CommentRequest{Text: "Attached, see you soon"})
	require.NoError(t, err)
	_, body := br.get(loc)
	require.Contains(t, body, "Can you send the delivery note of F-1?")
	require.Contains(t, body, "Attached, see you soon")
	require.Contains(t, body, "Our team")
	require.NotContains(t, body, "claire@acme.example", "staff addresses stay inside")
	res = br.uploadFiles(loc+"/reply", map[string]string{"text": "Thanks!"})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM case_comments WHERE case_id = $1 AND author = 'ap@martin.example (portal)'`, kase))
}

// Forms need the session's token; a post from another site is refused.
func TestPortalFormsNeedTheirToken(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	res := br.postForm("/portal/promise", url.Values{"invoice": {itoa(f.first)}, "date": {dunning.DateOf(time.Now()).AddDays(3).String()}, "csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, 0, f.count(t, `SELECT count(*) FROM promises`))
}

// The new-link page answers the same whether the address is known or not;
// only a known contact gets a link (here: recorded; no mailer in the test),
// and asking again and again stops counting.
func TestANewLinkGoesOnlyToAKnownContact(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	links := func() int { return f.count(t, `SELECT count(*) FROM portal_links WHERE customer_id = $1`, f.ours) }
	before := links()
	ask := func(email string) (int, string) {
		br := f.b.anonymous(t)
		status, body := br.get("/portal/link")
		require.Equal(t, http.StatusOK, status)
		_, rest, _ := strings.Cut(body, `name="csrf" value="`)
		token, _, _ := strings.Cut(rest, `"`)
		res := br.postForm("/portal/link", url.Values{"email": {email}, "csrf": {token}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.Equal(t, "/portal/link?sent=1", res.Header.Get("Location"))
		_, body = br.get(res.Header.Get("Location"))
		return links(), body
	}
	_, unknownBody := ask("nobody@nowhere.example")
	_, knownBody := ask("AP@Martin.example")
	require.Eventually(t, func() bool { return links() == before+1 }, 10*time.Second, 50*time.Millisecond, "a link for the known address only")
	strip := func(s string) string { _, rest, _ := strings.Cut(s, "</form>"); return rest }
	require.Equal(t, strip(unknownBody), strip(knownBody), "the same answer")
	require.Contains(t, knownBody, "If this address is known to us")
	for range 5 {
		ask("ap@martin.example")
	}
	require.Eventually(t, func() bool { return links() == before+portalPerEmail.n }, 10*time.Second, 50*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, before+portalPerEmail.n, links(), "per address, the limit holds")
}

// The statement PDF is made on request for the session's account.
func TestTheStatementPDFDownloads(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	res, err := br.client.Get(f.b.srv.URL + "/portal/statement.pdf")
	require.NoError(t, err)
	body := readBody(t, res)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), `attachment; filename="statement-C-OURS.pdf"`)
	require.True(t, strings.HasPrefix(body, "%PDF-"))
}

// The statement prints Greek and Cyrillic (DejaVu Sans), not '?': the page
// text holds the name's own code points (fpdf's UTF-8 fonts write each
// character as its UTF-16 code, which the PDF maps back to Unicode).
func TestTheStatementPDFPrintsGreekAndCyrillic(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	ctx := context.Background()
	for _, name := range []string{"Ζαχαροπλαστείο Παπαδόπουλος", "ООО «Пекарня Жуков»"} {
		_, err := f.b.store.Pool.Exec(ctx, `UPDATE customers SET name = $2 WHERE id = $1`, f.ours, name)
		require.NoError(t, err)
		br := f.customerBrowser(t, f.link(t, f.ours))
		res, err := br.client.Get(f.b.srv.URL + "/portal/statement.pdf")
		require.NoError(t, err)
		body := readBody(t, res)
		require.Equal(t, http.StatusOK, res.StatusCode)
		text := pdfPageText(t, body)
		// (Contains would print the whole PDF on failure.)
		require.True(t, strings.Contains(text, string(utf16be(name))), "%s is in the page text", name)
		require.True(t, strings.Contains(text, string(utf16be("F-1"))), "the items are there too")
	}
}

// pdfPageText is every content stream of a PDF, inflated.
func pdfPageText(t *testing.T, pdf string) string {
	t.Helper()
	var out strings.Builder
	for _, part := range strings.Split(pdf, "\nstream\n")[1:] {
		data, _, ok := strings.Cut(part, "\nendstream")
		require.True(t, ok)
		z, err := zlib.NewReader(strings.NewReader(data))
		if err != nil {
			continue // not deflated (none of the page streams)
		}
		b, _ := io.ReadAll(z)
		out.Write(b)
	}
	return out.String()
}

func utf16be(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// Pay and invoice documents follow the entity's URL templates, escaped.
func TestPayAndDocumentLinksFollowTheEntitysTemplates(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	br := f.customerBrowser(t, f.token)
	status, body := br.get("/portal/")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, `value="pay"`, "no payment page configured")
	status, _ = br.get("/portal/pay?invoice=" + itoa(f.first))
	require.Equal(t, http.StatusNotFound, status)

	pay, doc := "https://pay.acme.example/checkout?amount={amount}&cur={currency}&ref={references}&c={customer}", "https://erp.acme.example/docs/{invoice}.pdf"
	_, err := f.uses.SetPortalSettings(context.Background(), domain.System("admin"), "ACME", app.PortalSettingsRequest{PayURL: &pay, DocumentURL: &doc})
	require.NoError(t, err)
	_, body = br.get("/portal/")
	require.Contains(t, body, `value="pay"`)
	require.Contains(t, body, `href="/portal/pay?invoice=`+itoa(f.first)+`"`, "a Pay link per invoice")
	res, err := br.client.Get(f.b.srv.URL + "/portal/act?do=pay&invoice=" + itoa(f.first) + "&invoice=" + itoa(f.second))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "https://pay.acme.example/checkout?amount=1500.00&cur=EUR&ref=F-1%2C+F-2&c=C-OURS", res.Header.Get("Location"))
	res, err = br.client.Get(f.b.srv.URL + "/portal/invoices/" + itoa(f.first) + "/pdf")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Regexp(t, `^https://erp\.acme\.example/docs/I\d+\.pdf$`, res.Header.Get("Location"))

	// The ERP's own PDF, when it gave one, comes before the template: a download, never shown inline.
	_, err = f.uses.Import(context.Background(), domain.System("admin"), app.ImportRequest{Kind: "documents", Format: "csv", Name: "test",
		Body: strings.NewReader("invoice_external_id,file_name,content\n" + f.externalID(t, f.first) + ",Facture F-1.pdf," +
			base64.StdEncoding.EncodeToString([]byte(pdfBytes)) + "\n")})
	require.NoError(t, err)
	res, err = br.client.Get(f.b.srv.URL + "/portal/invoices/" + itoa(f.first) + "/pdf")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, pdfBytes, readBody(t, res))
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, "attachment; filename*=UTF-8''Facture%20F-1.pdf", res.Header.Get("Content-Disposition"))
	require.Equal(t, "sandbox; default-src 'none'", res.Header.Get("Content-Security-Policy"))

	bad := "javascript:alert(1)"
	_, err = f.uses.SetPortalSettings(context.Background(), domain.System("admin"), "ACME", app.PortalSettingsRequest{PayURL: &bad})
	require.ErrorContains(t, err, "want an http(s) URL")
}

// The account page's button revokes the customer's links; an agent outside
// the account's portfolio cannot.
func TestTheAccountPageRevokesPortalLinks(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	customer := f.customerBrowser(t, f.token)
	admin := f.b.signIn(t, "admin@acme.example", domain.RoleAdmin)
	_, body := admin.get("/accounts/" + itoa(f.ours))
	require.Contains(t, body, `action="/accounts/`+itoa(f.ours)+`/portal/revoke"`)
	agent := f.b.signIn(t, "agent@acme.example", domain.RoleAgent)
	res := agent.post("/accounts/"+itoa(f.ours)+"/portal/revoke", url.Values{"reason": {"x"}})
	require.Equal(t, http.StatusNotFound, res.StatusCode, "not in the agent's portfolio")
	res = admin.post("/accounts/"+itoa(f.ours)+"/portal/revoke", url.Values{"reason": {"sent to the wrong address"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = admin.get("/accounts/" + itoa(f.ours))
	require.Contains(t, body, "1 portal link(s) revoked.")
	status, _ := customer.get("/portal/")
	require.Equal(t, http.StatusSeeOther, status, "the open session ended")
}

// An admin sets the portal on the entity page: a bad field is said next to
// it and nothing is saved; good values are.
func TestTheEntityPageSetsThePortal(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	admin := f.b.signIn(t, "admin@acme.example", domain.RoleAdmin)
	_, body := admin.get("/entities/ACME")
	require.Contains(t, body, `action="/entities/ACME/portal"`)
	require.Contains(t, body, `id="link_days" name="link_days" type="number" min="1" max="366" value="60"`)
	form := url.Values{"link_days": {"45"}, "promise_max_days": {"20"}, "pay_url": {"ftp://nope"}, "document_url": {""}, "logo_url": {""}, "color": {"#AA0000"}}
	res := admin.post("/entities/ACME/portal", form)
	body = readBody(t, res)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, body, "want an http(s) URL")
	require.Contains(t, body, `value="ftp://nope"`, "the form keeps what was typed")
	s, err := f.uses.PortalSettings(context.Background(), domain.System("t"), "ACME")
	require.NoError(t, err)
	require.Equal(t, 60, s.LinkDays)
	form.Set("pay_url", "https://pay.acme.example/?a={amount}")
	res = admin.post("/entities/ACME/portal", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	s, err = f.uses.PortalSettings(context.Background(), domain.System("t"), "ACME")
	require.NoError(t, err)
	require.Equal(t, store.PortalSettings{Code: "ACME", LinkDays: 45, PromiseMaxDays: 20, PayURL: "https://pay.acme.example/?a={amount}", Color: "#aa0000"}, s)
	agent := f.b.signIn(t, "agent@acme.example", domain.RoleAgent)
	res = agent.post("/entities/ACME/portal", form)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}

// A plan proposed in the portal shows on the case page with its schedule;
// the agent accepts it there: the plan is recorded and the customer's
// thread says so.
func TestAPortalPlanRequestIsAcceptedOnTheCasePage(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	customer := f.customerBrowser(t, f.token)
	res := customer.post("/portal/plan", url.Values{"invoice": {itoa(f.second)}, "date1": {"2030-01-15"}, "amount1": {"100.00"},
		"date2": {"2030-02-15"}, "amount2": {"200.00"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	thread := res.Header.Get("Location")
	kase := strings.TrimPrefix(thread, "/portal/cases/")

	admin := f.b.signIn(t, "admin@acme.example", domain.RoleAdmin)
	status, body := admin.get("/cases/" + kase)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Payment plan proposed by the customer: €300.00", "2030-01-15", "€100.00", "2030-02-15", "€200.00",
		`action="/cases/` + kase + `/accept-plan"`, `name="decision" value="refused"`} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `id="decision"`, "the generic decision form gives way to the plan's")

	res = admin.post("/cases/"+kase+"/accept-plan", url.Values{"note": {"fine"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM payment_plans WHERE customer_id = $1 AND status = 'open' AND $2 = ANY (invoice_ids)`, f.ours, f.second))
	_, body = admin.get("/cases/" + kase)
	require.NotContains(t, body, `/accept-plan"`, "decided: no form any more")
	_, body = customer.get(thread)
	require.Contains(t, body, "The team accepted your plan.")
	require.Contains(t, body, "€200.00")
}

// The account page links the PDF of an invoice the ERP gave one for; the
// download answers only inside the person's perimeter.
func TestTheAccountPageLinksTheInvoicesPDF(t *testing.T) {
	t.Parallel()
	f := portalSetup(t)
	admin := f.b.signIn(t, "admin@acme.example", domain.RoleAdmin)
	link := "/accounts/" + itoa(f.other) + "/invoices/" + itoa(f.theirs) + "/pdf"
	_, body := admin.get("/accounts/" + itoa(f.other))
	require.Contains(t, body, `href="`+link+`"`)
	_, body = admin.get("/accounts/" + itoa(f.ours))
	require.NotContains(t, body, "/pdf\"", "no document on this account")
	res, err := admin.client.Get(f.b.srv.URL + link)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, pdfBytes+"%SECRET-9\n", readBody(t, res))
	require.Equal(t, "attachment; filename*=UTF-8''SECRET-9.pdf", res.Header.Get("Content-Disposition"))

	status, _ := admin.get("/accounts/" + itoa(f.ours) + "/invoices/" + itoa(f.theirs) + "/pdf")
	require.Equal(t, http.StatusNotFound, status, "the invoice is not this account's")
	agent := f.b.signIn(t, "agent@acme.example", domain.RoleAgent)
	status, _ = agent.get(link)
	require.Equal(t, http.StatusNotFound, status, "not in the agent's portfolio")
}
