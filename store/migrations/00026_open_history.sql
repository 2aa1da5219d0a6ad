-- +goose Up
-- The dated history of every invoice's (and credit note's) receivable amount,
-- so the figures of a past date (aged balance, DSO, top overdue) are computed
-- from what Recoup knew that day, whichever way the ERP reports: a new open
-- amount in an invoice import, or payments Recoup allocates.
--
-- One row per change, written by statement-level triggers in the same
-- transaction as the change, so no writer (importer, store, tests' factory)
-- can forget it. open_minor is the receivable after the change: the open
-- amount, 0 once written off; due_date is the due date it had then.
CREATE TABLE invoice_open_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id  bigint      NOT NULL REFERENCES invoices (id),
    at          timestamptz NOT NULL DEFAULT now(),
    source      text        NOT NULL CHECK (source IN ('created', 'erp', 'payment', 'backfill')),
    import_id   bigint, -- the ERP run that set it ('created', 'erp'), when known
    open_minor  bigint      NOT NULL CHECK (open_minor >= 0),
    change_minor bigint     NOT NULL, -- open_minor less the previous row's
    due_date    date        NOT NULL
);
-- As of a date: the latest row of each invoice before the cut.
CREATE INDEX invoice_open_history_invoice_idx ON invoice_open_history (invoice_id, at DESC, id DESC);
CREATE INDEX invoice_open_history_at_idx ON invoice_open_history (at);

-- Existing invoices: one row at their creation with today's figure (earlier
-- changes were not recorded).
INSERT INTO invoice_open_history (invoice_id, at, source, import_id, open_minor, change_minor, due_date)
SELECT id, created_at, 'backfill', erp_import_id,
       CASE WHEN status = 'written_off' THEN 0 ELSE open_minor END,
       CASE WHEN status = 'written_off' THEN 0 ELSE open_minor END, due_date
FROM invoices ORDER BY id;

-- +goose StatementBegin
CREATE FUNCTION invoice_open_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice_open_history (invoice_id, source, import_id, open_minor, change_minor, due_date)
    SELECT n.id, 'created', n.erp_import_id, r.open_minor, r.open_minor, n.due_date
    FROM new_rows n
    CROSS JOIN LATERAL (SELECT CASE WHEN n.status = 'written_off' THEN 0 ELSE n.open_minor END AS open_minor) r
    ORDER BY n.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A change of open amount, write-off or due date is one row; its source is
-- 'erp' when the import run that set the ERP figure changed, else 'payment'
-- (an allocation lowered the open amount; the ERP figure stayed).
-- +goose StatementBegin
CREATE FUNCTION invoice_open_history_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice_open_history (invoice_id, source, import_id, open_minor, change_minor, due_date)
    SELECT n.id,
           CASE WHEN n.erp_import_id <> o.erp_import_id OR n.status = 'written_off' OR n.due_date <> o.due_date
                THEN 'erp' ELSE 'payment' END,
           CASE WHEN n.erp_import_id <> o.erp_import_id THEN n.erp_import_id END,
           rn.open_minor, rn.open_minor - ro.open_minor, n.due_date
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (SELECT CASE WHEN n.status = 'written_off' THEN 0 ELSE n.open_minor END AS open_minor) rn
    CROSS JOIN LATERAL (SELECT CASE WHEN o.status = 'written_off' THEN 0 ELSE o.open_minor END AS open_minor) ro
    WHERE rn.open_minor <> ro.open_minor OR n.due_date <> o.due_date
    ORDER BY n.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER invoice_open_history_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_open_history_inserted();
CREATE TRIGGER invoice_open_history_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoice_open_history_updated();

-- +goose Down
DROP TRIGGER invoice_open_history_update ON invoices;
DROP TRIGGER invoice_open_history_insert ON invoices;
DROP FUNCTION invoice_open_history_updated();
DROP FUNCTION invoice_open_history_inserted();
DROP TABLE invoice_open_history;
