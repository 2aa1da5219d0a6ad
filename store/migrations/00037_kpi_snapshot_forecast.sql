-- +goose Up
-- What the cash-in forecast reads of a day, kept with the day's snapshot of
-- migration 00035 (same build, same stale marks, same lock), so a forecast
-- reads one row per customer and due date instead of every invoice's history
-- and every receipt of the year (see README "Benchmark: collection figures").
--
-- It stays exact for the reasons 00035 gives, plus one: a receipt is not a
-- receipt when its invoice is now written off, so an invoice whose status
-- moves to or from written_off reaches every built day of its customer.

-- The receipts of each customer and currency recorded in the 365 days ending
-- at day (store.receiptFrom/receiptWhere): their amount and amount x days
-- after the due date they had then, the observed payment delay's sums.
CREATE TABLE kpi_snapshot_receipts (
    day         date    NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint  NOT NULL,
    currency    text    NOT NULL,
    amount      bigint  NOT NULL,
    amount_days numeric NOT NULL,
    PRIMARY KEY (day, customer_id, currency)
);

-- The open invoices (credit notes apart) of each customer and currency at
-- the end of day, added up by due date; delay is the customer's own
-- observed delay in whole days (rounded half to even, from its receipts
-- above, all currencies), NULL when it has no receipt in the window.
CREATE TABLE kpi_snapshot_due (
    day         date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    currency    text   NOT NULL,
    due_date    date   NOT NULL,
    open_minor  bigint NOT NULL,
    delay       int,
    PRIMARY KEY (day, customer_id, currency, due_date)
);

-- n / d (d > 0, both integers) rounded half to even, as money.RoundHalfEven:
-- exact, in numeric (no float, no numeric division's limited scale).
-- +goose StatementBegin
CREATE FUNCTION kpi_round_half_even(n numeric, d numeric) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN 2 * r > d OR (2 * r = d AND mod(q, 2) <> 0) THEN q + 1 ELSE q END
    FROM (SELECT q, n - q * d AS r
          FROM (SELECT div(n, d) - CASE WHEN n - div(n, d) * d < 0 THEN 1 ELSE 0 END AS q) fl) x;
$$;
-- +goose StatementEnd

-- As 00035's, and a move to or from written_off (what counts as a receipt).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kpi_snapshot_invoices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_snapshot_mark(
        (SELECT array_agg(DISTINCT x.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
         CROSS JOIN LATERAL (VALUES (n.customer_id), (o.customer_id)) AS x (id)
         WHERE (n.customer_id, n.currency, n.type, n.amount_minor, n.issue_date, n.status = 'written_off')
               IS DISTINCT FROM (o.customer_id, o.currency, o.type, o.amount_minor, o.issue_date, o.status = 'written_off')),
        '-infinity');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Days built before this migration have no forecast rows: build them again.
DELETE FROM kpi_snapshot_days;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kpi_snapshot_invoices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_snapshot_mark(
        (SELECT array_agg(DISTINCT x.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
         CROSS JOIN LATERAL (VALUES (n.customer_id), (o.customer_id)) AS x (id)
         WHERE (n.customer_id, n.currency, n.type, n.amount_minor, n.issue_date)
               IS DISTINCT FROM (o.customer_id, o.currency, o.type, o.amount_minor, o.issue_date)),
        '-infinity');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION kpi_round_half_even(numeric, numeric);
DROP TABLE kpi_snapshot_due;
DROP TABLE kpi_snapshot_receipts;
