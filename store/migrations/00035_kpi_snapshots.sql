-- +goose Up
-- The aged balance of each customer as of the end of a day, kept so the
-- collection figures read one row per customer instead of every invoice's
-- history (see README "Benchmark: collection figures"). A day is built, for
-- every customer at once, the first time a figure of that day is asked
-- (store.snapshot), never for a day after today.
--
-- It stays exact because the figures of a day depend only on what was
-- recorded before the day's end: open-amount history rows (always written at
-- now() by the triggers of migration 00026), payments recorded before it, and
-- invoices' customer, currency, type, amount and issue date. Every change to
-- those marks the customers it touches stale in each built day it can reach
-- (kpi_snapshot_stale); a reader rebuilds the stale customers of a day before
-- reading it. A history row dated now reaches today's snapshot only; a
-- payment allocated later, or an invoice moved to another customer, reaches
-- every built day from its recording; rewriting history (tests backdating
-- it, a bench load) or truncating payments drops every built day.
CREATE TABLE kpi_snapshot_days (
    day      date PRIMARY KEY,
    built_at timestamptz NOT NULL DEFAULT now()
);

-- One row per customer and currency with open items at the end of day:
-- b0..b5 are open invoices by days past due (not due, 1-30, 31-60, 61-90,
-- 91-120, over 120), credits open credit notes and unallocated payments
-- (positive), overdue_days the sum of open amount x days past due,
-- oldest_overdue the due date of the oldest overdue invoice.
CREATE TABLE kpi_snapshots (
    day            date    NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id    bigint  NOT NULL,
    currency       text    NOT NULL,
    b0 bigint NOT NULL, b1 bigint NOT NULL, b2 bigint NOT NULL, b3 bigint NOT NULL, b4 bigint NOT NULL, b5 bigint NOT NULL,
    credits        bigint  NOT NULL,
    overdue_days   numeric NOT NULL,
    oldest_overdue date,
    PRIMARY KEY (day, customer_id, currency)
);

-- Each customer's overdue invoices at the end of day, all currencies added
-- (as the top overdue list counts them), for customers with any: what the
-- ranking reads, one narrow row per customer.
CREATE TABLE kpi_snapshot_overdue (
    day            date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id    bigint NOT NULL,
    overdue        bigint NOT NULL,
    over60         bigint NOT NULL,
    oldest_overdue date   NOT NULL,
    PRIMARY KEY (day, customer_id)
);

-- The credit sales (invoices less credit notes) of each customer and
-- currency known at the end of day, issued in each segment s1..s25 of the
-- 24 countback months ending at day, the default DSO period's first day
-- (day - 89) splitting one of them (app.salesSegments). Apart from the aged
-- balance, which is read more often and is narrower without them.
CREATE TABLE kpi_snapshot_sales (
    day         date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    currency    text   NOT NULL,
    s1 bigint NOT NULL, s2 bigint NOT NULL, s3 bigint NOT NULL, s4 bigint NOT NULL, s5 bigint NOT NULL,
    s6 bigint NOT NULL, s7 bigint NOT NULL, s8 bigint NOT NULL, s9 bigint NOT NULL, s10 bigint NOT NULL,
    s11 bigint NOT NULL, s12 bigint NOT NULL, s13 bigint NOT NULL, s14 bigint NOT NULL, s15 bigint NOT NULL,
    s16 bigint NOT NULL, s17 bigint NOT NULL, s18 bigint NOT NULL, s19 bigint NOT NULL, s20 bigint NOT NULL,
    s21 bigint NOT NULL, s22 bigint NOT NULL, s23 bigint NOT NULL, s24 bigint NOT NULL, s25 bigint NOT NULL,
    PRIMARY KEY (day, customer_id, currency)
);

-- The sums of a day's rows over every customer, by currency: what an
-- admin's totals and DSO read. items says whether kpi_snapshots has rows
-- of that currency (a currency may have sales only). Rewritten whenever the
-- day's rows are.
CREATE TABLE kpi_snapshot_totals (
    day          date    NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    currency     text    NOT NULL,
    items        boolean NOT NULL,
    b0 bigint NOT NULL, b1 bigint NOT NULL, b2 bigint NOT NULL, b3 bigint NOT NULL, b4 bigint NOT NULL, b5 bigint NOT NULL,
    credits      bigint  NOT NULL,
    overdue_days numeric NOT NULL,
    s1 bigint NOT NULL, s2 bigint NOT NULL, s3 bigint NOT NULL, s4 bigint NOT NULL, s5 bigint NOT NULL,
    s6 bigint NOT NULL, s7 bigint NOT NULL, s8 bigint NOT NULL, s9 bigint NOT NULL, s10 bigint NOT NULL,
    s11 bigint NOT NULL, s12 bigint NOT NULL, s13 bigint NOT NULL, s14 bigint NOT NULL, s15 bigint NOT NULL,
    s16 bigint NOT NULL, s17 bigint NOT NULL, s18 bigint NOT NULL, s19 bigint NOT NULL, s20 bigint NOT NULL,
    s21 bigint NOT NULL, s22 bigint NOT NULL, s23 bigint NOT NULL, s24 bigint NOT NULL, s25 bigint NOT NULL,
    PRIMARY KEY (day, currency)
);

