package store

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

// customerOrder sorts customers (alias c, totals t) by the @sort key, then id.
const customerOrder = `
    CASE WHEN @sort::text = 'name' AND NOT @desc::boolean THEN c.name END ASC,
    CASE WHEN @sort::text = 'name' AND @desc::boolean THEN c.name END DESC,
    CASE WHEN @sort::text = 'external_id' AND NOT @desc::boolean THEN c.external_id END ASC,
    CASE WHEN @sort::text = 'external_id' AND @desc::boolean THEN c.external_id END DESC,
    CASE WHEN @sort::text = 'id' AND @desc::boolean THEN c.id END DESC,
    CASE WHEN @sort::text = 'balance' AND NOT @desc::boolean THEN coalesce(t.balance_minor, 0) END ASC,
    CASE WHEN @sort::text = 'balance' AND @desc::boolean THEN coalesce(t.balance_minor, 0) END DESC,
    CASE WHEN @sort::text = 'overdue' AND NOT @desc::boolean THEN ` + customerOverdue + ` END ASC,
    CASE WHEN @sort::text = 'overdue' AND @desc::boolean THEN ` + customerOverdue + ` END DESC,
    CASE WHEN @sort::text = 'days_overdue' AND NOT @desc::boolean THEN ` + customerDaysOverdue + ` END ASC,
    CASE WHEN @sort::text = 'days_overdue' AND @desc::boolean THEN ` + customerDaysOverdue + ` END DESC,
    CASE WHEN @sort::text = 'last_contact' AND NOT @desc::boolean THEN t.last_contact END ASC NULLS FIRST,
    CASE WHEN @sort::text = 'last_contact' AND @desc::boolean THEN t.last_contact END DESC NULLS LAST,
    c.id ASC`

// listCustomers also serves one customer, with @id its id. Filters and sorts
// read the per-customer totals (customer_totals), never the invoices of every
// customer; balances count invoices positive and credit notes negative;
// overdue is judged by the date in the customer's own time zone. An overdue
// customer has an open invoice past due.
const listCustomers = `
SELECT c.id, c.external_id, e.code, c.name, c.category, c.country, c.language, c.currency, c.timezone,
       c.email, c.phone, c.credit_limit_minor, c.risk_class, coalesce(a.email, ''), coalesce(r.email, ''),
       coalesce(t.balance_minor, 0), ` + customerOverdue + `, coalesce(t.open_invoices, 0), c.on_hold,
       ` + customerDaysOverdue + `, t.last_contact, c.total
FROM (
    SELECT c.*, count(*) OVER () AS total
    FROM customers c
    JOIN entities e ON e.id = c.entity_id
    LEFT JOIN users a ON a.id = c.agent_id
    LEFT JOIN customer_totals t ON t.customer_id = c.id
    WHERE (@entity::text IS NULL OR e.code = @entity::text)
      AND (@agent::text IS NULL OR a.email = @agent::text)
      AND (@category::text IS NULL OR c.category = @category::text)
      AND (@search::text IS NULL OR c.name ILIKE '%' || @search::text || '%' OR c.external_id = @search::text)
      AND (@id::bigint IS NULL OR c.id = @id::bigint)
      AND (@overdue::boolean IS NULL OR coalesce(t.oldest_due < ` + customerToday + `, false) = @overdue::boolean)
      AND (@on_hold::boolean IS NULL OR c.on_hold = @on_hold::boolean)
      AND ` + perimeterClause + `
    ORDER BY ` + customerOrder + `
    LIMIT @limit OFFSET @offset
) c
JOIN entities e ON e.id = c.entity_id
LEFT JOIN users a ON a.id = c.agent_id
LEFT JOIN users r ON r.id = c.sales_rep_id
LEFT JOIN customer_totals t ON t.customer_id = c.id
ORDER BY ` + customerOrder

// selectInvoices is what scanInvoice reads; days overdue are counted in the
// customer's own time zone.
const selectInvoices = `
SELECT i.id, i.external_id, i.customer_id, c.external_id, i.number, i.type, i.issue_date, i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status,
       greatest(0, (now() AT TIME ZONE c.timezone)::date - i.due_date) AS days_overdue,
       count(*) OVER () AS total
FROM invoices i
JOIN customers c ON c.id = i.customer_id
`

const listInvoices = selectInvoices + `WHERE (@customer::bigint IS NULL OR i.customer_id = @customer::bigint)
  AND (@status::text IS NULL OR i.status = @status::text)
  AND (@overdue::boolean IS NULL OR (i.status IN ('open', 'disputed') AND i.type = 'invoice'
       AND i.due_date < (now() AT TIME ZONE c.timezone)::date) = @overdue::boolean)
  AND ` + perimeterClause + `
ORDER BY i.due_date, i.id
LIMIT @limit OFFSET @offset`

// Open items of one customer, oldest due first, bounded.
const listOpenItems = selectInvoices + `WHERE i.customer_id = $1 AND i.status IN ('open', 'disputed')
ORDER BY i.due_date, i.id
LIMIT $2`

const countTables = `
SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM customers), (SELECT count(*) FROM invoices),
       (SELECT count(*) FROM invoices WHERE status IN ('open', 'disputed')), (SELECT count(*) FROM payments)`

// customerVisible says whether customer @id exists inside the caller's perimeter.
const customerVisible = `SELECT EXISTS (SELECT 1 FROM customers c WHERE c.id = @id AND ` + perimeterClause + `)`
