package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/app"
	"recoup/domain"
	"recoup/importer"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

const invoicePDF = "%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"

type documentsBundle struct {
	a      *app.App
	st     *store.Store
	admin  domain.Principal
	cust   int64
	f1, f2 int64
}

func setupDocuments(t *testing.T) documentsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	st := &store.Store{Pool: pool}
	rows := storetest.NewFactory(pool)
	b := documentsBundle{a: app.New(st, nil, nil), st: st, admin: domain.Principal{UserID: 1, Email: "admin@acme.example", Role: domain.RoleAdmin, AllEntities: true}}
	b.cust = rows.Customer(t, storetest.Customer{ExternalID: "C1"})
	eur := money.MustCurrency("EUR")
	b.f1 = rows.Invoice(t, storetest.Invoice{Customer: b.cust, ExternalID: "INV-1", Number: "F-1", Amount: money.Money{Minor: 100, Currency: eur}})
	b.f2 = rows.Invoice(t, storetest.Invoice{Customer: b.cust, ExternalID: "INV-2", Number: "F-2", Amount: money.Money{Minor: 100, Currency: eur}})
	return b
}

func (b documentsBundle) load(t *testing.T, format importer.Format, body string) app.Imported {
	t.Helper()
	res, err := b.a.Import(context.Background(), b.admin, app.ImportRequest{Kind: "documents", Format: format, Name: "test", Body: strings.NewReader(body)})
	require.NoError(t, err)
	return res
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// A documents file is all or nothing: each bad row is named with its line
// and field (the file check of case attachments, an unknown invoice, a
// second document for one invoice), and while one is bad no document is stored.
func TestADocumentsImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	b := setupDocuments(t)
	ctx := context.Background()
	html := "<html><script>alert(1)</script></html>"
	res := b.load(t, importer.CSV, "invoice_external_id,file_name,content\n"+
		"INV-1,F-1.pdf,"+b64(invoicePDF)+"\n"+
		"INV-2,F-2.pdf,"+b64(html)+"\n"+
		"INV-9,F-9.pdf,"+b64(invoicePDF)+"\n"+
		"INV-1,again.pdf,"+b64(invoicePDF)+"\n"+
		"INV-2,F-2.png,"+b64(invoicePDF)+"\n"+
		"INV-2,F-2.pdf,not base64!\n")
	require.Zero(t, res.Inserted)
	got := map[int64]string{}
	for _, r := range res.Rejections {
		got[r.Line] = r.Field + ": " + r.Reason
	}
	require.Len(t, got, 5, "%v", got)
	require.Contains(t, got[3], "content: ")
	require.Contains(t, got[3], "not what a .pdf file holds")
	require.Equal(t, "invoice_external_id: unknown invoice INV-9: import it first", got[4])
	require.Equal(t, "invoice_external_id: invoice INV-1 has a document at line 2 already", got[5])
	require.Contains(t, got[6], "content: ")
	require.Contains(t, got[7], "content: not base64")
	docs, err := b.st.DocumentedInvoices(ctx, b.cust)
	require.NoError(t, err)
	require.Empty(t, docs, "the good row is not stored either")

	// The same rows made good, in JSON: every document lands; sent again, nothing changes.
	body := fmt.Sprintf(`[{"invoice_external_id": "INV-1", "file_name": "F-1.pdf", "content": %q},
{"invoice_external_id": "INV-2", "file_name": "Facture n°2.pdf", "content": %q}]`, b64(invoicePDF), b64(invoicePDF+"% two\n"))
	res = b.load(t, importer.JSON, body)
	require.Equal(t, [3]int64{2, 0, 0}, [3]int64{res.Inserted, res.Updated, res.Rejected}, res.Rejections)
	res = b.load(t, importer.JSON, body)
	require.Equal(t, [3]int64{0, 0, 2}, [3]int64{res.Inserted, res.Updated, res.Unchanged})

	d, content, err := b.a.InvoiceDocument(ctx, b.admin, b.cust, b.f2)
	require.NoError(t, err)
	require.Equal(t, "Facture n°2.pdf", d.FileName)
	require.Equal(t, "application/pdf", d.ContentType)
	require.Equal(t, invoicePDF+"% two\n", string(content))
	_, _, err = b.a.InvoiceDocument(ctx, b.admin, b.cust+1000, b.f2)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "%v", err)
}
