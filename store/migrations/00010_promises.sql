-- +goose Up

-- Grace after a promise date before its invoices are checked (per entity):
-- a payment sent on the promised day has time to arrive and be imported.
ALTER TABLE entities
    ADD COLUMN promise_grace_days integer NOT NULL DEFAULT 3 CHECK (promise_grace_days BETWEEN 0 AND 60);

-- A promise to pay: the customer said they would pay amount_minor by
-- promised_date for these invoices. The account's workflow holds the invoices
-- through promised_date + grace_days (the entity's grace, copied when the
-- promise is made, so a later change of the setting does not move a promise),
-- then checks what was paid of covered_open_minor, the invoices' open total
-- when the promise was made.
CREATE TABLE promises (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id        bigint      NOT NULL REFERENCES customers (id),
    invoice_ids        bigint[]    NOT NULL CHECK (cardinality(invoice_ids) > 0),
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor       bigint      NOT NULL CHECK (amount_minor > 0),
    covered_open_minor bigint      NOT NULL CHECK (covered_open_minor >= amount_minor),
    promised_date      date        NOT NULL,
    grace_days         integer     NOT NULL CHECK (grace_days >= 0),
    note               text        NOT NULL DEFAULT '',
    source             text        NOT NULL CHECK (source IN ('call', 'email', 'portal', 'api')),
    status             text        NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'kept', 'partly_kept', 'broken', 'cancelled')),
    paid_minor         bigint, -- what was paid of covered_open_minor when the promise was checked
    created_by         text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    closed_by          text        NOT NULL DEFAULT '',
    closed_at          timestamptz
);
CREATE INDEX promises_customer_idx ON promises (customer_id, id DESC);
CREATE INDEX promises_open_idx ON promises (customer_id) WHERE status = 'open';
-- The worklist's priority counts a customer's broken promises.
CREATE INDEX promises_broken_idx ON promises (customer_id) WHERE status = 'broken';

-- +goose Down
DROP TABLE promises;
ALTER TABLE entities DROP COLUMN promise_grace_days;
