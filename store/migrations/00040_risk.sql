-- +goose Up

-- Credit risk (README "Credit risk"). The customer's identifiers a provider
-- knows it by, what the latest matched observation says (kept on the row so
-- lists and the account read it without a lateral join), and the open
-- orders the ERP may send for the use of the credit limit.
ALTER TABLE customers
    ADD COLUMN registration_number text        NOT NULL DEFAULT '',
    ADD COLUMN vat_number          text        NOT NULL DEFAULT '',
    ADD COLUMN open_orders_minor   bigint      CHECK (open_orders_minor >= 0),
    ADD COLUMN legal_status        text        NOT NULL DEFAULT 'active'
        CHECK (legal_status IN ('active', 'safeguard', 'receivership', 'liquidation', 'ceased')),
    ADD COLUMN legal_status_since  date,
    ADD COLUMN risk_score          smallint    CHECK (risk_score BETWEEN 0 AND 100),
    ADD COLUMN risk_rating         text        NOT NULL DEFAULT '',
    ADD COLUMN risk_limit_minor    bigint      CHECK (risk_limit_minor >= 0),
    ADD COLUMN risk_observed_at    timestamptz;
CREATE INDEX customers_registration_idx ON customers (registration_number) WHERE registration_number <> '';
CREATE INDEX customers_vat_idx ON customers (vat_number) WHERE vat_number <> '';

-- A provider of risk signals: its webhook's HMAC secret (only its sha256 is
-- not enough: the signature is checked with the secret itself, so it is
-- kept as given and never shown again) and the adapter reading its format.
CREATE TABLE risk_providers (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    adapter    text        NOT NULL,
    secret     text        NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every signal received, matched to a customer or not (customer_id NULL:
-- the queue an agent matches by hand). Kept forever: the history of a
-- customer's risk. event_id makes a provider's redelivery a no-op.
-- evaluated_at is set once the rules have looked at it, so a crash between
-- ingestion and evaluation is caught up, never skipped.
CREATE TABLE risk_signals (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider          text        NOT NULL,
    event_id          text        NOT NULL,
    company_id        text        NOT NULL,
    company_id_kind   text        NOT NULL CHECK (company_id_kind IN ('registration', 'vat', 'external')),
    company_name      text        NOT NULL DEFAULT '',
    customer_id       bigint      REFERENCES customers (id),
    matched_by        text        NOT NULL DEFAULT '',
    matched_at        timestamptz,
    dismissed_at      timestamptz,
    observed_at       timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    score             smallint    CHECK (score BETWEEN 0 AND 100),
    rating            text        NOT NULL DEFAULT '',
    limit_minor       bigint      CHECK (limit_minor >= 0),
    limit_currency    text        CHECK (limit_currency ~ '^[A-Z]{3}$'),
    legal_status      text        CHECK (legal_status IN ('active', 'safeguard', 'receivership', 'liquidation', 'ceased')),
    published_on      date,
    source            text        NOT NULL CHECK (source IN ('import', 'webhook', 'api')),
    import_id         bigint,
    payload           jsonb       NOT NULL DEFAULT '{}',
    evaluated_at      timestamptz,
    UNIQUE (provider, event_id),
    CHECK ((limit_minor IS NULL) = (limit_currency IS NULL))
);
CREATE INDEX risk_signals_customer_idx ON risk_signals (customer_id, observed_at DESC, id DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX risk_signals_unmatched_idx ON risk_signals (id) WHERE customer_id IS NULL AND dismissed_at IS NULL;
CREATE INDEX risk_signals_unevaluated_idx ON risk_signals (id) WHERE evaluated_at IS NULL AND customer_id IS NOT NULL;

-- An alert raised by a risk rule or a credit limit threshold. dedupe_key
-- says what makes two alerts the same (a rule, a customer and the
-- observation or episode that raised it): a redelivered signal or a second
-- evaluation raises nothing new.
CREATE TABLE risk_alerts (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     bigint      NOT NULL REFERENCES customers (id),
    kind            text        NOT NULL,
    rule_id         bigint,
    signal_id       bigint      REFERENCES risk_signals (id),
    dedupe_key      text        NOT NULL UNIQUE,
    detail          jsonb       NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by text        NOT NULL DEFAULT ''
);
CREATE INDEX risk_alerts_customer_idx ON risk_alerts (customer_id, id DESC);
CREATE INDEX risk_alerts_open_idx ON risk_alerts (id DESC) WHERE acknowledged_at IS NULL;

-- The agent and the credit manager hear of a risk alert in the app.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply',
                    'task_assigned', 'webhook_failing', 'risk_alert'));

-- +goose Down
DELETE FROM notifications WHERE kind = 'risk_alert';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply',
                    'task_assigned', 'webhook_failing'));
DROP TABLE risk_alerts;
DROP TABLE risk_signals;
DROP TABLE risk_providers;
ALTER TABLE customers
    DROP COLUMN registration_number,
    DROP COLUMN vat_number,
    DROP COLUMN open_orders_minor,
    DROP COLUMN legal_status,
    DROP COLUMN legal_status_since,
    DROP COLUMN risk_score,
    DROP COLUMN risk_rating,
    DROP COLUMN risk_limit_minor,
    DROP COLUMN risk_observed_at;
