-- +goose Up

-- How far a payment plan's instalment may be late (days) or short (minor
-- units of the plan's currency) before the plan is broken, per entity.
ALTER TABLE entities
    ADD COLUMN plan_tolerance_days  integer NOT NULL DEFAULT 3 CHECK (plan_tolerance_days BETWEEN 0 AND 60),
    ADD COLUMN plan_tolerance_minor bigint  NOT NULL DEFAULT 0 CHECK (plan_tolerance_minor >= 0);

-- A payment plan: what the covered invoices owed when it was made (total_minor)
-- split into dated instalments that add up to it exactly. The tolerances are
-- the entity's, copied when the plan is made.
CREATE TABLE payment_plans (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     bigint      NOT NULL REFERENCES customers (id),
    invoice_ids     bigint[]    NOT NULL CHECK (cardinality(invoice_ids) > 0),
    currency        text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total_minor     bigint      NOT NULL CHECK (total_minor > 0),
    tolerance_days  integer     NOT NULL CHECK (tolerance_days >= 0),
    tolerance_minor bigint      NOT NULL CHECK (tolerance_minor >= 0),
    note            text        NOT NULL DEFAULT '',
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'broken', 'cancelled')),
    paid_minor      bigint, -- what was paid of total_minor when the plan closed
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_by       text        NOT NULL DEFAULT '',
    closed_at       timestamptz
);
CREATE INDEX payment_plans_customer_idx ON payment_plans (customer_id, id DESC);
CREATE INDEX payment_plans_open_idx ON payment_plans (customer_id) WHERE status = 'open';

CREATE TABLE plan_instalments (
    plan_id      bigint      NOT NULL REFERENCES payment_plans (id),
    seq          integer     NOT NULL CHECK (seq >= 1),
    due_date     date        NOT NULL,
    amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'met', 'missed')),
    checked_at   timestamptz,
    PRIMARY KEY (plan_id, seq)
);

-- +goose Down
DROP TABLE plan_instalments;
DROP TABLE payment_plans;
ALTER TABLE entities DROP COLUMN plan_tolerance_days, DROP COLUMN plan_tolerance_minor;
