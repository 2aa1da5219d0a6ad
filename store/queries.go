package store

// The queries behind the API's reads. Optional filters are NULL parameters;
// the sort key is a parameter chosen from a fixed list, so no SQL is built.

// listCustomers also serves one customer, with @id its id.
// Balances count invoices positive and credit notes negative; overdue is
// judged by the date in the customer's own time zone.
const listCustomers = `
SELECT c.id, c.external_id, e.code, c.name, c.category, c.country, c.language, c.currency, c.timezone,
       c.email, c.phone, c.credit_limit_minor, c.risk_class, coalesce(a.email, ''), coalesce(r.email, ''),
       coalesce(b.balance, 0), coalesce(b.overdue, 0), coalesce(b.open_invoices, 0), c.on_hold, c.total
FROM (
    SELECT c.*, count(*) OVER () AS total
    FROM customers c
    JOIN entities e ON e.id = c.entity_id
    LEFT JOIN users a ON a.id = c.agent_id
    WHERE (@entity::text IS NULL OR e.code = @entity::text)
      AND (@agent::text IS NULL OR a.email = @agent::text)
      AND (@category::text IS NULL OR c.category = @category::text)
      AND (@search::text IS NULL OR c.name ILIKE '%' || @search::text || '%' OR c.external_id = @search::text)
      AND (@id::bigint IS NULL OR c.id = @id::bigint)
      AND ` + perimeterClause + `
    ORDER BY
        CASE WHEN @sort::text = 'name' AND NOT @desc::boolean THEN c.name END ASC,
        CASE WHEN @sort::text = 'name' AND @desc::boolean THEN c.name END DESC,
        CASE WHEN @sort::text = 'external_id' AND NOT @desc::boolean THEN c.external_id END ASC,
        CASE WHEN @sort::text = 'external_id' AND @desc::boolean THEN c.external_id END DESC,
        CASE WHEN @sort::text = 'id' AND @desc::boolean THEN c.id END DESC,
        c.id ASC
    LIMIT @limit OFFSET @offset
) c
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
LEFT JOIN users r ON r.id = c.sales_rep_id
LEFT JOIN LATERAL (
    SELECT sum(CASE WHEN i.type = 'invoice' THEN i.open_minor ELSE -i.open_minor END) AS balance,
           sum(i.open_minor) FILTER (WHERE i.type = 'invoice'
               AND i.due_date < (now() AT TIME ZONE c.timezone)::date) AS overdue,
           count(*) FILTER (WHERE i.type = 'invoice') AS open_invoices
    FROM invoices i
    WHERE i.customer_id = c.id AND i.status IN ('open', 'disputed')
) b ON true
ORDER BY
    CASE WHEN @sort::text = 'name' AND NOT @desc::boolean THEN c.name END ASC,
    CASE WHEN @sort::text = 'name' AND @desc::boolean THEN c.name END DESC,
    CASE WHEN @sort::text = 'external_id' AND NOT @desc::boolean THEN c.external_id END ASC,
    CASE WHEN @sort::text = 'external_id' AND @desc::boolean THEN c.external_id END DESC,
    CASE WHEN @sort::text = 'id' AND @desc::boolean THEN c.id END DESC,
    c.id ASC`

// invoiceColumns are what scanInvoice reads; days overdue are counted in the
// customer's own time zone.
const invoiceColumns = `i.id, i.external_id, i.customer_id, c.external_id, i.number, i.type, i.issue_date, i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status,
       greatest(0, (now() AT TIME ZONE c.timezone)::date - i.due_date) AS days_overdue`

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
