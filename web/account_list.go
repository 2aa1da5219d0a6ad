package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"recoup/app"
	"recoup/domain"
	"recoup/export"
	"recoup/store"
)

const accountRows = 50

// accountColumn is a sortable column of the customer list.
type accountColumn struct {
	Label string // catalogue key
	Next  string // the sort a click asks for: ascending first, descending when already ascending
	Dir   string // ascending, descending or "" (aria-sort)
	Num   bool
}

type accountListData struct {
	Customers                                              []app.AccountRow
	Total                                                  int64
	Columns                                                []accountColumn
	Search, Entity, Agent, Category, Overdue, OnHold, Sort string
	Filtered                                               bool
	// The user-defined columns (after the built-in ones), their filters
	// (where: a yes/no column; range, min, max: a number column) and
	// whether a column sort or filter stopped at app.MaxColumnScan accounts.
	Custom                  []customColumn
	Where, Range, Min, Max  string
	BoolColumns, NumColumns []store.Column
	Bounded                 bool
	Bound                   int
	Current                 int
	Pages                   int
	PageLinks               []int // the page numbers to link: the first, the last, and the ones near the current
}

// customColumn is a user-defined column of the list: its header and sort link.
type customColumn struct {
	store.Column
	accountColumn
}

// accountList is the customers the person may see: search, filters, sort by
// column (user-defined ones too), 50 a page; format=csv or xlsx downloads the
// whole list (up to app.MaxColumnScan rows).
func (h *Handler) accountList(r *request) error {
	c := r.c
	d := accountListData{Search: strings.TrimSpace(c.Query("q")), Entity: c.Query("entity"), Agent: c.Query("agent"),
		Category: c.Query("category"), Overdue: c.Query("overdue"), OnHold: c.Query("on_hold"), Sort: c.DefaultQuery("sort", "name"),
		Where: c.Query("where"), Range: c.Query("range"), Min: strings.TrimSpace(c.Query("min")), Max: strings.TrimSpace(c.Query("max")),
		Bound: app.MaxColumnScan}
	q := app.AccountQuery{CustomerQuery: app.CustomerQuery{Search: d.Search, Entity: d.Entity, Agent: d.Agent, Category: d.Category,
		Sort: d.Sort, Overdue: yesNo(d.Overdue), OnHold: yesNo(d.OnHold), Page: queryPage(r, accountRows)}, Where: d.Where}
	if d.Range != "" && d.Min != "" {
		q.Min = map[string]string{d.Range: d.Min}
	}
	if d.Range != "" && d.Max != "" {
		q.Max = map[string]string{d.Range: d.Max}
	}
	ctx := c.Request.Context()
	switch f := export.Format(c.Query("format")); f {
	case "":
	case export.CSV, export.XLSX:
		l, err := h.app.AccountExport(ctx, r.who, q)
		if err != nil {
			return err
		}
		c.Header("Content-Type", f.ContentType())
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="accounts-%s.%s"`, time.Now().UTC().Format("2006-01-02"), f))
		c.Status(http.StatusOK)
		return export.Write(c.Writer, f, app.AccountTable(l))
	default:
		return domain.FieldError("format", "%q: want csv or xlsx", f)
	}
	l, err := h.app.AccountList(ctx, r.who, q)
	if err != nil {
		return err
	}
	d.Customers, d.Total, d.Bounded = l.Rows, l.Total, l.Bounded
	d.Filtered = d.Search != "" || d.Entity != "" || d.Agent != "" || d.Category != "" || q.Overdue != nil || q.OnHold != nil ||
		q.Where != "" || q.Min != nil || q.Max != nil
	d.Current = q.Offset/accountRows + 1
	d.Pages = int((d.Total + accountRows - 1) / accountRows)
	d.PageLinks = pageLinks(d.Current, d.Pages)
	for _, col := range []struct {
		key, label string
		num        bool
	}{
		{"name", "account.name", false}, {"balance", "account.balance", true}, {"overdue", "account.overdue", true},
		{"days_overdue", "account.days_overdue", true}, {"last_contact", "account.last_contact", false},
		{"limit_use", "credit.limit_use_col", true},
	} {
		ac := accountColumn{Label: col.label, Next: col.key, Num: col.num}
		switch d.Sort {
		case col.key:
			ac.Dir, ac.Next = "ascending", "-"+col.key
		case "-" + col.key:
			ac.Dir = "descending"
		}
		d.Columns = append(d.Columns, ac)
	}
	for _, k := range l.Columns {
		cc := customColumn{Column: k, accountColumn: accountColumn{Label: k.Label, Next: k.Name, Num: k.Type == app.ColumnNumber}}
		switch d.Sort {
		case k.Name:
			cc.Dir, cc.Next = "ascending", "-"+k.Name
		case "-" + k.Name:
			cc.Dir = "descending"
		}
		d.Custom = append(d.Custom, cc)
		switch k.Type {
		case app.ColumnBool:
			d.BoolColumns = append(d.BoolColumns, k)
		case app.ColumnNumber:
			d.NumColumns = append(d.NumColumns, k)
		}
	}
	h.render(c, http.StatusOK, "account_list", h.newPage(r, "account.list_title", "nav.accounts", d))
	return nil
}

// yesNo reads a yes/no filter; anything else does not filter.
func yesNo(v string) *bool {
	switch v {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

// pageLinks are the pages worth a link: 1, the last, and two either side of current.
func pageLinks(current, pages int) []int {
	var out []int
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= current-2 && n <= current+2) {
			out = append(out, n)
		}
	}
	return out
}
