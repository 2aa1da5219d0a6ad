-- +goose Up

-- Credit limits and holds (README "Credit limits and holds").

-- The use of the credit limit (in percent) at which an alert is raised, per
-- entity; empty: no alert.
ALTER TABLE entities
    ADD COLUMN credit_limit_thresholds integer[] NOT NULL DEFAULT '{80,100}'
        CHECK (0 < ALL (credit_limit_thresholds) AND 1000 >= ALL (credit_limit_thresholds)
               AND cardinality(credit_limit_thresholds) <= 5);

-- Who put the account on credit hold and why: a person gives a reason; a
-- scenario's credit-hold step leaves both empty (its journal entry says which
-- step).
ALTER TABLE customers
    ADD COLUMN on_hold_reason text NOT NULL DEFAULT '',
    ADD COLUMN on_hold_by     text NOT NULL DEFAULT '';

-- Where each customer stands against each threshold it has crossed at least
-- once: above or not, and how many times it crossed upward (the episode). An
-- alert's dedupe key names the episode, so evaluating again never alerts
-- twice, and a customer that fell below and crosses again is alerted again.
-- No row: never crossed (so 100,000 quiet accounts cost no row).
CREATE TABLE credit_limit_levels (
    customer_id bigint      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    threshold   integer     NOT NULL,
    above       boolean     NOT NULL,
    episode     integer     NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, threshold)
);
CREATE INDEX credit_limit_levels_above_idx ON credit_limit_levels (customer_id) WHERE above;

-- +goose Down
DROP TABLE credit_limit_levels;
ALTER TABLE customers DROP COLUMN on_hold_reason, DROP COLUMN on_hold_by;
ALTER TABLE entities DROP COLUMN credit_limit_thresholds;