-- Customers whose rows of a built day must be rebuilt before it is read.
CREATE TABLE kpi_snapshot_stale (
    day         date   NOT NULL REFERENCES kpi_snapshot_days (day) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    PRIMARY KEY (day, customer_id)
);

-- Writers take this lock shared (in the triggers below, until they commit);
-- a reader building or rebuilding a day tries it exclusive and, when a
-- writer holds it, computes the figure from the history instead. So no
-- change can slip between a build's reading and its marks.
-- The key is arbitrary: 'kpisnap' in ASCII.
-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_lock() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(30241420718530928);
    RETURN EXISTS (SELECT 1 FROM kpi_snapshot_days); -- read after the lock: a build that held it has committed
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_mark(customers bigint[], since timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO kpi_snapshot_stale (day, customer_id)
    SELECT d.day, c.id FROM kpi_snapshot_days d CROSS JOIN unnest(customers) AS c (id)
    WHERE d.day >= (since AT TIME ZONE 'UTC')::date AND c.id IS NOT NULL
    ON CONFLICT DO NOTHING;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- History is append-only but for tests backdating it and bench loads
-- rewriting it, and payments are not truncated but by tests: every built
-- day goes.
-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_drop_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF kpi_snapshot_lock() THEN
        DELETE FROM kpi_snapshot_days;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- The credits of a day count the payments recorded before its end with
-- their current unallocated amount: a payment inserted, allocated or moved
-- reaches every day from its recording.
-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_payments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT kpi_snapshot_lock() THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM kpi_snapshot_mark(
            (SELECT array_agg(DISTINCT n.customer_id) FROM new_rows n),
            (SELECT min(n.created_at) FROM new_rows n));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM kpi_snapshot_mark(
            (SELECT array_agg(DISTINCT o.customer_id) FROM old_rows o),
            (SELECT min(o.created_at) FROM old_rows o));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- An invoice moved to another customer, or whose currency, type, amount or
-- issue date changed (sales, and which line it counts in), reaches every day.
-- +goose StatementBegin
CREATE FUNCTION kpi_snapshot_invoices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER kpi_snapshot_history_insert AFTER INSERT ON invoice_open_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_history_inserted();
CREATE TRIGGER kpi_snapshot_history_update AFTER UPDATE OR DELETE ON invoice_open_history
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_drop_days();
CREATE TRIGGER kpi_snapshot_history_truncate AFTER TRUNCATE ON invoice_open_history
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_drop_days();
CREATE TRIGGER kpi_snapshot_payments_truncate AFTER TRUNCATE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_drop_days();
CREATE TRIGGER kpi_snapshot_payments_insert AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_payments_changed();
CREATE TRIGGER kpi_snapshot_payments_update AFTER UPDATE ON payments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_payments_changed();
CREATE TRIGGER kpi_snapshot_payments_delete AFTER DELETE ON payments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_payments_changed();
CREATE TRIGGER kpi_snapshot_invoices_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_snapshot_invoices_updated();

-- +goose Down
DROP TRIGGER kpi_snapshot_invoices_update ON invoices;
DROP TRIGGER kpi_snapshot_payments_delete ON payments;
DROP TRIGGER kpi_snapshot_payments_update ON payments;
DROP TRIGGER kpi_snapshot_payments_insert ON payments;
DROP TRIGGER kpi_snapshot_payments_truncate ON payments;
DROP TRIGGER kpi_snapshot_history_truncate ON invoice_open_history;
DROP TRIGGER kpi_snapshot_history_update ON invoice_open_history;
DROP TRIGGER kpi_snapshot_history_insert ON invoice_open_history;
DROP FUNCTION kpi_snapshot_invoices_updated();
DROP FUNCTION kpi_snapshot_payments_changed();
DROP FUNCTION kpi_snapshot_drop_days();
DROP FUNCTION kpi_snapshot_history_inserted();
DROP FUNCTION kpi_snapshot_mark(bigint[], timestamptz);
DROP FUNCTION kpi_snapshot_lock();
DROP TABLE kpi_snapshot_stale;
DROP TABLE kpi_snapshot_totals;
DROP TABLE kpi_snapshot_sales;
DROP TABLE kpi_snapshot_overdue;
DROP TABLE kpi_snapshots;
DROP TABLE kpi_snapshot_days;
