-- +goose Up
-- The event feed (an outbox): one row per business fact, written by triggers
-- in the same transaction as the change it describes, so no writer (use case,
-- importer, activity, tests' factory) can forget one and a rolled-back change
-- leaves none.
--
-- No gaps for a reader: ids are not taken when the rows are written (a
-- transaction could then commit id 11 before another commits id 10) but at
-- commit, by a deferred trigger, while the transaction holds the row lock of
-- event_counter: numbering is serialized by commit, so every id below N is
-- committed before N is. The lock is held only between the numbering and the
-- commit, not for the whole transaction (an import keeps its row locks for
-- seconds; other writers wait for its numbering only). The rows are never
-- rewritten: a row keeps its transaction and its ordinal within it, and the
-- transaction's row in event_commits gets its range of ids at commit.
CREATE TABLE events (
    xid                  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    ordinal              integer     NOT NULL, -- 1, 2... within its transaction
    type                 text        NOT NULL,
    occurred_at          timestamptz NOT NULL DEFAULT now(),
    customer_id          bigint,
    customer_external_id text,
    invoice_id           bigint,
    invoice_external_id  text,
    case_id              bigint,
    payload              jsonb       NOT NULL,
    PRIMARY KEY (xid, ordinal)
);

-- One row per transaction that wrote events; at its commit it gets the ids
-- first_id..last_id (an event's id is first_id + ordinal - 1).
CREATE TABLE event_commits (
    xid      xid8 PRIMARY KEY,
    first_id bigint UNIQUE,
    last_id  bigint UNIQUE
);

-- The last id given; its row lock serializes the numbering.
CREATE TABLE event_counter (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    last bigint  NOT NULL
);
INSERT INTO event_counter (last) VALUES (0);

-- How many events the transaction wrote so far (a transaction-local
-- setting, so a rolled-back savepoint takes its events and its count back).
-- +goose StatementBegin
CREATE FUNCTION events_ordinal() RETURNS integer LANGUAGE sql AS $$
    SELECT coalesce(nullif(current_setting('recoup.event_ordinal', true), ''), '0')::integer
$$;
-- +goose StatementEnd

-- A trigger wrote n events: count them; the first of the transaction
-- registers it for numbering at commit.
-- +goose StatementBegin
CREATE FUNCTION events_written(n bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    before integer := events_ordinal();
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    PERFORM set_config('recoup.event_ordinal', (before + n)::text, true);
    IF before = 0 THEN
        INSERT INTO event_commits (xid) VALUES (pg_current_xact_id());
    END IF;
END;
$$;
-- +goose StatementEnd

-- At commit: the transaction's events take the next ids, under the counter's row lock.
-- +goose StatementBegin
CREATE FUNCTION events_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n     integer := events_ordinal();
    first bigint;
BEGIN
    IF n = 0 THEN
        DELETE FROM event_commits WHERE xid = NEW.xid;
        RETURN NULL;
    END IF;
    UPDATE event_counter SET last = last + n RETURNING last - n + 1 INTO first;
    UPDATE event_commits SET first_id = first, last_id = first + n - 1 WHERE xid = NEW.xid;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER events_number AFTER INSERT ON event_commits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_number();

-- Invoices: created; then paid, disputed, or updated (amounts, dates, status).
-- +goose StatementBegin
CREATE FUNCTION events_invoices_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, invoice_id, invoice_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'invoice.created', n.customer_id, c.external_id, n.id, n.external_id,
           jsonb_build_object('version', 1, 'number', n.number, 'type', n.type, 'issue_date', n.issue_date,
               'due_date', n.due_date, 'currency', n.currency, 'amount_minor', n.amount_minor,
               'open_minor', n.open_minor, 'status', n.status)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION events_invoices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, invoice_id, invoice_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), CASE WHEN n.status = 'paid' AND o.status <> 'paid' THEN 'invoice.paid'
                WHEN n.status = 'disputed' AND o.status <> 'disputed' THEN 'invoice.disputed'
                ELSE 'invoice.updated' END,
           n.customer_id, c.external_id, n.id, n.external_id,
           jsonb_build_object('version', 1, 'number', n.number, 'type', n.type, 'issue_date', n.issue_date,
               'due_date', n.due_date, 'currency', n.currency, 'amount_minor', n.amount_minor,
               'open_minor', n.open_minor, 'status', n.status, 'previous_status', o.status,
               'previous_open_minor', o.open_minor)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN customers c ON c.id = n.customer_id
    WHERE (n.status, n.open_minor, n.amount_minor, n.due_date, n.issue_date, n.number)
          IS DISTINCT FROM (o.status, o.open_minor, o.amount_minor, o.due_date, o.issue_date, o.number);
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_invoices_insert AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_invoices_inserted();
CREATE TRIGGER events_invoices_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_invoices_updated();

-- +goose StatementBegin
CREATE FUNCTION events_payments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'payment.received', n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'payment_id', n.id, 'payment_external_id', n.external_id,
               'received_on', n.received_on, 'currency', n.currency, 'amount_minor', n.amount_minor,
               'invoice_number', n.invoice_number, 'import_id', n.import_id)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_payments_insert AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_payments_inserted();

-- A message of the log reaches 'sent' or 'failed' (claimed as 'sending' first, or written finished).
-- +goose StatementBegin
CREATE FUNCTION events_messages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.created_at, n.key), CASE n.status WHEN 'sent' THEN 'reminder.sent' ELSE 'reminder.failed' END, n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'key', n.key, 'channel', n.channel,
               'template', coalesce(v.steps -> n.step_index ->> 'template', ''),
               'scenario_id', n.scenario_id, 'scenario_version', n.scenario_version, 'step_index', n.step_index,
               'repeat', n.repeat, 'invoice_ids', to_jsonb(n.invoice_ids), 'detail', n.detail)
    FROM new_rows n
    JOIN customers c ON c.id = n.customer_id
    LEFT JOIN scenario_versions v ON v.scenario_id = n.scenario_id AND v.version = n.scenario_version
    WHERE n.status IN ('sent', 'failed')
      AND (TG_OP = 'INSERT' OR NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.key = n.key AND o.status = n.status));
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Two functions' worth of triggers: an INSERT trigger has no old_rows.
-- +goose StatementBegin
CREATE FUNCTION events_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.created_at, n.key), CASE n.status WHEN 'sent' THEN 'reminder.sent' ELSE 'reminder.failed' END, n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'key', n.key, 'channel', n.channel,
               'template', coalesce(v.steps -> n.step_index ->> 'template', ''),
               'scenario_id', n.scenario_id, 'scenario_version', n.scenario_version, 'step_index', n.step_index,
               'repeat', n.repeat, 'invoice_ids', to_jsonb(n.invoice_ids), 'detail', n.detail)
    FROM new_rows n
    JOIN customers c ON c.id = n.customer_id
    LEFT JOIN scenario_versions v ON v.scenario_id = n.scenario_id AND v.version = n.scenario_version
    WHERE n.status IN ('sent', 'failed');
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_messages_insert AFTER INSERT ON message_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_messages_inserted();
CREATE TRIGGER events_messages_update AFTER UPDATE ON message_log
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_messages_changed();

