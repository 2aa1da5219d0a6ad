package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"recoup/store"
)

// sendDocument sends an invoice's PDF as a download (as a case's files go:
// never shown inline, sandboxed).
func sendDocument(c *gin.Context, d store.InvoiceDocument, content []byte) {
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(d.FileName))
	c.Header("Content-Security-Policy", "sandbox; default-src 'none'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, d.ContentType, content)
}

// accountInvoicePDF sends the PDF the ERP gave for one of the account's invoices.
func (h *Handler) accountInvoicePDF(r *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	invoice, err := pathID(r, "invoice")
	if err != nil {
		return err
	}
	d, content, err := h.app.InvoiceDocument(r.c.Request.Context(), r.who, id, invoice)
	if err != nil {
		return err
	}
	sendDocument(r.c, d, content)
	return nil
}
