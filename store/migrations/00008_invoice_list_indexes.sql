-- +goose Up

-- The invoice list (GET /api/v1/invoices) walks invoices oldest due first and
-- stops at the page. Its filter's columns are included, so the walk is an
-- index-only scan: a deep OFFSET skips index entries rather than table rows,
-- and the capped count reads no table row either.
CREATE INDEX invoices_due_idx ON invoices (due_date, id) INCLUDE (customer_id, status, type);

-- The overdue list (?overdue=true) walks only the open invoices, oldest due
-- first: most of what it reaches is overdue, whatever the customer's time zone.
CREATE INDEX invoices_overdue_idx ON invoices (due_date, id) INCLUDE (customer_id)
    WHERE status IN ('open', 'disputed') AND type = 'invoice';

-- +goose Down
DROP INDEX invoices_overdue_idx;
DROP INDEX invoices_due_idx;
