package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"recoup/app"
	"recoup/domain"
	"recoup/money"
	"recoup/store"
	"recoup/templates"
)

// portalOpen opens a session from a link and lands on the open items. The
// token leaves the address bar at once (a redirect), so it is not kept in
// the history or sent as a Referer.
func (h *Handler) portalOpen(r *portalRequest) error {
	token := r.c.Param("token")
	if !h.portalLimits.allow("token:"+token, portalPerToken) {
		return errTooMany
	}
	s, secret, err := h.app.OpenPortal(r.c.Request.Context(), token)
	if err != nil {
		return err
	}
	maxAge := int(s.ExpiresAt.Sub(nowUTC()).Seconds())
	http.SetCookie(r.c.Writer, h.portalCookieOf(portalCookie, secret, max(maxAge, 1)))
	r.c.Redirect(http.StatusSeeOther, portalPath)
	return nil
}

// portalLogout ends the session.
func (h *Handler) portalLogout(r *portalRequest) error {
	if err := h.app.ClosePortal(r.c.Request.Context(), r.secret); err != nil {
		return err
	}
	http.SetCookie(r.c.Writer, h.portalCookieOf(portalCookie, "", -1))
	r.c.Redirect(http.StatusSeeOther, "/portal/link?left=1")
	return nil
}

type portalLinkData struct {
	Token string
	Email string
	Sent  bool
	Left  bool
	Error string
}

// portalLinkForm asks for an address to send a new link to.
func (h *Handler) portalLinkForm(r *portalRequest) error {
	return h.showPortalLink(r, http.StatusOK, portalLinkData{Sent: r.c.Query("sent") == "1", Left: r.c.Query("left") == "1"})
}

func (h *Handler) showPortalLink(r *portalRequest, status int, d portalLinkData) error {
	d.Token = newPreSessionToken()
	http.SetCookie(r.c.Writer, h.portalCookieOf(portalPreCookie, d.Token, 3600))
	h.portalRender(r, status, "link", h.newPortalPage(r, "portal.link.title", d))
	return nil
}

// portalLinkSend sends a new link when the address is a known contact, and
// answers the same page either way (nothing tells whether it was known).
func (h *Handler) portalLinkSend(r *portalRequest) error {
	c := r.c
	pre, err := c.Cookie(portalPreCookie)
	if err != nil || !validToken(c.PostForm("csrf"), pre) {
		return domain.Errorf(domain.CodeForbidden, "%s", h.catalog.text(r.lang, "portal.error.form"))
	}
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	if !domain.IsEmail(email) {
		return h.showPortalLink(r, http.StatusUnprocessableEntity, portalLinkData{Email: email, Error: h.catalog.text(r.lang, "portal.link.bad_email")})
	}
	// Over a limit the answer is the same as under it: a flood learns nothing.
	// The link is made and sent after the answer, so that its time does not
	// tell a known address from an unknown one either.
	if h.portalLimits.allow("ask:"+c.ClientIP(), portalLinkAsks) && h.portalLimits.allow("email:"+email, portalPerEmail) {
		ctx := context.WithoutCancel(c.Request.Context())
		go func() {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := h.app.RequestPortalLink(ctx, email); err != nil {
				h.log.WarnContext(ctx, "portal link request", "err", err)
			}
		}()
	}
	c.Redirect(http.StatusSeeOther, "/portal/link?sent=1")
	return nil
}

// portalHomeData is the open items page.
type portalHomeData struct {
	app.PortalAccount
	Rows   []portalRow
	CanPay bool
	// Paging of Rows: the invoices of page Page (from 1) of Pages.
	Page, Pages, First, Last int
}

// portalPageSize is how many invoices the open items page lists at once: a
// phone shows a hundred well; the totals always count them all.
const portalPageSize = 100

