-- +goose Up
-- What the cash-in forecast, its back-test and the team's open portfolio
-- read of a day, kept with the day's snapshot of migration 00035 (same build,
-- same stale marks, same lock): a forecast adds up rows per customer and due
-- date, or per entity, instead of reading every invoice's history and every
-- receipt of the year (see README "Benchmark: collection figures").
--
-- It stays exact for the reasons 00035 gives, and two more: a receipt is not
-- a receipt when its invoice is now written off, so an invoice whose status
-- moves to or from written_off reaches every built day of its customer; the
-- sums by entity, category and agent group customers by today's attributes,
-- so a customer whose entity, category or agent changes reaches every day.

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
-- the end of day, added up by due date: invoice_ids are those invoices.
-- delay is the customer's own observed delay in whole days (rounded half to
-- even, from its receipts above, all currencies), NULL when it has no
-- receipt in the window; expected is then the due date plus it, no earlier
-- than day and no later than day + 378 (store.ForecastHorizonDays: past the
-- last week a forecast may ask, it is all "later").
CREATE TABLE kpi_snapshot_due (
    day         date     NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint   NOT NULL,
    currency    text     NOT NULL,
    due_date    date     NOT NULL,
    open_minor  bigint   NOT NULL,
    delay       int,
    expected    date,
    invoice_ids bigint[] NOT NULL,
    PRIMARY KEY (day, customer_id, currency, due_date)
);

-- The day's rows above added up by the customers' entity and category (and
-- agent): what a forecast or the team figures of a perimeter of whole
-- entities read (an admin's, a credit manager's), a few hundred rows instead
-- of one per customer. Rewritten whenever the day's rows are.
-- Open invoices by expected day: own (customers with their own delay, at
-- kpi_snapshot_due.expected, category '') or not (at their due date, for
-- the segment's or entity's delay).
CREATE TABLE kpi_snapshot_due_groups (
    day        date    NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    entity_id  bigint  NOT NULL,
    category   text    NOT NULL,
    currency   text    NOT NULL,
    own        boolean NOT NULL,
    on_date    date    NOT NULL,
    open_minor bigint  NOT NULL,
    PRIMARY KEY (day, entity_id, category, currency, own, on_date)
);

CREATE TABLE kpi_snapshot_receipt_groups (
    day         date    NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    entity_id   bigint  NOT NULL,
    category    text    NOT NULL,
    currency    text    NOT NULL,
    amount      bigint  NOT NULL,
    amount_days numeric NOT NULL,
    PRIMARY KEY (day, entity_id, category, currency)
);

-- Each agent's (0: none) open invoices and accounts with some, by entity and
-- currency, from kpi_snapshots (the team figures' portfolio).
CREATE TABLE kpi_snapshot_portfolio (
    day        date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    entity_id  bigint NOT NULL,
    agent_id   bigint NOT NULL,
    currency   text   NOT NULL,
    open_minor bigint NOT NULL,
    accounts   int    NOT NULL,
    PRIMARY KEY (day, entity_id, agent_id, currency)
);

-- The back-test's receipts: those recorded after day (up to day + 378) on
-- the invoices open at its end (kpi_snapshot_due.invoice_ids), by customer,
-- currency and the day they were recorded, and their sums by entity. Unlike
-- the rest of a day, they depend on what is recorded after it: a receipt
-- marks its customer in kpi_snapshot_after_stale in the built days before
-- it whose year holds it (the rest of those days stays final); a reader
-- rebuilds those customers' rows before reading them.
CREATE TABLE kpi_snapshot_after (
    day         date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    currency    text   NOT NULL,
    on_date     date   NOT NULL,
    minor       bigint NOT NULL,
    PRIMARY KEY (day, customer_id, currency, on_date)
);

CREATE TABLE kpi_snapshot_after_groups (
    day       date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    entity_id bigint NOT NULL,
    currency  text   NOT NULL,
    on_date   date   NOT NULL,
    minor     bigint NOT NULL,
    PRIMARY KEY (day, entity_id, currency, on_date)
);

CREATE TABLE kpi_snapshot_after_stale (
    day         date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    PRIMARY KEY (day, customer_id)
);

-- As 00035's, and a receipt marks its customer's back-test rows stale in
-- the days before it (kpi_snapshot_after).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kpi_snapshot_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_snapshot_mark(
        (SELECT array_agg(DISTINCT i.customer_id) FROM new_rows n JOIN invoices i ON i.id = n.invoice_id),
        (SELECT min(n.at) FROM new_rows n));
    INSERT INTO kpi_snapshot_after_stale (day, customer_id)
    SELECT DISTINCT d.day, i.customer_id
    FROM new_rows n
    JOIN invoices i ON i.id = n.invoice_id
    JOIN kpi_snapshot_days d ON d.day < (n.at AT TIME ZONE 'UTC')::date AND d.day >= (n.at AT TIME ZONE 'UTC')::date - 378
    WHERE n.change_minor < 0 AND n.source IN ('payment', 'erp')
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- The receipts the forecast learns from and the back-test scores, by the
-- time they were recorded, without reading the other history rows.
CREATE INDEX invoice_open_history_receipts_idx ON invoice_open_history (at) INCLUDE (invoice_id, change_minor, open_minor)
    WHERE change_minor < 0 AND source IN ('payment', 'erp');
-- The few written-off invoices, whose fall to 0 is no receipt.
CREATE INDEX invoices_written_off_idx ON invoices (id) WHERE status = 'written_off';

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

-- A customer moved to another entity, category or agent changes the sums
-- by those of every day (the rebuild rewrites them).
-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_customers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE (n.entity_id, n.category, n.agent_id) IS DISTINCT FROM (o.entity_id, o.category, o.agent_id)) THEN
        RETURN NULL; -- most updates (contact details, holds) take no lock
    END IF;
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_snapshot_mark(
        (SELECT array_agg(n.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE (n.entity_id, n.category, n.agent_id) IS DISTINCT FROM (o.entity_id, o.category, o.agent_id)),
        '-infinity');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER kpi_snapshot_customers_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_customers_updated();

-- Days built before this migration have none of these rows: build them again.
DELETE FROM kpi_snapshot_days;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kpi_snapshot_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_snapshot_mark(
        (SELECT array_agg(DISTINCT i.customer_id) FROM new_rows n JOIN invoices i ON i.id = n.invoice_id),
        (SELECT min(n.at) FROM new_rows n));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TABLE kpi_snapshot_after_stale;
DROP TABLE kpi_snapshot_after_groups;
DROP TABLE kpi_snapshot_after;
DROP TRIGGER kpi_snapshot_customers_update ON customers;
DROP FUNCTION kpi_snapshot_customers_updated();
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
DROP INDEX invoices_written_off_idx;
DROP INDEX invoice_open_history_receipts_idx;
DROP TABLE kpi_snapshot_portfolio;
DROP TABLE kpi_snapshot_receipt_groups;
DROP TABLE kpi_snapshot_due_groups;
DROP TABLE kpi_snapshot_due;
DROP TABLE kpi_snapshot_receipts;
