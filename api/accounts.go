package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/store"
)

func (s *Server) listCustomers(c *gin.Context) {
	f, err := customerFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.store.ListCustomers(c.Request.Context(), perimeter(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageView[customerView]{Items: mapSlice(list, toCustomer), Total: total, Limit: f.Limit, Offset: f.Offset})
}

func customerFilter(c *gin.Context) (store.CustomerFilter, error) {
	if err := queryParams(c, "entity", "agent", "category", "q", "sort", "limit", "offset"); err != nil {
		return store.CustomerFilter{}, err
	}
	p, err := page(c)
	if err != nil {
		return store.CustomerFilter{}, err
	}
	f := store.CustomerFilter{EntityCode: c.Query("entity"), AgentEmail: c.Query("agent"), Category: c.Query("category"),
		Search: c.Query("q"), Sort: store.SortByName, Page: p}
	if v := c.Query("sort"); v != "" {
		if v[0] == '-' {
			f.Desc, v = true, v[1:]
		}
		switch key := store.CustomerSort(v); key {
		case store.SortByName, store.SortByExternalID, store.SortByID:
			f.Sort = key
		default:
			return f, domain.FieldError("sort", "%q: want name, external_id or id, with a leading - for descending", c.Query("sort"))
		}
	}
	return f, nil
}

func (s *Server) getCustomer(c *gin.Context) {
	id, err := resourceID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.store.GetCustomer(c.Request.Context(), perimeter(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, customerDetailView{customerView: toCustomer(d.Customer), OpenItems: mapSlice(d.OpenItems, toInvoice),
		OpenItemsTruncated: d.OpenItemsTruncated})
}

func (s *Server) listInvoices(c *gin.Context) {
	f, err := invoiceFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.store.ListInvoices(c.Request.Context(), perimeter(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageView[invoiceView]{Items: mapSlice(list, toInvoice), Total: total, Limit: f.Limit, Offset: f.Offset})
}

func invoiceFilter(c *gin.Context) (store.InvoiceFilter, error) {
	var f store.InvoiceFilter
	if err := queryParams(c, "customer", "status", "overdue", "limit", "offset"); err != nil {
		return f, err
	}
	var err error
	if f.Page, err = page(c); err != nil {
		return f, err
	}
	if f.CustomerID, err = optionalID(c, "customer"); err != nil {
		return f, err
	}
	if f.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return f, err
	}
	if v := c.Query("status"); v != "" {
		st, err := domain.ParseInvoiceStatus(v)
		if err != nil {
			return f, err
		}
		f.Status = &st
	}
	return f, nil
}

// visibleCustomer reads the {id} of a customer route and answers 404 unless
// the customer is inside the caller's perimeter.
func (s *Server) visibleCustomer(c *gin.Context) (int64, bool) {
	id, err := pathID(c, "id")
	if err == nil {
		err = s.store.CheckCustomer(c.Request.Context(), perimeter(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return 0, false
	}
	return id, true
}
