-- +goose Up

-- Every import run gets a number; invoices remember the run that last set their
-- ERP open amount, allocations the run that brought their payment, so the open
-- amount rule ("ERP figure less payments that arrived after it") is exact.
CREATE TABLE imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments')),
    source      text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    inserted    bigint      NOT NULL DEFAULT 0,
    updated     bigint      NOT NULL DEFAULT 0,
    unchanged   bigint      NOT NULL DEFAULT 0,
    rejected    bigint      NOT NULL DEFAULT 0
);

CREATE TABLE import_rejections (
    import_id   bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line        bigint NOT NULL,
    external_id text   NOT NULL DEFAULT '',
    field       text   NOT NULL DEFAULT '',
    reason      text   NOT NULL,
    PRIMARY KEY (import_id, line, field)
);

CREATE TABLE entities (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text        NOT NULL UNIQUE,
    name       text        NOT NULL,
    country    text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency   text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    timezone   text        NOT NULL,
    language   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text        NOT NULL UNIQUE CHECK (email = lower(email)),
    name       text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('admin', 'credit_manager', 'agent', 'sales_rep', 'department', 'division_manager', 'auditor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id        text        NOT NULL UNIQUE,
    entity_id          bigint      NOT NULL REFERENCES entities (id),
    name               text        NOT NULL,
    category           text        NOT NULL DEFAULT '',
    country            text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    language           text        NOT NULL,
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    timezone           text        NOT NULL,
    email              text        NOT NULL DEFAULT '',
    phone              text        NOT NULL DEFAULT '',
    credit_limit_minor bigint      CHECK (credit_limit_minor >= 0),
    risk_class         text        NOT NULL DEFAULT '',
    agent_id           bigint      REFERENCES users (id),
    sales_rep_id       bigint      REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_entity_idx ON customers (entity_id);
CREATE INDEX customers_agent_idx ON customers (agent_id);
CREATE INDEX customers_category_idx ON customers (category);

-- Further people to reach at a customer, beyond the customer's main email/phone.
CREATE TABLE contacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    role        text        NOT NULL DEFAULT '',
    email       text        NOT NULL DEFAULT '',
    phone       text        NOT NULL DEFAULT '',
    language    text        NOT NULL DEFAULT '',
    is_primary  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id);

CREATE TABLE invoices (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id         text        NOT NULL UNIQUE,
    customer_id         bigint      NOT NULL REFERENCES customers (id),
    number              text        NOT NULL,
    type                text        NOT NULL CHECK (type IN ('invoice', 'credit_note')),
    issue_date          date        NOT NULL,
    due_date            date        NOT NULL,
    currency            text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor        bigint      NOT NULL CHECK (amount_minor >= 0),
    erp_open_minor      bigint      NOT NULL CHECK (erp_open_minor >= 0),
    -- The import run that last set erp_open_minor. Not a foreign key: runs are
    -- never deleted, and a per-row check halves the speed of large imports.
    erp_import_id       bigint      NOT NULL,
    open_minor          bigint      NOT NULL CHECK (open_minor >= 0),
    status              text        NOT NULL CHECK (status IN ('open', 'paid', 'disputed', 'written_off')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, number)
);
-- Open items drive dunning, balances and the overdue list; paid ones are history.
CREATE INDEX invoices_open_due_idx ON invoices (customer_id, due_date) WHERE status IN ('open', 'disputed');

CREATE TABLE payments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id        text        NOT NULL UNIQUE,
    customer_id        bigint      NOT NULL REFERENCES customers (id),
    invoice_number     text        NOT NULL DEFAULT '',
    received_on        date        NOT NULL,
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor       bigint      NOT NULL CHECK (amount_minor > 0),
    unallocated_minor  bigint      NOT NULL CHECK (unallocated_minor >= 0),
    import_id          bigint      NOT NULL, -- the run that brought it (runs are never deleted)
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_customer_idx ON payments (customer_id);

CREATE TABLE payment_allocations (
    payment_id   bigint NOT NULL REFERENCES payments (id),
    invoice_id   bigint NOT NULL REFERENCES invoices (id),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    import_id    bigint NOT NULL,
    PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice_idx ON payment_allocations (invoice_id);

-- Rates are exact decimals (numeric), never floats.
CREATE TABLE exchange_rates (
    rate_date     date           NOT NULL,
    from_currency text           NOT NULL CHECK (from_currency ~ '^[A-Z]{3}$'),
    to_currency   text           NOT NULL CHECK (to_currency ~ '^[A-Z]{3}$'),
    rate          numeric(24, 12) NOT NULL CHECK (rate > 0),
    PRIMARY KEY (rate_date, from_currency, to_currency)
);

CREATE TABLE audit_journal (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    action     text        NOT NULL,
    target     text        NOT NULL,
    before     jsonb,
    after      jsonb,
    request_id text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_journal_target_idx ON audit_journal (target, at);

-- +goose StatementBegin
CREATE FUNCTION audit_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_journal is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_journal_append_only
    BEFORE UPDATE OR DELETE ON audit_journal
    FOR EACH ROW EXECUTE FUNCTION audit_journal_append_only();

CREATE TRIGGER audit_journal_no_truncate
    BEFORE TRUNCATE ON audit_journal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_journal_append_only();

-- +goose Down
DROP TABLE audit_journal;
DROP FUNCTION audit_journal_append_only();
DROP TABLE exchange_rates;
DROP TABLE payment_allocations;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE contacts;
DROP TABLE customers;
DROP TABLE users;
DROP TABLE entities;
DROP TABLE import_rejections;
DROP TABLE imports;
