package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store/storetest"
)

const xss = "<script>alert(1)</script>"

// A credit manager opens a French template, previews a change for a real
// account (whose name is hostile: it comes back escaped, and the HTML part
// only inside a sandboxed frame), saves it, then reverts to the shipped one.
func TestCreditManagerEditsAFrenchTemplateWithAPreview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cust := b.rows.Customer(t, storetest.Customer{ExternalID: "C-77", Name: xss + " SARL", Language: "fr"})
	b.rows.Invoice(t, storetest.Invoice{Customer: cust, Number: "F-2026-9"})
	cm := b.signIn(t, "carla@example.com", domain.RoleCreditManager)

	status, body := cm.get("/templates?channel=email&language=fr")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `href="/templates/reminder_1/email/fr"`)
	require.NotContains(t, body, `href="/templates/reminder_1/sms/fr"`, "filtered by channel")

	status, body = cm.get("/templates/reminder_1/email/fr")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<iframe class="preview-html" sandbox srcdoc=`, "the stored template previewed on opening")
	require.Contains(t, body, "C-77", "for the account with open invoices")

	path := "/templates/reminder_1/email/fr"
	form := url.Values{"do": {"preview"}, "subject": {"Relance {{.Customer.Name}}"},
		"text": {"Bonjour {{.Customer.Name}}, facture {{range .Invoices}}{{.Number}}{{end}}."},
		"html": {"<p>Bonjour {{.Customer.Name}}</p>"}, "customer": {"C-77"}}
	res := cm.post(path, form)
	require.Equal(t, http.StatusOK, res.StatusCode)
	body = readBody(t, res)
	require.Contains(t, body, "Relance &lt;script&gt;alert(1)&lt;/script&gt; SARL", "the rendered subject, escaped")
	require.Contains(t, body, "facture F-2026-9.", "the account's own invoices")
	require.Contains(t, body, `srcdoc="&lt;p&gt;Bonjour &amp;lt;script&amp;gt;`, "the HTML only inside the sandboxed frame, escaped twice")
	require.NotContains(t, body, xss, "nothing of the account's name runs in our page")
	require.NotContains(t, body, "<p>Bonjour", "the rendered HTML is never part of our page")
	requireOverrides(t, b, 0, "a preview saves nothing")

	form.Set("do", "save")
	res = cm.post(path, form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, path, res.Header.Get("Location"))
	requireOverrides(t, b, 1, "saved")
	status, body = cm.get(path)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Template reminder_1/email/fr saved.")
	require.Contains(t, body, "Revert to the shipped version")
	require.Contains(t, body, `data-confirm=`)

	res = cm.post(path+"/revert", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	requireOverrides(t, b, 0, "reverted")
}

// A broken template is refused; the error, with its line, sits beside the part at fault.
func TestABrokenTemplateShowsItsErrorNextToTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cm := b.signIn(t, "carla@example.com", domain.RoleCreditManager)
	for _, do := range []string{"save", "preview"} {
		res := cm.post("/templates/reminder_1/sms/fr", url.Values{"do": {do}, "text": {"Bonjour\n{{.Customer.Name}\n"}})
		require.Equal(t, http.StatusBadRequest, res.StatusCode, do)
		body := readBody(t, res)
		require.Contains(t, body, `<p class="field-error" id="text-error">`, do)
		require.Contains(t, body, "text part, line 2", do)
		require.Contains(t, body, "{{.Customer.Name}\n</textarea>", "what was typed comes back")
	}
	requireOverrides(t, b, 0, "nothing saved")

	res := cm.post("/templates/reminder_1/email/fr", url.Values{"do": {"preview"}, "subject": {"x"}, "text": {"x"}, "html": {"x"},
		"customer": {"NOPE"}})
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, readBody(t, res), `id="customer-error"`, "an account one cannot see is refused beside its field")
}

// Readers may read and preview; only managers save; others do not see templates.
func TestTemplatePermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agent := b.signIn(t, "alice@example.com", domain.RoleAgent)
	status, body := agent.get("/templates/reminder_1/email/fr")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `value="preview"`)
	require.NotContains(t, body, `value="save"`, "no save button for a reader")
	require.Contains(t, body, "Rendered with sample data", "an agent with no account of their own previews with the sample")
	res := agent.post("/templates/reminder_1/email/fr", url.Values{"do": {"save"}, "subject": {"x"}, "text": {"x"}, "html": {"x"}})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "the server refuses anyway")
	res = agent.post("/templates/reminder_1/email/fr/revert", nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	requireOverrides(t, b, 0, "")

	rep := b.signIn(t, "sam@example.com", domain.RoleSalesRep)
	status, _ = rep.get("/templates")
	require.Equal(t, http.StatusForbidden, status)
}

func requireOverrides(t *testing.T, b *testBundle, n int, msg string) {
	t.Helper()
	list, err := b.store.TemplateOverrideList(context.Background())
	require.NoError(t, err)
	require.Len(t, list, n, msg)
}
