-- +goose Up
-- A hold takes one invoice out of the reminders (the rest of the account goes
-- on): through until when set, else until released. A released hold stays as
-- history; at most one hold per invoice is active. The keys make the
-- workflow's activity idempotent: a retry finds its own row.
CREATE TABLE invoice_holds (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id     bigint      NOT NULL REFERENCES invoices (id),
    until          date,
    reason         text        NOT NULL CHECK (reason <> ''),
    held_by        text        NOT NULL,
    held_at        timestamptz NOT NULL DEFAULT now(),
    hold_key       text        NOT NULL UNIQUE,
    released_at    timestamptz,
    released_by    text        NOT NULL DEFAULT '',
    release_reason text        NOT NULL DEFAULT '',
    release_key    text        UNIQUE
);
CREATE UNIQUE INDEX invoice_holds_active_idx ON invoice_holds (invoice_id) WHERE released_at IS NULL;

-- Public holidays added to the built-in calendars: a country's (any entity's
-- customers in it) or an entity's (its customers, whatever their country).
CREATE TABLE holidays (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country   text   CHECK (country ~ '^[A-Z]{2}$'),
    entity_id bigint REFERENCES entities (id),
    date      date   NOT NULL,
    name      text   NOT NULL CHECK (name <> ''),
    CHECK ((country IS NULL) <> (entity_id IS NULL))
);
CREATE UNIQUE INDEX holidays_country_idx ON holidays (country, date) WHERE country IS NOT NULL;
CREATE UNIQUE INDEX holidays_entity_idx ON holidays (entity_id, date) WHERE entity_id IS NOT NULL;

-- The scenario whose step put the credit hold: its release_credit_hold
-- setting lifts the hold once nothing is overdue.
ALTER TABLE customers ADD COLUMN on_hold_scenario_id bigint REFERENCES scenarios (id);

ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates', 'holidays'));

-- +goose Down
DELETE FROM import_rejections WHERE import_id IN (SELECT id FROM imports WHERE kind = 'holidays');
DELETE FROM imports WHERE kind = 'holidays';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates'));
ALTER TABLE customers DROP COLUMN on_hold_scenario_id;
DROP TABLE holidays;
DROP TABLE invoice_holds;
