package store

import (
	"fmt"
	"strings"
)

// The queries behind the API's reads. Optional filters are NULL parameters;
// the sort key is a parameter chosen from a fixed list, so no SQL is built.

// customerToday is the customer's (alias c) own date: overdue is judged by it.
const customerToday = `(now() AT TIME ZONE c.timezone)::date`

// customerOverdue is the overdue amount of customer c from its totals t (see
// migration 00007): the stored sum while the customer's date has not passed
// its next due date, else the invoices added up again (few customers a day).
const customerOverdue = `(CASE WHEN t.next_due IS NULL OR t.next_due >= ` + customerToday + `
    THEN coalesce(t.overdue_minor, 0)
    ELSE (SELECT coalesce(sum(i.open_minor), 0) FROM invoices i
          WHERE i.customer_id = c.id AND i.status IN ('open', 'disputed') AND i.type = 'invoice'
            AND i.due_date < ` + customerToday + `) END)`

// customerDaysOverdue is how many days the oldest open invoice is past due (0: none).
const customerDaysOverdue = `greatest(0, coalesce(` + customerToday + ` - t.oldest_due, 0))`

// customerWhere keeps the customers (alias c) that the list's filters, but
// overdue, and the perimeter let through. It reads c alone (a set entity or
// agent filter is one lookup), so counting them is one pass over customers.
const customerWhere = `
    WHERE (@entity::text IS NULL OR c.entity_id = (SELECT id FROM entities WHERE code = @entity::text))
      AND (@agent::text IS NULL OR c.agent_id = (SELECT id FROM users WHERE email = @agent::text))
      AND (@category::text IS NULL OR c.category = @category::text)
      AND (@search::text IS NULL OR c.name ILIKE '%' || @search::text || '%' OR c.external_id = @search::text)
      AND (@id::bigint IS NULL OR c.id = @id::bigint)
      AND (@on_hold::boolean IS NULL OR c.on_hold = @on_hold::boolean)
      AND ` + perimeterClause

// overdueWhere is the overdue filter, on the totals t: an overdue customer
// has an open invoice past due in its own time zone.
const overdueWhere = `
      AND (@overdue::boolean IS NULL OR coalesce(t.oldest_due < ` + customerToday + `, false) = @overdue::boolean)`

// customerRows are the filtered customers with their totals t (every customer has a row).
const customerRows = `
    FROM customers c
    JOIN customer_totals t ON t.customer_id = c.id` + customerWhere + overdueWhere

// customerOrders are the orders the list can take, each one that an index
// serves (migration 00007), so a page stops after its rows instead of sorting
// every customer. Ties go by id in the same direction. Overdue sorts by the
// stored sum, which ListCustomers brings up to date first; days overdue by
// the oldest open due date (customers with nothing open count as 0 days).
var customerOrders = []struct {
	sort  CustomerSort
	desc  bool
	order string
}{
	{SortByName, false, "c.name, c.id"}, {SortByName, true, "c.name DESC, c.id DESC"},
	{SortByExternalID, false, "c.external_id"}, {SortByExternalID, true, "c.external_id DESC"},
	{SortByID, false, "c.id"}, {SortByID, true, "c.id DESC"},
	{SortByBalance, false, "t.balance_minor, t.customer_id"}, {SortByBalance, true, "t.balance_minor DESC, t.customer_id DESC"},
	{SortByOverdue, false, "t.overdue_minor, t.customer_id"}, {SortByOverdue, true, "t.overdue_minor DESC, t.customer_id DESC"},
	{SortByDays, false, "t.oldest_due DESC, t.customer_id DESC"}, {SortByDays, true, "t.oldest_due, t.customer_id"},
	{SortByContact, false, "t.last_contact NULLS FIRST, t.customer_id"}, {SortByContact, true, "t.last_contact DESC NULLS LAST, t.customer_id DESC"},
}

// listCustomers also serves one customer, with @id its id. It is one branch
// per order of customerOrders, each guarded by its @sort and @desc, so the
// planner keeps only the asked one (its ORDER BY on an index) and no SQL is
// built per request. Balances count invoices positive and credit notes
// negative; overdue is judged by the date in the customer's own time zone.
var listCustomers = func() string {
	var branches []string
	for _, o := range customerOrders {
		branches = append(branches, fmt.Sprintf(`(SELECT c.id, row_number() OVER (ORDER BY %[1]s) AS ord %[2]s
      AND @sort::text = '%[3]s' AND @desc::boolean = %[4]t
    ORDER BY %[1]s LIMIT @limit OFFSET @offset)`, o.order, customerRows, o.sort, o.desc))
	}
	return `
WITH page AS (
    ` + strings.Join(branches, "\n    UNION ALL\n    ") + `
)
SELECT c.id, c.external_id, e.code, c.name, c.category, c.country, c.language, c.currency, c.timezone,
       c.email, c.phone, c.credit_limit_minor, c.risk_class, c.registration_number, c.vat_number, c.open_orders_minor,
       coalesce(a.email, ''), coalesce(r.email, ''),
       t.balance_minor, ` + customerOverdue + `, t.open_invoices, c.on_hold,
       ` + customerDaysOverdue + `, t.last_contact
FROM page
JOIN customers c ON c.id = page.id
JOIN customer_totals t ON t.customer_id = c.id
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
LEFT JOIN users r ON r.id = c.sales_rep_id
ORDER BY page.ord`
}()