// portalRow is one invoice of the open items page, formatted once here:
// an account may have thousands, and a template calling back into Go for
// each word of each row costs several times more (README "Customer portal").
type portalRow struct {
	ID                   int64
	Number, Open, Due    string
	Overdue              string // "" when not overdue
	Badges               []portalBadge
	Disputed, Late, PDFs bool
	Pay                  bool // a Pay link of its own
}

// portalBadge is a status word of a row; Warn marks a dispute.
type portalBadge struct {
	Text string
	Warn bool
}

// portalHome shows the open items, the totals and the customer's cases.
func (h *Handler) portalHome(r *portalRequest) error {
	acc, err := h.app.PortalAccount(r.c.Request.Context(), r.s)
	if err != nil {
		return err
	}
	d := portalHomeData{PortalAccount: acc, CanPay: acc.Customer.Settings.PayURL != ""}
	d.Pages = max(1, (len(acc.Invoices)+portalPageSize-1)/portalPageSize)
	d.Page = min(max(1, pageOf(r.c.Query("page"), portalPageSize).Offset/portalPageSize+1), d.Pages)
	from, to := (d.Page-1)*portalPageSize, min(d.Page*portalPageSize, len(acc.Invoices))
	d.First, d.Last = from+1, to
	d.Rows = make([]portalRow, to-from)
	p := h.newPortalPage(r, "portal.home.title", nil)
	t := func(key string, args ...any) string { return h.catalog.text(r.lang, key, args...) }
	badges := map[string]string{}
	for _, k := range []string{"disputed", "promised", "plan", "held"} {
		badges[k] = t("portal.status." + k)
	}
	pdfs := acc.Customer.Settings.DocumentURL != ""
	for i, inv := range acc.Invoices[from:to] {
		row := portalRow{ID: inv.ID, Number: inv.Number, Open: p.Money(inv.Open), Due: t("portal.due", p.Date(inv.DueDate)),
			Disputed: inv.Disputed, Late: inv.DaysOverdue > 0, PDFs: pdfs || inv.HasDocument, Pay: d.CanPay && !inv.Disputed}
		if row.Late {
			row.Overdue = t("portal.days_overdue", inv.DaysOverdue)
		}
		for _, b := range []struct {
			on  bool
			key string
		}{{inv.Disputed, "disputed"}, {inv.Promised, "promised"}, {inv.InPlan, "plan"}, {inv.Held, "held"}} {
			if b.on {
				row.Badges = append(row.Badges, portalBadge{Text: badges[b.key], Warn: b.key == "disputed"})
			}
		}
		d.Rows[i] = row
	}
	p.Data = d
	h.portalRender(r, http.StatusOK, "home", p)
	return nil
}

// portalBrand is the entity's colours as a stylesheet: the CSP allows no
// inline style, and this one is ours. Without a session, the defaults.
func (h *Handler) portalBrand(r *portalRequest) error {
	color := "#1f4e79"
	if r.account != nil && r.account.Settings.Color != "" {
		color = r.account.Settings.Color // checked by the database: #rrggbb
	}
	r.c.Header("Content-Type", "text/css; charset=utf-8")
	r.c.String(http.StatusOK, ":root{--brand:%s}\n", color)
	return nil
}

