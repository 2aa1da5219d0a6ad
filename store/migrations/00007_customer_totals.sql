-- +goose Up
-- Per-customer totals the account list filters and sorts by, so that a page
-- of 100,000 customers does not add up a million invoices on every request.
-- Triggers keep them in the same transaction as every write to invoices (the
-- importer, payments, the test factory, anything later), so they cannot drift.
--
-- Overdue depends on the day as well as on the rows: overdue_minor is the sum
-- of open invoices due before overdue_on (the customer's local date when it was
-- computed), and stays right while the local date has not passed next_due (the
-- first open due date on or after overdue_on). Readers use it then and add the
-- invoices up for the few customers whose next due date has passed since.
CREATE TABLE customer_totals (
    customer_id   bigint  PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    balance_minor bigint  NOT NULL DEFAULT 0, -- open invoices less open credit notes
    open_invoices integer NOT NULL DEFAULT 0,
    overdue_minor bigint  NOT NULL DEFAULT 0,
    overdue_on    date,
    oldest_due    date, -- the earliest due date of an open invoice: days overdue and the overdue filter
    next_due      date,
    last_contact  timestamptz -- the last message sent to the customer (message_log)
);
-- Every customer has a row (see customer_totals_customers_added), so a list
-- sorted by a total walks one of these indexes and stops after a page.
CREATE INDEX customer_totals_next_due_idx ON customer_totals (next_due);
CREATE INDEX customer_totals_balance_idx ON customer_totals (balance_minor, customer_id);
CREATE INDEX customer_totals_overdue_idx ON customer_totals (overdue_minor, customer_id);
CREATE INDEX customer_totals_oldest_due_idx ON customer_totals (oldest_due, customer_id);
CREATE INDEX customer_totals_last_contact_idx ON customer_totals (last_contact NULLS FIRST, customer_id);
CREATE INDEX customers_name_idx ON customers (name, id);
-- The list's search is a part of the name (ILIKE '%...%'): trigrams serve it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
CREATE INDEX message_log_sent_idx ON message_log (customer_id, updated_at) WHERE status IN ('sent', 'delivered');

-- customer_totals_refresh recomputes the invoice totals of the customers ids.
-- It locks their rows first, then adds up in a later statement (a new snapshot
-- under READ COMMITTED), so a writer that waited for another sees its invoices.
-- +goose StatementBegin
CREATE FUNCTION customer_totals_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- ids is joined as a set (unnest), never tested with = ANY row by row:
    -- an import touches 100,000 customers in one statement.
    INSERT INTO customer_totals (customer_id)
    SELECT c.id FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id)) u JOIN customers c ON c.id = u.id ORDER BY c.id
    ON CONFLICT (customer_id) DO NOTHING;
    PERFORM 1 FROM customer_totals t JOIN (SELECT DISTINCT id FROM unnest(ids) AS u(id)) u ON u.id = t.customer_id
    ORDER BY t.customer_id FOR UPDATE OF t;
    UPDATE customer_totals t SET
        balance_minor = coalesce(o.balance, 0), open_invoices = coalesce(o.open_invoices, 0),
        overdue_minor = coalesce(o.overdue, 0), overdue_on = d.today, oldest_due = o.oldest_due, next_due = o.next_due
    FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id)) u
    JOIN customers c ON c.id = u.id
    CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE c.timezone)::date AS today) d
    CROSS JOIN LATERAL (
        SELECT sum(CASE WHEN i.type = 'invoice' THEN i.open_minor ELSE -i.open_minor END) AS balance,
               count(*) FILTER (WHERE i.type = 'invoice') AS open_invoices,
               sum(i.open_minor) FILTER (WHERE i.type = 'invoice' AND i.due_date < d.today) AS overdue,
               min(i.due_date) FILTER (WHERE i.type = 'invoice') AS oldest_due,
               min(i.due_date) FILTER (WHERE i.type = 'invoice' AND i.due_date >= d.today) AS next_due
        FROM invoices i
        WHERE i.customer_id = c.id AND i.status IN ('open', 'disputed')) o
    WHERE t.customer_id = u.id;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION customer_totals_invoices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM customer_totals_refresh(ARRAY(SELECT DISTINCT customer_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM customer_totals_refresh(ARRAY(SELECT DISTINCT customer_id FROM old_rows));
    ELSE
        PERFORM customer_totals_refresh(ARRAY(
            SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER customer_totals_invoices_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_invoices_changed();
CREATE TRIGGER customer_totals_invoices_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_invoices_changed();
CREATE TRIGGER customer_totals_invoices_delete AFTER DELETE ON invoices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_invoices_changed();

-- A customer's time zone decides its overdue date.
-- +goose StatementBegin
CREATE FUNCTION customer_totals_customers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customer_totals_refresh(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.timezone <> o.timezone));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION customer_totals_customers_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_totals (customer_id) SELECT id FROM new_rows ORDER BY id ON CONFLICT (customer_id) DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER customer_totals_customers_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_customers_added();
CREATE TRIGGER customer_totals_customers_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_customers_changed();

-- Last contact only ever moves forward, so it needs no lock ordering.
-- +goose StatementBegin
CREATE FUNCTION customer_totals_messages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_totals AS t (customer_id, last_contact)
    SELECT customer_id, max(updated_at) FROM new_rows WHERE status IN ('sent', 'delivered') GROUP BY customer_id
    ORDER BY customer_id
    ON CONFLICT (customer_id) DO UPDATE SET last_contact = greatest(t.last_contact, excluded.last_contact);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER customer_totals_messages_insert AFTER INSERT ON message_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_messages_changed();
CREATE TRIGGER customer_totals_messages_update AFTER UPDATE ON message_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_messages_changed();

-- What is there already.
SELECT customer_totals_refresh(ARRAY(SELECT id FROM customers));
INSERT INTO customer_totals AS t (customer_id, last_contact)
SELECT customer_id, max(updated_at) FROM message_log WHERE status IN ('sent', 'delivered') GROUP BY customer_id
ON CONFLICT (customer_id) DO UPDATE SET last_contact = excluded.last_contact;

-- +goose Down
DROP TRIGGER customer_totals_messages_update ON message_log;
DROP TRIGGER customer_totals_messages_insert ON message_log;
DROP FUNCTION customer_totals_messages_changed();
DROP TRIGGER customer_totals_customers_update ON customers;
DROP FUNCTION customer_totals_customers_changed();
DROP TRIGGER customer_totals_customers_insert ON customers;
DROP FUNCTION customer_totals_customers_added();
DROP INDEX customers_name_idx;
DROP INDEX customers_name_trgm_idx;
DROP TRIGGER customer_totals_invoices_delete ON invoices;
DROP TRIGGER customer_totals_invoices_update ON invoices;
DROP TRIGGER customer_totals_invoices_insert ON invoices;
DROP FUNCTION customer_totals_invoices_changed();
DROP FUNCTION customer_totals_refresh(bigint[]);
DROP INDEX message_log_sent_idx;
DROP TABLE customer_totals;
