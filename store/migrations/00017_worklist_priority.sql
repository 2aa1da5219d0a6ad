-- +goose Up
-- The worklist's priority, indexed: customer_totals carries a base of the
-- customer part of the score (README, "Worklist"), so the team's worklist
-- walks an index instead of scoring every open task. The base is an exact
-- score's upper bound up to a small, known slack (the query adds it): amount
-- points of the unconverted overdue amount (its minor units read as hundredths;
-- the query bounds what a rate changes), days overdue as of overdue_on (the
-- query takes the customers not refreshed since yesterday, and those whose
-- next due date has passed, as candidates always), risk and broken promises
-- exactly. The worklist's rows are still scored exactly; the base only prunes.
ALTER TABLE customer_totals ADD COLUMN risk_points integer NOT NULL DEFAULT 0;
ALTER TABLE customer_totals ADD COLUMN broken_promises integer NOT NULL DEFAULT 0;
ALTER TABLE customer_totals ADD COLUMN priority_base numeric GENERATED ALWAYS AS (
    round((10 * log(1 + greatest(overdue_minor, 0) / 100.0))::numeric, 2)
    + round(least(greatest(coalesce(overdue_on - oldest_due, 0), 0), 180) / 6.0, 2)
    + risk_points + 15 * broken_promises) STORED;
CREATE INDEX customer_totals_priority_idx ON customer_totals (priority_base, customer_id);
CREATE INDEX customer_totals_overdue_on_idx ON customer_totals (overdue_on);

-- The risk points follow customers.risk_class (and its time zone, the totals, as before).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_totals_customers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customer_totals_refresh(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.timezone <> o.timezone));
    UPDATE customer_totals t SET risk_points = CASE lower(n.risk_class) WHEN 'high' THEN 20 WHEN 'medium' THEN 10 ELSE 0 END
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE t.customer_id = n.id AND lower(n.risk_class) IS DISTINCT FROM lower(o.risk_class);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_totals_customers_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_totals AS t (customer_id, risk_points)
    SELECT id, CASE lower(risk_class) WHEN 'high' THEN 20 WHEN 'medium' THEN 10 ELSE 0 END FROM new_rows ORDER BY id
    ON CONFLICT (customer_id) DO UPDATE SET risk_points = excluded.risk_points;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- The broken promises follow promises.status. Transition tables need one trigger per event;
-- an insert is never broken.
-- +goose StatementBegin
CREATE FUNCTION customer_totals_promises_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_totals t SET broken_promises = (
        SELECT count(*) FROM promises p WHERE p.customer_id = t.customer_id AND p.status = 'broken')
    FROM (SELECT DISTINCT customer_id FROM old_rows) u
    WHERE t.customer_id = u.customer_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION customer_totals_promises_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_totals t SET broken_promises = (
        SELECT count(*) FROM promises p WHERE p.customer_id = t.customer_id AND p.status = 'broken')
    FROM (SELECT customer_id FROM old_rows UNION SELECT customer_id FROM new_rows) u
    WHERE t.customer_id = u.customer_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER customer_totals_promises_update AFTER UPDATE ON promises
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_promises_changed();
CREATE TRIGGER customer_totals_promises_delete AFTER DELETE ON promises
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_promises_deleted();

-- What is there already.
UPDATE customer_totals t SET
    risk_points = CASE lower(c.risk_class) WHEN 'high' THEN 20 WHEN 'medium' THEN 10 ELSE 0 END,
    broken_promises = (SELECT count(*) FROM promises p WHERE p.customer_id = c.id AND p.status = 'broken')
FROM customers c WHERE c.id = t.customer_id;

-- +goose Down
DROP TRIGGER customer_totals_promises_delete ON promises;
DROP TRIGGER customer_totals_promises_update ON promises;
DROP FUNCTION customer_totals_promises_deleted();
DROP FUNCTION customer_totals_promises_changed();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_totals_customers_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_totals (customer_id) SELECT id FROM new_rows ORDER BY id ON CONFLICT (customer_id) DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION customer_totals_customers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customer_totals_refresh(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.timezone <> o.timezone));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP INDEX customer_totals_overdue_on_idx;
DROP INDEX customer_totals_priority_idx;
ALTER TABLE customer_totals DROP COLUMN priority_base;
ALTER TABLE customer_totals DROP COLUMN broken_promises;
ALTER TABLE customer_totals DROP COLUMN risk_points;