-- +goose StatementBegin
CREATE FUNCTION events_tasks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'task.created', n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'task_id', n.id, 'kind', n.kind, 'assignee_role', n.assignee_role,
               'assignee_id', n.assignee_id, 'invoice_ids', to_jsonb(n.invoice_ids), 'due_at', n.due_at,
               'note', n.note)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION events_tasks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), CASE n.status WHEN 'done' THEN 'task.completed' ELSE 'task.cancelled' END, n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'task_id', n.id, 'kind', n.kind, 'resolution', n.resolution,
               'outcome', n.outcome, 'closed_by', n.closed_by, 'closed_at', n.closed_at)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN customers c ON c.id = n.customer_id
    WHERE n.status IN ('done', 'cancelled') AND o.status = 'open';
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_tasks_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_tasks_inserted();
CREATE TRIGGER events_tasks_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_tasks_updated();

-- +goose StatementBegin
CREATE FUNCTION events_promises_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'promise.created', n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'promise_id', n.id, 'invoice_ids', to_jsonb(n.invoice_ids),
               'currency', n.currency, 'amount_minor', n.amount_minor, 'promised_date', n.promised_date,
               'grace_days', n.grace_days, 'source', n.source, 'created_by', n.created_by)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- kept; broken (partly kept is broken, its status says so); cancelled.
