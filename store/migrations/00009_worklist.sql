-- +goose Up
-- The agents' worklist: exchange rates come in by import, tasks record the
-- outcome of the work done on them, and the worklist reads the open tasks.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates'));

-- The rates to one currency on or before a date: the worklist's conversion.
CREATE INDEX exchange_rates_to_idx ON exchange_rates (to_currency, from_currency, rate_date DESC);

-- Tasks people create (a purchase order to ask for, a plan to negotiate) and
-- those that outcomes create (fix a contact, check a payment said to be made).
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check CHECK (kind IN (
    'call', 'manual_email', 'escalation', 'purchase_order', 'payment_plan', 'fix_contact', 'check_payment'));
-- outcome: what completing the task found (no_answer, wrong_contact, ...), with its details;
-- attempts: how many times in a row nobody answered, carried to the task that comes back.
ALTER TABLE tasks ADD COLUMN outcome text NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN outcome_detail jsonb;
ALTER TABLE tasks ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- The team's worklist walks every open task: this keeps it to the open ones.
CREATE INDEX tasks_open_customer_idx ON tasks (customer_id) INCLUDE (assignee_id, due_at) WHERE status = 'open';

-- +goose Down
DROP INDEX tasks_open_customer_idx;
ALTER TABLE tasks DROP COLUMN attempts;
ALTER TABLE tasks DROP COLUMN outcome_detail;
ALTER TABLE tasks DROP COLUMN outcome;
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check CHECK (kind IN ('call', 'manual_email', 'escalation'));
DROP INDEX exchange_rates_to_idx;
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments'));
