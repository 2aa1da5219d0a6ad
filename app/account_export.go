package app

import (
	"strconv"

	"recoup/dunning"
	"recoup/export"
	"recoup/store"
)

// AccountTable is the accounts list as one export table: the account, its
// per-account figures (amounts in its currency, typed), then the
// user-defined columns by name (numbers as numbers, yes/no as true/false,
// blanks blank).
func AccountTable(l AccountList) export.Table {
	t := export.Table{Name: "Accounts", Head: []string{"external_id", "name", "entity", "agent", "currency",
		"outstanding", "overdue"}}
	for _, b := range store.BucketNames {
		t.Head = append(t.Head, b)
	}
	t.Head = append(t.Head, "credits", "sales_90", "dso", "average_days_to_pay", "average_payment_delay", "credit_limit",
		"open_orders", "limit_use", "risk_class", "disputed", "promised", "last_contact", "days_overdue", "on_hold")
	for _, k := range l.Columns {
		t.Head = append(t.Head, k.Name)
	}
	for _, r := range l.Rows {
		f, cur := r.Figures, r.Figures.Currency
		m := func(minor int64) export.Cell { return export.Money(minor, cur) }
		row := []export.Cell{export.Text(r.ExternalID), export.Text(r.Name), export.Text(r.EntityCode), export.Text(r.AgentEmail),
			export.Text(cur.Code()), m(f.Outstanding()), m(f.Overdue())}
		for _, b := range f.Buckets {
			row = append(row, m(b))
		}
		limit := export.Blank()
		if f.CreditLimit != nil {
			limit = m(*f.CreditLimit)
		}
		orders := export.Blank()
		if f.OpenOrders != nil {
			orders = m(*f.OpenOrders)
		}
		contact := export.Blank()
		if f.LastContact != nil {
			contact = export.Date(dunning.DateOf(f.LastContact.UTC()))
		}
		row = append(row, m(f.OpenCredits+f.Unallocated), m(f.Sales), export.Decimal(Hundredths(f.DSO())),
			export.Decimal(Hundredths(f.DaysToPay())), export.Decimal(Hundredths(f.PaymentDelay())), limit,
			orders, export.Decimal(Hundredths(f.LimitUse())),
			export.Text(f.RiskClass), m(f.Disputed), m(f.Promised), contact, export.Int(int64(f.OldestOverdueDays)),
			export.Text(strconv.FormatBool(r.OnHold)))
		for _, k := range l.Columns {
			row = append(row, valueCell(r.Values[k.Name]))
		}
		t.Add(row...)
	}
	return t
}

func valueCell(v ColumnValue) export.Cell {
	switch {
	case v.Null:
		return export.Blank()
	case v.Type == ColumnNumber:
		return export.Decimal(v.Decimal())
	}
	return export.Text(v.String())
}