-- +goose StatementBegin
CREATE FUNCTION events_promises_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), CASE n.status WHEN 'kept' THEN 'promise.kept' WHEN 'cancelled' THEN 'promise.cancelled'
                ELSE 'promise.broken' END, n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'promise_id', n.id, 'status', n.status,
               'invoice_ids', to_jsonb(n.invoice_ids), 'currency', n.currency, 'amount_minor', n.amount_minor,
               'paid_minor', n.paid_minor, 'promised_date', n.promised_date, 'closed_by', n.closed_by)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN customers c ON c.id = n.customer_id
    WHERE n.status <> 'open' AND o.status = 'open';
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_promises_insert AFTER INSERT ON promises
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_promises_inserted();
CREATE TRIGGER events_promises_update AFTER UPDATE ON promises
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_promises_updated();

-- +goose StatementBegin
CREATE FUNCTION events_plans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'plan.created', n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'plan_id', n.id, 'invoice_ids', to_jsonb(n.invoice_ids),
               'currency', n.currency, 'total_minor', n.total_minor, 'created_by', n.created_by)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION events_plans_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'plan.' || n.status, n.customer_id, c.external_id,
           jsonb_build_object('version', 1, 'plan_id', n.id, 'status', n.status,
               'invoice_ids', to_jsonb(n.invoice_ids), 'currency', n.currency, 'total_minor', n.total_minor,
               'paid_minor', n.paid_minor, 'closed_by', n.closed_by)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN customers c ON c.id = n.customer_id
    WHERE n.status <> 'open' AND o.status = 'open';
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_plans_insert AFTER INSERT ON payment_plans
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_plans_inserted();
CREATE TRIGGER events_plans_update AFTER UPDATE ON payment_plans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_plans_updated();

-- +goose StatementBegin
CREATE FUNCTION events_cases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, case_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'case.opened', n.customer_id, c.external_id, n.id,
           jsonb_build_object('version', 1, 'case_type', n.type, 'status', n.status, 'reason', n.reason,
               'department', n.department, 'owner_id', n.owner_id, 'source', n.source, 'opened_by', n.opened_by)
    FROM new_rows n JOIN customers c ON c.id = n.customer_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- One change may be several facts (decided and closed at once): one event each, in that order.
-- +goose StatementBegin
CREATE FUNCTION events_cases_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, case_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id, f.ord), f.type, n.customer_id, c.external_id, n.id,
           jsonb_build_object('version', 1, 'case_type', n.type, 'status', n.status, 'reason', n.reason,
               'department', n.department, 'owner_id', n.owner_id, 'decision', n.decision,
               'decision_reason', n.decision_reason, 'decided_by', n.decided_by)
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN customers c ON c.id = n.customer_id
    CROSS JOIN LATERAL (VALUES
        (1, 'case.routed', n.department IS DISTINCT FROM o.department OR n.owner_id IS DISTINCT FROM o.owner_id),
        (2, 'case.decided', n.decision <> '' AND n.decision IS DISTINCT FROM o.decision),
        (3, 'case.closed', n.status = 'closed' AND o.status <> 'closed')) f(ord, type, happened)
    WHERE f.happened;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_cases_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_cases_inserted();
CREATE TRIGGER events_cases_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_cases_updated();

-- +goose StatementBegin
CREATE FUNCTION events_customers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, customer_id, customer_external_id, payload)
    SELECT base + row_number() OVER (ORDER BY n.id, f.ord), f.type, n.id, n.external_id,
           jsonb_build_object('version', 1, 'name', n.name, 'on_hold', n.on_hold,
               'agent_id', n.agent_id, 'previous_agent_id', o.agent_id)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES
        (1, 'customer.credit_hold', n.on_hold AND NOT o.on_hold),
        (2, 'customer.released', o.on_hold AND NOT n.on_hold),
        (3, 'customer.reassigned', n.agent_id IS DISTINCT FROM o.agent_id)) f(ord, type, happened)
    WHERE f.happened;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_customers_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_customers_updated();

