-- +goose Up

-- Risk rules (README "Credit risk", "Rules and alerts"): what a credit
-- manager wants to hear of, per entity, and what Recoup then does. The
-- condition must hold on `consecutive` observations in a row of the customer
-- (regular indicators, not a first indication).
CREATE TABLE risk_rules (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id   bigint      NOT NULL REFERENCES entities (id),
    name        text        NOT NULL CHECK (name <> ''),
    kind        text        NOT NULL
        CHECK (kind IN ('score_drop', 'rating_worse', 'limit_below_outstanding', 'legal_status_change')),
    -- score_drop: the score lost at least `points` against the best score of
    -- the `days` days before
    points      smallint    CHECK (points BETWEEN 1 AND 100),
    days        integer     CHECK (days BETWEEN 1 AND 3650),
    -- rating_worse: the classes best to worst; empty: the entity's scale
    scale       text[]      NOT NULL DEFAULT '{}',
    consecutive smallint    NOT NULL DEFAULT 1 CHECK (consecutive BETWEEN 1 AND 5),
    -- actions
    notify      boolean     NOT NULL DEFAULT true,
    email       boolean     NOT NULL DEFAULT false,
    scenario_id bigint      REFERENCES scenarios (id),
    credit_hold boolean     NOT NULL DEFAULT false,
    task_kind   text        CHECK (task_kind IN ('call', 'escalation', 'purchase_order', 'payment_plan')),
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity_id, name),
    CHECK ((kind = 'score_drop') = (points IS NOT NULL AND days IS NOT NULL))
);
CREATE INDEX risk_rules_entity_idx ON risk_rules (entity_id) WHERE active;

-- An entity's rating scale, best to worst, for its rules that name none
-- (empty: Recoup's default, AAA to D).
ALTER TABLE entities ADD COLUMN risk_rating_scale text[] NOT NULL DEFAULT '{}';

-- The deadline for declaring a claim once insolvency proceedings are
-- published, per country of the customer ('' : any other country). Days or
-- months from the publication (else from the observation).
CREATE TABLE claim_deadlines (
    country    text    PRIMARY KEY CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    days       integer CHECK (days BETWEEN 1 AND 730),
    months     integer CHECK (months BETWEEN 1 AND 24),
    reference  text    NOT NULL DEFAULT '',
    CHECK ((days IS NULL) <> (months IS NULL))
);
INSERT INTO claim_deadlines (country, days, months, reference) VALUES
    ('FR', NULL, 2, 'Code de commerce R622-24: two months from the BODACC publication'),
    ('ES', NULL, 1, 'Ley Concursal (TRLC art. 255): one month from the BOE publication'),
    ('PT', 30, NULL, 'CIRE art. 36: the court sets up to 30 days; the longest shown, check the judgment'),
    ('DE', 14, NULL, 'InsO 28: the court sets two weeks to three months; the shortest, check the judgment'),
    ('', 30, NULL, 'default: check the local law');

-- A claim declaration: the legal department declares the creditor's claim to
-- the insolvency administrator before due_on.
ALTER TABLE cases ADD COLUMN due_on date;
ALTER TABLE cases DROP CONSTRAINT cases_type_check;
ALTER TABLE cases ADD CONSTRAINT cases_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message', 'claim_declaration'));
ALTER TABLE case_routing DROP CONSTRAINT case_routing_type_check;
ALTER TABLE case_routing ADD CONSTRAINT case_routing_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message', 'claim_declaration'));
ALTER TABLE case_sla DROP CONSTRAINT case_sla_type_check;
ALTER TABLE case_sla ADD CONSTRAINT case_sla_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message', 'claim_declaration'));
INSERT INTO case_routing (type, reason, department) VALUES ('claim_declaration', '', 'legal');

-- Invoices of a customer in insolvency proceedings: declared as a claim,
-- never dunned again (until a person says otherwise).
ALTER TABLE invoices ADD COLUMN in_proceedings boolean NOT NULL DEFAULT false;

-- The emails a risk alert owes its people, written with the alert and sent
-- after the commit (a failed send stays owed; the daily catch-up retries).
CREATE TABLE risk_alert_emails (
    alert_id   bigint      NOT NULL REFERENCES risk_alerts (id),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX risk_alert_emails_owed_idx ON risk_alert_emails (alert_id) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE risk_alert_emails;
ALTER TABLE invoices DROP COLUMN in_proceedings;
DELETE FROM case_routing WHERE type = 'claim_declaration';
DELETE FROM case_sla WHERE type = 'claim_declaration';
ALTER TABLE case_sla DROP CONSTRAINT case_sla_type_check;
ALTER TABLE case_sla ADD CONSTRAINT case_sla_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message'));
ALTER TABLE case_routing DROP CONSTRAINT case_routing_type_check;
ALTER TABLE case_routing ADD CONSTRAINT case_routing_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message'));
ALTER TABLE cases DROP CONSTRAINT cases_type_check;
ALTER TABLE cases ADD CONSTRAINT cases_type_check
    CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message'));
ALTER TABLE cases DROP COLUMN due_on;
DROP TABLE claim_deadlines;
ALTER TABLE entities DROP COLUMN risk_rating_scale;
DROP TABLE risk_rules;