// formInvoiceIDs reads the chosen invoices of a form or query.
func formInvoiceIDs(vs []string) []int64 {
	var ids []int64
	for _, v := range vs {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// portalActData is the form of an action on chosen invoices.
type portalActData struct {
	Do       string // promise, paid, plan
	Invoices []store.PortalInvoice
	Total    money.Money
	MaxDate  string
	Today    string
	Values   url.Values
	Errors   fieldErrors
}

// portalActForm shows the form of an action on the invoices chosen on the
// open items page (promise, paid, plan); pay goes to the payment page.
func (h *Handler) portalActForm(r *portalRequest) error {
	q := r.c.Request.URL.Query()
	if q.Get("do") == "pay" {
		return h.portalPay(r)
	}
	return h.showAct(r, http.StatusOK, q.Get("do"), formInvoiceIDs(q["invoice"]), q, nil)
}

func (h *Handler) showAct(r *portalRequest, status int, do string, ids []int64, values url.Values, err error) error {
	switch do {
	case "promise", "paid", "plan":
	default:
		return domain.Errorf(domain.CodeNotFound, "no such page")
	}
	d := portalActData{Do: do, Values: values}
	if len(ids) == 0 {
		return h.portalDone(r, portalPath, h.catalog.text(r.lang, "portal.act.choose"))
	}
	var e error
	if d.Invoices, e = h.app.PortalInvoicesOf(r.c.Request.Context(), r.s, ids); e != nil {
		return e
	}
	d.Total = d.Invoices[0].Open
	for _, inv := range d.Invoices[1:] {
		if inv.Open.Currency == d.Total.Currency {
			d.Total, _ = d.Total.Add(inv.Open)
		}
	}
	if r.account != nil {
		today := todayIn(r.account.TimeZone)
		d.Today, d.MaxDate = today.String(), today.AddDays(r.account.Settings.PromiseMaxDays).String()
	}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		d.Errors = fe
	}
	h.portalRender(r, status, "act", h.newPortalPage(r, "portal.act."+do, d))
	return nil
}

// portalPay sends the customer to the entity's payment page for the chosen
// invoices (the URL template filled with their amount, currency and numbers).
func (h *Handler) portalPay(r *portalRequest) error {
	ids := formInvoiceIDs(r.c.QueryArray("invoice"))
	if len(ids) == 0 {
		return h.portalDone(r, portalPath, h.catalog.text(r.lang, "portal.act.choose"))
	}
	u, err := h.app.PortalPayURL(r.c.Request.Context(), r.s, ids)
	if err != nil {
		return err
	}
	r.c.Redirect(http.StatusSeeOther, u)
	return nil
}

// portalInvoicePDF sends the invoice's PDF the ERP gave (import kind
// documents), as a download; without one, sends the customer to the
// entity's document URL template, filled with the invoice's references.
func (h *Handler) portalInvoicePDF(r *portalRequest) error {
	id, err := strconv.ParseInt(r.c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	doc, content, found, err := h.app.PortalInvoiceDocument(r.c.Request.Context(), r.s, id)
	if err != nil {
		return err
	}
	if found {
		sendDocument(r.c, doc, content)
		return nil
	}
	u, err := h.app.PortalDocumentURL(r.c.Request.Context(), r.s, id)
	if err != nil {
		return err
	}
	r.c.Redirect(http.StatusSeeOther, u)
	return nil
}

func (h *Handler) portalPromise(r *portalRequest) error {
	c := r.c
	ids := formInvoiceIDs(c.PostFormArray("invoice"))
	p, err := h.app.PortalPromise(c.Request.Context(), r.s, app.PortalPromiseRequest{InvoiceIDs: ids, Date: c.PostForm("date")})
	if err != nil {
		return h.showAct(r, http.StatusUnprocessableEntity, "promise", ids, c.Request.PostForm, err)
	}
	return h.portalDone(r, portalPath, h.catalog.text(r.lang, "portal.promise.done", h.newPortalPage(r, "", nil).Money(p.Amount), p.Date.String()))
}

func (h *Handler) portalPaid(r *portalRequest) error {
	c := r.c
	ids := formInvoiceIDs(c.PostFormArray("invoice"))
	_, err := h.app.PortalPaid(c.Request.Context(), r.s, app.PortalPaidRequest{InvoiceIDs: ids, PaidOn: c.PostForm("paid_on"),
		Reference: c.PostForm("reference")})
	if err != nil {
		return h.showAct(r, http.StatusUnprocessableEntity, "paid", ids, c.Request.PostForm, err)
	}
	return h.portalDone(r, portalPath, h.catalog.text(r.lang, "portal.paid.done"))
}

// portalPlan reads up to planRows instalments (date and amount in the invoices' currency).
func (h *Handler) portalPlan(r *portalRequest) error {
	c := r.c
	ids := formInvoiceIDs(c.PostFormArray("invoice"))
	invs, err := h.app.PortalInvoicesOf(c.Request.Context(), r.s, ids)
	if err != nil {
		return err
	}
	cur := invs[0].Open.Currency
	req := app.PortalPlanRequest{InvoiceIDs: ids, Comment: c.PostForm("comment")}
	for i := 1; i <= planRows; i++ {
		date, amount := strings.TrimSpace(c.PostForm(fmt.Sprintf("date%d", i))), strings.TrimSpace(c.PostForm(fmt.Sprintf("amount%d", i)))
		if date == "" && amount == "" {
			continue
		}
		minor, err := money.ParseMinor(strings.ReplaceAll(amount, ",", "."), cur)
		if err != nil {
			return h.showAct(r, http.StatusUnprocessableEntity, "plan", ids, c.Request.PostForm,
				domain.FieldError("instalments", "instalment %d: %q is not an amount in %s", i, amount, cur.Code()))
		}
		req.Instalments = append(req.Instalments, app.InstalmentRequest{Date: date, AmountMinor: minor})
	}
	k, err := h.app.PortalRequestPlan(c.Request.Context(), r.s, req)
	if err != nil {
		return h.showAct(r, http.StatusUnprocessableEntity, "plan", ids, c.Request.PostForm, err)
	}
	return h.portalDone(r, "/portal/cases/"+strconv.FormatInt(k.ID, 10), h.catalog.text(r.lang, "portal.plan.done"))
}

// planRows is how many instalment rows the plan form offers.
const planRows = 6

// PlanRows numbers the plan form's rows.
func (p *PortalPage) PlanRows() []int {
	out := make([]int, planRows)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// Field is a posted value of an action form (for the form shown again).
func (d portalActData) Field(name string) string { return d.Values.Get(name) }

// FieldN is a numbered posted value (an instalment's).
func (d portalActData) FieldN(name string, i int) string {
	return d.Values.Get(fmt.Sprintf("%s%d", name, i))
}

// portalDisputeData is the dispute form of one invoice.
type portalDisputeData struct {
	Invoice store.PortalInvoice
	Reasons []string
	Values  url.Values
	Errors  fieldErrors
	MaxSize int64
}

func (h *Handler) portalDisputeForm(r *portalRequest) error {
	return h.showDispute(r, http.StatusOK, nil, nil)
}

func (h *Handler) showDispute(r *portalRequest, status int, values url.Values, err error) error {
	id, e := strconv.ParseInt(r.c.Param("id"), 10, 64)
	if e != nil || id < 1 {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	invs, e := h.app.PortalInvoicesOf(r.c.Request.Context(), r.s, []int64{id})
	if e != nil {
		return e
	}
	d := portalDisputeData{Invoice: invs[0], Reasons: domain.DisputeReasons, Values: values, MaxSize: h.app.AttachmentMax()}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		d.Errors = fe
	}
	h.portalRender(r, status, "dispute", h.newPortalPage(r, "portal.dispute.title", d))
	return nil
}

// Field is a posted value of the dispute form.
func (d portalDisputeData) Field(name string) string { return d.Values.Get(name) }

func (h *Handler) portalDispute(r *portalRequest) error {
	c := r.c
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	invs, err := h.app.PortalInvoicesOf(c.Request.Context(), r.s, []int64{id})
	if err != nil {
		return err
	}
	var disputed int64
	if v := strings.TrimSpace(c.PostForm("amount")); v != "" {
		if disputed, err = money.ParseMinor(strings.ReplaceAll(v, ",", "."), invs[0].Open.Currency); err != nil {
			return h.showDispute(r, http.StatusUnprocessableEntity, c.Request.PostForm,
				domain.FieldError("amount", "%q is not an amount in %s", v, invs[0].Open.Currency.Code()))
		}
	}
	files, err := h.portalFiles(r)
	if err != nil {
		return err
	}
	k, err := h.app.PortalDispute(c.Request.Context(), r.s, app.PortalDisputeRequest{InvoiceID: id, Reason: c.PostForm("reason"),
		DisputedMinor: disputed, Comment: c.PostForm("comment"), Files: files})
	if err != nil {
		return h.showDispute(r, http.StatusUnprocessableEntity, c.Request.PostForm, err)
	}
	return h.portalDone(r, "/portal/cases/"+strconv.FormatInt(k.ID, 10), h.catalog.text(r.lang, "portal.dispute.done", invs[0].Number))
}

// portalFiles reads the "file" parts of a multipart post.
func (h *Handler) portalFiles(r *portalRequest) ([]app.AttachmentUpload, error) {
	return h.uploadedFiles(&request{c: r.c}, "file")
}

type portalMessageData struct {
	Text    string
	Errors  fieldErrors
	MaxSize int64
}

func (h *Handler) portalMessageForm(r *portalRequest) error {
	h.portalRender(r, http.StatusOK, "message", h.newPortalPage(r, "portal.message.title", portalMessageData{MaxSize: h.app.AttachmentMax()}))
	return nil
}

func (h *Handler) portalMessage(r *portalRequest) error {
	c := r.c
	files, err := h.portalFiles(r)
	if err != nil {
		return err
	}
	text := c.PostForm("text")
	k, err := h.app.PortalMessage(c.Request.Context(), r.s, text, files)
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		h.portalRender(r, http.StatusUnprocessableEntity, "message", h.newPortalPage(r, "portal.message.title",
			portalMessageData{Text: text, Errors: fe, MaxSize: h.app.AttachmentMax()}))
		return nil
	}
	return h.portalDone(r, "/portal/cases/"+strconv.FormatInt(k.ID, 10), h.catalog.text(r.lang, "portal.message.done"))
}

type portalThreadData struct {
	app.PortalThread
	Errors fieldErrors
}

// Mine says whether a comment or file is the customer's own.
func (d portalThreadData) Mine(author string) bool { return strings.HasSuffix(author, " (portal)") }

func (h *Handler) portalThread(r *portalRequest) error { return h.showThread(r, http.StatusOK, nil) }

func (h *Handler) showThread(r *portalRequest, status int, err error) error {
	id, e := strconv.ParseInt(r.c.Param("id"), 10, 64)
	if e != nil || id < 1 {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	t, e := h.app.PortalThread(r.c.Request.Context(), r.s, id)
	if e != nil {
		return e
	}
	d := portalThreadData{PortalThread: t}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		d.Errors = fe
	}
	h.portalRender(r, status, "thread", h.newPortalPage(r, "portal.thread.title", d))
	return nil
}

func (h *Handler) portalReply(r *portalRequest) error {
	c := r.c
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	files, err := h.portalFiles(r)
	if err != nil {
		return err
	}
	if err := h.app.PortalReply(c.Request.Context(), r.s, id, c.PostForm("text"), files); err != nil {
		return h.showThread(r, http.StatusUnprocessableEntity, err)
	}
	return h.portalDone(r, "/portal/cases/"+strconv.FormatInt(id, 10), h.catalog.text(r.lang, "portal.thread.done"))
}

// portalFile downloads a file of the customer's case: never shown inline.
func (h *Handler) portalFile(r *portalRequest) error {
	id, err1 := strconv.ParseInt(r.c.Param("id"), 10, 64)
	fid, err2 := strconv.ParseInt(r.c.Param("file"), 10, 64)
	if err1 != nil || err2 != nil {
		return domain.Errorf(domain.CodeNotFound, "not found")
	}
	at, content, err := h.app.PortalAttachment(r.c.Request.Context(), r.s, id, fid)
	if err != nil {
		return err
	}
	r.c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(at.FileName))
	r.c.Header("Content-Security-Policy", "sandbox; default-src 'none'")
	r.c.Data(http.StatusOK, at.ContentType, content)
	return nil
}

// Kind is the catalogue key of a statement item's kind.
func (p *PortalPage) Kind(it templates.StatementItem) string { return "portal.kind." + it.Kind }