-- An import run is finished (in its own transaction: a failed import leaves no row, and no event).
-- +goose StatementBegin
CREATE FUNCTION events_imports_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    base    integer := events_ordinal();
    written bigint;
BEGIN
    INSERT INTO events (ordinal, type, payload)
    SELECT base + row_number() OVER (ORDER BY n.id), 'import.completed',
           jsonb_build_object('version', 1, 'import_id', n.id, 'kind', n.kind, 'source', n.source,
               'inserted', n.inserted, 'updated', n.updated, 'unchanged', n.unchanged, 'rejected', n.rejected)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.finished_at IS NOT NULL AND o.finished_at IS NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM events_written(written);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_imports_update AFTER UPDATE ON imports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_imports_updated();

-- Webhook subscriptions: every matching event POSTed, signed, in order.
-- state: active (delivering), failing (gave up after 3 days of failures),
-- disabled (the receiver answered 410 Gone, or an admin turned it off).
CREATE TABLE webhooks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url               text        NOT NULL,
    event_types       text[]      NOT NULL DEFAULT '{}', -- empty: every type
    secret            text        NOT NULL,               -- whsec_<base64>: needed to sign, so kept as is
    state             text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'failing', 'disabled')),
    state_reason      text        NOT NULL DEFAULT '',
    last_delivered_id bigint      NOT NULL DEFAULT 0,
    cursor_version    bigint      NOT NULL DEFAULT 0, -- bumped by "redeliver from": a batch in flight stops
    description       text        NOT NULL DEFAULT '',
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_deliveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id   bigint      NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id     bigint,      -- NULL: a test event
    event_type   text        NOT NULL,
    attempt      integer     NOT NULL,
    status       integer     NOT NULL, -- the HTTP status; 0: no answer
    ok           boolean     NOT NULL,
    error        text        NOT NULL DEFAULT '',
    latency_ms   double precision NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

-- Admins hear of a subscription that stopped delivering.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply',
                    'task_assigned', 'webhook_failing'));

-- +goose Down
DELETE FROM notifications WHERE kind = 'webhook_failing';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply',
                    'task_assigned'));
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TRIGGER events_imports_update ON imports;
DROP FUNCTION events_imports_updated();
DROP TRIGGER events_customers_update ON customers;
DROP FUNCTION events_customers_updated();
DROP TRIGGER events_cases_update ON cases;
DROP TRIGGER events_cases_insert ON cases;
DROP FUNCTION events_cases_updated();
DROP FUNCTION events_cases_inserted();
DROP TRIGGER events_plans_update ON payment_plans;
DROP TRIGGER events_plans_insert ON payment_plans;
DROP FUNCTION events_plans_updated();
DROP FUNCTION events_plans_inserted();
DROP TRIGGER events_promises_update ON promises;
DROP TRIGGER events_promises_insert ON promises;
DROP FUNCTION events_promises_updated();
DROP FUNCTION events_promises_inserted();
DROP TRIGGER events_tasks_update ON tasks;
DROP TRIGGER events_tasks_insert ON tasks;
DROP FUNCTION events_tasks_updated();
DROP FUNCTION events_tasks_inserted();
DROP TRIGGER events_messages_update ON message_log;
DROP TRIGGER events_messages_insert ON message_log;
DROP FUNCTION events_messages_changed();
DROP FUNCTION events_messages_inserted();
DROP TRIGGER events_payments_insert ON payments;
DROP FUNCTION events_payments_inserted();
DROP TRIGGER events_invoices_update ON invoices;
DROP TRIGGER events_invoices_insert ON invoices;
DROP FUNCTION events_invoices_updated();
DROP FUNCTION events_invoices_inserted();
DROP TRIGGER events_number ON event_commits;
DROP FUNCTION events_number();
DROP FUNCTION events_written(bigint);
DROP FUNCTION events_ordinal();
DROP TABLE event_counter;
DROP TABLE event_commits;
DROP TABLE events;
