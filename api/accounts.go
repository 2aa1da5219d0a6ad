package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/store"
)

// listCustomers is the accounts list: filters, sort (a built-in key or a
// user-defined column), column filters (where=<yes/no column>,
// <number column>_min / _max), and format=csv|xlsx for the whole list.
func (s *Server) listCustomers(c *gin.Context) error {
	q := app.AccountQuery{Min: map[string]string{}, Max: map[string]string{}}
	var known []string
	for name, v := range c.Request.URL.Query() {
		if col, ok := strings.CutSuffix(name, "_min"); ok {
			q.Min[col], known = v[0], append(known, name)
		} else if col, ok := strings.CutSuffix(name, "_max"); ok {
			q.Max[col], known = v[0], append(known, name)
		}
	}
	if err := queryParams(c, append(known, "entity", "agent", "category", "q", "overdue", "on_hold", "sort", "where", "format",
		"limit", "offset")...); err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	q.CustomerQuery = app.CustomerQuery{Entity: c.Query("entity"), Agent: c.Query("agent"), Category: c.Query("category"),
		Search: c.Query("q"), Sort: c.Query("sort"), Page: p}
	q.Where = c.Query("where")
	if q.Overdue, err = optionalBool(c, "overdue"); err != nil {
		return err
	}
	if q.OnHold, err = optionalBool(c, "on_hold"); err != nil {
		return err
	}
	ctx, who := c.Request.Context(), principal(c)
	f, err := downloadFormat(c)
	if err != nil {
		return err
	}
	if f != "" {
		l, err := s.app.AccountExport(ctx, who, q)
		if err != nil {
			return err
		}
		if l.Bounded {
			c.Header("Recoup-Rows-Bounded", fmt.Sprint(app.MaxColumnScan))
		}
		s.download(c, "accounts-"+time.Now().UTC().Format("2006-01-02"), f, app.AccountTable(l))
		return nil
	}
	l, err := s.app.AccountList(ctx, who, q)
	if err != nil {
		return err
	}
	items := make([]customerView, len(l.Rows))
	for i, r := range l.Rows {
		items[i] = toCustomer(r.Customer)
		fv := toFigures(r.Figures)
		items[i].Figures = &fv
		items[i].Columns = map[string]any{}
		for name, v := range r.Values {
			items[i].Columns[name] = toValue(v)
		}
	}
	c.JSON(http.StatusOK, accountPageView{pageView: pageView[customerView]{Items: items, Total: l.Total, Limit: p.Limit, Offset: p.Offset},
		Columns: mapSlice(l.Columns, toColumn), Bounded: l.Bounded})
	return nil
}

// accountPageView is a page of the accounts list with the user-defined
// columns its items carry.
type accountPageView struct {
	pageView[customerView]
	Columns []columnView `json:"columns"`
	Bounded bool         `json:"bounded"`
}

// toValue is a column's value in JSON: a number with two decimals, a
// boolean, a string, or null.
func toValue(v app.ColumnValue) any {
	switch {
	case v.Null:
		return nil
	case v.Type == app.ColumnNumber:
		return json.Number(v.Decimal())
	case v.Type == app.ColumnBool:
		return v.Bool
	}
	return v.Text
}

// figuresView is one account's per-account figures (README "Per-account figures").
type figuresView struct {
	Outstanding         moneyView            `json:"outstanding"`
	Overdue             moneyView            `json:"overdue"`
	Aging               map[string]moneyView `json:"aging"`
	Credits             moneyView            `json:"credits"`
	Sales90             moneyView            `json:"sales_90"`
	DSO                 *json.Number         `json:"dso"`
	AverageDaysToPay    *json.Number         `json:"average_days_to_pay"`
	AveragePaymentDelay *json.Number         `json:"average_payment_delay"`
	CreditLimit         *moneyView           `json:"credit_limit"`
	OpenOrders          *moneyView           `json:"open_orders"`
	LimitUse            *json.Number         `json:"limit_use"` // percent, two decimals
	RiskClass           string               `json:"risk_class"`
	Disputed            moneyView            `json:"disputed"`
	Promised            moneyView            `json:"promised"`
	LastContact         *time.Time           `json:"last_contact"`
	DaysOverdue         int                  `json:"days_overdue"`
}

func toFigures(f store.AccountFigures) figuresView {
	m := func(minor int64) moneyView { return toMoney(moneyOf(minor, f)) }
	v := figuresView{Outstanding: m(f.Outstanding()), Overdue: m(f.Overdue()), Aging: map[string]moneyView{},
		Credits: m(f.OpenCredits + f.Unallocated), Sales90: m(f.Sales), DSO: ratio(f.DSO()),
		AverageDaysToPay: ratio(f.DaysToPay()), AveragePaymentDelay: ratio(f.PaymentDelay()), RiskClass: f.RiskClass,
		Disputed: m(f.Disputed), Promised: m(f.Promised), LastContact: utcPtr(f.LastContact), DaysOverdue: f.OldestOverdueDays}
	for i, b := range f.Buckets {
		v.Aging[store.BucketNames[i]] = m(b)
	}
	if f.CreditLimit != nil {
		l := m(*f.CreditLimit)
		v.CreditLimit = &l
	}
	if f.OpenOrders != nil {
		o := m(*f.OpenOrders)
		v.OpenOrders = &o
	}
	v.LimitUse = ratio(f.LimitUse())
	return v
}

func (s *Server) getCustomer(c *gin.Context) error {
	id, err := resourceID(c)
	if err != nil {
		return err
	}
	ctx, who := c.Request.Context(), principal(c)
	d, err := s.app.Customer(ctx, who, id)
	if err != nil {
		return err
	}
	f, err := s.app.CustomerFigures(ctx, who, id)
	if err != nil {
		return err
	}
	cs, err := s.app.CreditStatus(ctx, who, id)
	if err != nil {
		return err
	}
	fv := toFigures(f)
	c.JSON(http.StatusOK, customerDetailView{customerView: toCustomer(d.Customer), OpenItems: mapSlice(d.OpenItems, toInvoice),
		OpenItemsTruncated: d.OpenItemsTruncated, Figures: fv, Credit: toCredit(cs, f.Currency)})
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
