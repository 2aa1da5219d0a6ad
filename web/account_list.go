package web

import (
	"net/http"
	"strings"

	"recoup/app"
	"recoup/domain"
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
	Customers                                              []domain.Customer
	Total                                                  int64
	Columns                                                []accountColumn
	Search, Entity, Agent, Category, Overdue, OnHold, Sort string
	Filtered                                               bool
	Current                                                int
	Pages                                                  int
	PageLinks                                              []int // the page numbers to link: the first, the last, and the ones near the current
}

// accountList is the customers the person may see: search, filters, sort by
// column, 50 a page.
func (h *Handler) accountList(r *request) error {
	c := r.c
	d := accountListData{Search: strings.TrimSpace(c.Query("q")), Entity: c.Query("entity"), Agent: c.Query("agent"),
		Category: c.Query("category"), Overdue: c.Query("overdue"), OnHold: c.Query("on_hold"), Sort: c.DefaultQuery("sort", "name")}
	q := app.CustomerQuery{Search: d.Search, Entity: d.Entity, Agent: d.Agent, Category: d.Category, Sort: d.Sort,
		Overdue: yesNo(d.Overdue), OnHold: yesNo(d.OnHold), Page: queryPage(r, accountRows)}
	list, total, err := h.app.Customers(c.Request.Context(), r.who, q)
	if err != nil {
		return err
	}
	d.Customers, d.Total = list, total
	d.Filtered = d.Search != "" || d.Entity != "" || d.Agent != "" || d.Category != "" || q.Overdue != nil || q.OnHold != nil
	d.Current = q.Offset/accountRows + 1
	d.Pages = int((total + accountRows - 1) / accountRows)
	d.PageLinks = pageLinks(d.Current, d.Pages)
	for _, col := range []struct {
		key, label string
		num        bool
	}{
		{"name", "account.name", false}, {"balance", "account.balance", true}, {"overdue", "account.overdue", true},
		{"days_overdue", "account.days_overdue", true}, {"last_contact", "account.last_contact", false},
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
