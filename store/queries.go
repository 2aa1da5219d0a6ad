package store

// The queries behind the API's reads. Optional filters are NULL parameters;
// the sort key is a parameter chosen from a fixed list, so no SQL is built.

// listCustomers also serves one customer, with $9 its id.
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
    WHERE ($1::text IS NULL OR e.code = $1)
      AND ($2::text IS NULL OR a.email = $2)
      AND ($3::text IS NULL OR c.category = $3)
      AND ($4::text IS NULL OR c.name ILIKE '%' || $4 || '%' OR c.external_id = $4)
      AND ($9::bigint IS NULL OR c.id = $9)
    ORDER BY
        CASE WHEN $5 = 'name' AND NOT $6 THEN c.name END ASC,
        CASE WHEN $5 = 'name' AND $6 THEN c.name END DESC,
        CASE WHEN $5 = 'external_id' AND NOT $6 THEN c.external_id END ASC,
        CASE WHEN $5 = 'external_id' AND $6 THEN c.external_id END DESC,
        CASE WHEN $5 = 'id' AND $6 THEN c.id END DESC,
        c.id ASC
    LIMIT $7 OFFSET $8
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
    CASE WHEN $5 = 'name' AND NOT $6 THEN c.name END ASC,
    CASE WHEN $5 = 'name' AND $6 THEN c.name END DESC,
    CASE WHEN $5 = 'external_id' AND NOT $6 THEN c.external_id END ASC,
    CASE WHEN $5 = 'external_id' AND $6 THEN c.external_id END DESC,
    CASE WHEN $5 = 'id' AND $6 THEN c.id END DESC,
    c.id ASC`

const listInvoices = `
SELECT i.id, i.external_id, i.customer_id, c.external_id, i.number, i.type, i.issue_date, i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status,
       greatest(0, (now() AT TIME ZONE c.timezone)::date - i.due_date) AS days_overdue,
       count(*) OVER () AS total
FROM invoices i
JOIN customers c ON c.id = i.customer_id
WHERE ($1::bigint IS NULL OR i.customer_id = $1)
  AND ($2::text IS NULL OR i.status = $2)
  AND ($3::boolean IS NULL OR (i.status IN ('open', 'disputed') AND i.type = 'invoice'
       AND i.due_date < (now() AT TIME ZONE c.timezone)::date) = $3)
ORDER BY i.due_date, i.id
LIMIT $4 OFFSET $5`

// Open items of one customer, oldest due first, bounded.
const listOpenItems = `
SELECT i.id, i.external_id, i.customer_id, c.external_id, i.number, i.type, i.issue_date, i.due_date,
       i.currency, i.amount_minor, i.open_minor, i.status,
       greatest(0, (now() AT TIME ZONE c.timezone)::date - i.due_date) AS days_overdue,
       count(*) OVER () AS total
FROM invoices i
JOIN customers c ON c.id = i.customer_id
WHERE i.customer_id = $1 AND i.status IN ('open', 'disputed')
ORDER BY i.due_date, i.id
LIMIT $2`

const countTables = `
SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM customers), (SELECT count(*) FROM invoices),
       (SELECT count(*) FROM invoices WHERE status IN ('open', 'disputed')), (SELECT count(*) FROM payments)`
