package integration

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"recoup/dunning"
)

var portalLinkRE = regexp.MustCompile(`http://[^\s"<]+/portal/l/[A-Za-z0-9_-]{43}`)

// portalCustomer is the debtor's browser: its own cookies, redirects followed.
type portalCustomer struct {
	t      *testing.T
	client *http.Client
	base   string
	csrf   string
}

func (c *portalCustomer) get(path string) (int, string) {
	c.t.Helper()
	res, err := c.client.Get(c.base + path)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, string(b)
}

// post sends a multipart form (fields, then files) with the page's token.
func (c *portalCustomer) post(path string, fields url.Values, files map[string][]byte) (int, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(c.t, mw.WriteField("csrf", c.csrf))
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(c.t, mw.WriteField(k, v))
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(c.t, err)
		_, _ = fw.Write(data)
	}
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.base+path, &buf)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	res, err := c.client.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, string(b)
}

// pdfText is the text of a PDF's content streams (fpdf deflates them).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b)
	}
	return out.String()
}

// pdfString is how the statement's font (DejaVu Sans, a UTF-8 font in
// fpdf) writes s in a content stream: a string of UTF-16BE code units.
func pdfString(s string) string {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return "(" + string(out) + ")"
}

// From the reminder email to the portal and back to the team, on the whole
// `recoup dev` stack: the link read from the email captured over SMTP opens
// the account; the customer promises to pay two invoices (no reminder for
// them until the date; the agent sees the promise; a confirmation by
// email), disputes the third with a PDF attached (the department has the
// case and the file), and downloads the statement, whose total is the email's.
func TestAReminderLinkLetsTheCustomerPromiseDisputeAndReadTheStatement(t *testing.T) {
	s, stop := setupDesk(t)
	defer stop()
	cur := s.currency
	postCSV(t, s.api, "customers", "external_id,entity,name,currency,email,phone,language,sms_consent,agent_email\n"+
		"P1,E1,Portal Buyer Ltd,"+cur+",ap@portal-buyer.example,,en,,"+s.agent.Email+"\n")
	sc := postJSON(t, http.MethodPost, s.api+"/api/v1/scenarios",
		`{"name": "Two emails", "steps": [{"offset_days": 7, "channel": "email", "template": "reminder_1"},
		 {"offset_days": 14, "channel": "email", "template": "reminder_2"}]}`, http.StatusCreated)
	p1 := s.id(t, "customers", "P1")
	postJSON(t, http.MethodPut, fmt.Sprintf("%s/api/v1/customers/%d/scenario", s.api, p1), fmt.Sprintf(`{"scenario_id": %v}`, sc["id"]), http.StatusOK)
	due := s.today.AddDays(-7)
	postCSV(t, s.api, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("PI1,P1,INV-1,invoice,%s,%s,%s,400,400\n", due.AddDays(-30), due, cur)+
		fmt.Sprintf("PI2,P1,INV-2,invoice,%s,%s,%s,250,250\n", due.AddDays(-30), due, cur)+
		fmt.Sprintf("PI3,P1,INV-3,invoice,%s,%s,%s,100,100\n", due.AddDays(-30), due, cur))
	pi1, pi2, pi3 := s.id(t, "invoices", "PI1"), s.id(t, "invoices", "PI2"), s.id(t, "invoices", "PI3")

	// The reminder arrives with the personal link.
	var reminder mailItem
	require.Eventually(t, func() bool {
		for _, m := range devMail(t, s.api) {
			if strings.Contains(m.Text, "INV-1") {
				reminder = m
				return true
			}
		}
		return false
	}, 90*time.Second, 300*time.Millisecond, "the first reminder")
	link := portalLinkRE.FindString(reminder.Text)
	require.NotEmpty(t, link, "the reminder carries the portal link: %s", reminder.Text)
	linkURL, err := url.Parse(link)
	require.NoError(t, err)
	token, ok := strings.CutPrefix(linkURL.Path, "/portal/l/")
	require.True(t, ok, link)
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, token, "the path is the 256-bit token alone: no internal id")
	require.Empty(t, linkURL.RawQuery)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &portalCustomer{t: t, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: s.api}
	res, err := c.client.Get(link)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/portal/", res.Request.URL.Path, "the token left the address bar")
	for _, n := range []string{"INV-1", "INV-2", "INV-3", "Portal Buyer Ltd"} {
		require.Contains(t, string(body), n)
	}
	_, rest, ok := strings.Cut(string(body), `name="csrf" value="`)
	require.True(t, ok)
	c.csrf, _, _ = strings.Cut(rest, `"`)

	// The statement PDF, before anything changes the balance: its net balance is the email's.
	_, net, ok := strings.Cut(reminder.Text, "Net balance due: ")
	require.True(t, ok, reminder.Text)
	net, _, _ = strings.Cut(net, "\n")
	res, err = c.client.Get(s.api + "/portal/statement.pdf")
	require.NoError(t, err)
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
	text := pdfText(t, pdf)
	require.Contains(t, text, pdfString("Balance due"))
	require.Contains(t, text, pdfString(strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(strings.TrimSpace(net))),
		"the email's net balance due, %s", net)
	for _, n := range []string{"INV-1", "INV-2", "INV-3"} {
		require.Contains(t, text, pdfString(n))
	}

	// A promise for two invoices.
	promised := s.today.AddDays(5)
	status, page := c.post("/portal/promise", url.Values{"invoice": {fmt.Sprint(pi1), fmt.Sprint(pi2)}, "date": {promised.String()}}, nil)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "your promise to pay")
	list := s.promises(t, p1)
	require.Len(t, list, 1, "the agent sees the promise")
	require.Equal(t, "portal", list[0].Source)
	require.ElementsMatch(t, []int64{pi1, pi2}, list[0].Invoices)
	require.Equal(t, promised.String(), list[0].Date)
	require.Eventually(t, func() bool {
		for _, m := range devMail(t, s.api) {
			if strings.HasPrefix(m.Subject, "Your promise to pay") && slices.Equal(m.To, []string{"ap@portal-buyer.example"}) {
				return true
			}
		}
		return false
	}, 30*time.Second, 300*time.Millisecond, "the promise is confirmed by email")

	// No reminder for the promised invoices until the promise date (+ grace).
	heldUntil, err := dunning.ParseDate(list[0].HeldUntil)
	require.NoError(t, err)
	var preview struct {
		Actions []previewAction `json:"actions"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/dunning/preview?days=30", s.api, p1), &preview))
	for _, a := range preview.Actions {
		for _, id := range a.InvoiceIDs {
			if id == pi1 || id == pi2 {
				require.True(t, dunning.DateOf(a.At.In(s.loc)).After(heldUntil), "%s reminds invoice %d before %s", a.At, id, heldUntil)
			}
		}
	}

	// A dispute of the third invoice with a PDF.
	note := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	status, page = c.post(fmt.Sprintf("/portal/invoices/%d/dispute", pi3),
		url.Values{"reason": {"quantity"}, "comment": {"two pallets missing"}}, map[string][]byte{"delivery-note.pdf": note})
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "two pallets missing")
	var cases struct {
		Items []struct {
			ID         int64  `json:"id"`
			Type       string `json:"type"`
			Source     string `json:"source"`
			Department string `json:"department"`
			CustomerID int64  `json:"customer_id"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, s.api+"/api/v1/cases?type=dispute", &cases))
	require.Len(t, cases.Items, 1)
	k := cases.Items[0]
	require.Equal(t, "portal", k.Source)
	require.Equal(t, p1, k.CustomerID)
	require.NotEmpty(t, k.Department)
	var files struct {
		Items []struct {
			FileName string `json:"file_name"`
		} `json:"attachments"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/cases/%d/attachments", s.api, k.ID), &files))
	require.Len(t, files.Items, 1)
	require.Equal(t, "delivery-note.pdf", files.Items[0].FileName)
	var inv3 string
	require.NoError(t, s.conn.QueryRow(context.Background(), `SELECT status FROM invoices WHERE id = $1`, pi3).Scan(&inv3))
	require.Equal(t, "disputed", inv3, "at once")

	// Every portal action is on the account's timeline, the contact as actor.
	var entries struct {
		Entries []struct{ Kind, Action, Actor string }
	}
	require.Equal(t, http.StatusOK, getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/history", s.api, p1), &entries))
	actors := map[string]string{}
	for _, e := range entries.Entries {
		if e.Kind == "journal" {
			actors[e.Action] = e.Actor
		}
	}
	for _, action := range []string{"portal.open", "portal.statement", "promise.create", "case.open"} {
		require.Equal(t, "ap@portal-buyer.example (portal)", actors[action], "%s on the timeline: %v", action, actors)
	}

}