// countCustomers is how many customers the list's filters keep when overdue
// is not one of them; countCustomersRows when it is.
const (
	countCustomers     = `SELECT count(*) FROM customers c` + customerWhere
	countCustomersRows = `SELECT count(*)` + customerRows
)

// refreshStaleTotals brings the stored overdue sums up to date for the
// customers whose date has passed their next due date since (few a day;
// next_due is indexed, and no zone is more than a day ahead of UTC).
const refreshStaleTotals = `
SELECT customer_totals_refresh(ARRAY(
    SELECT t.customer_id FROM customer_totals t JOIN customers c ON c.id = t.customer_id
    WHERE t.next_due <= (now() AT TIME ZONE 'UTC')::date + 1 AND t.next_due < ` + customerToday + `))`

// invoiceColumns are what scanInvoice reads; days overdue are counted in the
// customer's own time zone.
const invoiceColumns = `i.id, i.external_id, i.customer_id, c.external_id, i.number, i.type, i.issue_date, i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status,
       greatest(0, (now() AT TIME ZONE c.timezone)::date - i.due_date) AS days_overdue, i.in_proceedings`

// selectInvoices reads invoices with how many match in all: for lists bounded
// by one customer, where counting every match is cheap.
const selectInvoices = `
SELECT ` + invoiceColumns + `, count(*) OVER () AS total
FROM invoices i
JOIN customers c ON c.id = i.customer_id
`

// invoiceFilter keeps the invoices (alias i) a list asks for, when no
// overdue filter is asked and the perimeter keeps every customer: no customer
// row is read at all (the foreign key guarantees the customer). At a million
// invoices, joining every one to its customer for the time zone costs seconds.
const invoiceFilter = `WHERE (@customer::bigint IS NULL OR i.customer_id = @customer::bigint)
  AND (@status::text IS NULL OR i.status = @status::text)
`

// invoiceFilterChecked is invoiceFilter plus the customer's perimeter and
// the overdue test, in the customer's time zone, as a semi-join on the primary
// key made only for the rows the index walk reaches. A separate constant, not
// "@skip OR EXISTS": Postgres turns an EXISTS into a semi-join only when it is
// not under an OR, and otherwise runs it as a subplan per row (3.5 s for an
// agent's overdue count at 1,000,000 invoices). The status and type test of
// "overdue" is repeated outside so that, planned with @overdue true, the walk
// can use invoices_overdue_idx.
const invoiceFilterChecked = invoiceFilter + `  AND (@overdue::boolean IS NOT TRUE OR (i.status IN ('open', 'disputed') AND i.type = 'invoice'))
  AND EXISTS (
      SELECT 1 FROM customers c
      WHERE c.id = i.customer_id
        AND (@overdue::boolean IS NULL OR (i.status IN ('open', 'disputed') AND i.type = 'invoice'
             AND i.due_date < (now() AT TIME ZONE c.timezone)::date) = @overdue::boolean)
        AND ` + perimeterClause + `)
`

// The invoice list finds the page's ids first, walking invoices_due_idx in
// order (an index-only scan: the filter's columns are in the index, so a deep
// OFFSET skips index entries, not table rows), then reads those rows alone.
const (
	listInvoicesHead = `
WITH page AS (
    SELECT i.id FROM invoices i
    `
	listInvoicesTail = `
    ORDER BY i.due_date, i.id
    LIMIT @limit OFFSET @offset
)
SELECT ` + invoiceColumns + `
FROM page
JOIN invoices i ON i.id = page.id
JOIN customers c ON c.id = i.customer_id
ORDER BY i.due_date, i.id`
	listInvoices        = listInvoicesHead + invoiceFilter + listInvoicesTail
	listInvoicesChecked = listInvoicesHead + invoiceFilterChecked + listInvoicesTail
)

// The count of an invoice list stops at @cap: counting every one of a
// million matches takes longer than the page (0.6 s measured at 1,000,000
// invoices). Reaching the cap means "at least".
const (
	countInvoicesHead = `
SELECT count(*) FROM (
    SELECT 1 FROM invoices i
    `
	countInvoicesTail = `
    LIMIT @cap
) matches`
	countInvoices        = countInvoicesHead + invoiceFilter + countInvoicesTail
	countInvoicesChecked = countInvoicesHead + invoiceFilterChecked + countInvoicesTail
)

// Open items of one customer, oldest due first, bounded.
const listOpenItems = selectInvoices + `WHERE i.customer_id = $1 AND i.status IN ('open', 'disputed')
ORDER BY i.due_date, i.id
LIMIT $2`

const countTables = `
SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM customers), (SELECT count(*) FROM invoices),
       (SELECT count(*) FROM invoices WHERE status IN ('open', 'disputed')), (SELECT count(*) FROM payments)`

// customerVisible says whether customer @id exists inside the caller's perimeter.
const customerVisible = `SELECT EXISTS (SELECT 1 FROM customers c WHERE c.id = @id AND ` + perimeterClause + `)`
