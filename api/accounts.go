package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
)

func (s *Server) listCustomers(c *gin.Context) error {
	if err := queryParams(c, "entity", "agent", "category", "q", "overdue", "on_hold", "sort", "limit", "offset"); err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	q := app.CustomerQuery{Entity: c.Query("entity"), Agent: c.Query("agent"), Category: c.Query("category"),
		Search: c.Query("q"), Sort: c.Query("sort"), Page: p}
	if q.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return err
	}
	if q.OnHold, err = optionalBool(c, "on_hold"); err != nil {
		return err
	}
	list, total, err := s.app.Customers(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pageView[customerView]{Items: mapSlice(list, toCustomer), Total: total, Limit: p.Limit, Offset: p.Offset})
	return nil
}

func (s *Server) getCustomer(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	d, err := s.app.Customer(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, customerDetailView{customerView: toCustomer(d.Customer), OpenItems: mapSlice(d.OpenItems, toInvoice),
		OpenItemsTruncated: d.OpenItemsTruncated})
	return nil
}

func (s *Server) listInvoices(c *gin.Context) error {
	if err := queryParams(c, "customer", "status", "overdue", "limit", "offset"); err != nil {
		return err
	}
	q := app.InvoiceQuery{Status: c.Query("status")}
	var err error
	if q.Page, err = page(c); err != nil {
		return err
	}
	if q.CustomerID, err = optionalID(c, "customer"); err != nil {
		return err
	}
	if q.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return err
	}
	res, err := s.app.Invoices(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, invoicePageView{pageView: pageView[invoiceView]{Items: mapSlice(res.Items, toInvoice), Total: res.Total,
		Limit: q.Limit, Offset: q.Offset}, TotalExact: res.TotalExact})
	return nil
}
