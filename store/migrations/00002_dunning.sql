-- +goose Up

-- Contact window per entity: reminders reach customers between these local
-- hours on business days, unless any time is allowed.
ALTER TABLE entities
    ADD COLUMN contact_window_start time    NOT NULL DEFAULT '09:00',
    ADD COLUMN contact_window_end   time    NOT NULL DEFAULT '18:00',
    ADD COLUMN contact_any_time     boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT entities_contact_window CHECK (contact_any_time OR contact_window_start < contact_window_end);

-- A scenario is a name and its versions: every edit adds a version, old ones
-- stay readable, and each action records the version it used.
CREATE TABLE scenarios (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL UNIQUE,
    is_default      boolean     NOT NULL DEFAULT false,
    current_version integer     NOT NULL DEFAULT 1 CHECK (current_version >= 1),
    -- Archived scenarios keep their versions for the history; nothing new uses them.
    archived_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scenarios_one_default ON scenarios (is_default) WHERE is_default;

CREATE TABLE scenario_versions (
    scenario_id bigint      NOT NULL REFERENCES scenarios (id),
    version     integer     NOT NULL CHECK (version >= 1),
    steps       jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL DEFAULT '',
    PRIMARY KEY (scenario_id, version)
);

-- A customer may be pinned to a scenario; otherwise the first matching rule
-- (lowest position) chooses one per invoice, else the default scenario.
ALTER TABLE customers
    ADD COLUMN scenario_id   bigint REFERENCES scenarios (id),
    ADD COLUMN on_hold       boolean NOT NULL DEFAULT false,
    ADD COLUMN on_hold_since timestamptz;

CREATE TABLE assignment_rules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position         integer     NOT NULL UNIQUE,
    scenario_id      bigint      NOT NULL REFERENCES scenarios (id),
    entity_code      text,
    country          text CHECK (country ~ '^[A-Z]{2}$'),
    category         text,
    risk_class       text,
    -- Invoice amount band, in the band's currency; NULL bounds are open.
    currency         text CHECK (currency ~ '^[A-Z]{3}$'),
    min_amount_minor bigint CHECK (min_amount_minor >= 0),
    max_amount_minor bigint CHECK (max_amount_minor >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((min_amount_minor IS NULL AND max_amount_minor IS NULL) OR currency IS NOT NULL)
);

-- Templates credit managers edit; the shipped defaults live in the binary and
-- a row here overrides one of them.
CREATE TABLE message_templates (
    name       text        NOT NULL,
    channel    text        NOT NULL CHECK (channel IN ('email', 'sms', 'voice')),
    language   text        NOT NULL,
    subject    text        NOT NULL DEFAULT '',
    body_text  text        NOT NULL,
    body_html  text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text        NOT NULL DEFAULT '',
    PRIMARY KEY (name, channel, language)
);

-- Exactly once: every outbound action claims its idempotency key here before
-- it is sent; a retried or re-run activity finds the key and sends nothing.
CREATE TABLE message_log (
    key              text        PRIMARY KEY,
    customer_id      bigint      NOT NULL REFERENCES customers (id),
    workflow_id      text        NOT NULL,
    scenario_id      bigint      NOT NULL,
    scenario_version integer     NOT NULL,
    step_index       integer     NOT NULL,
    repeat           integer     NOT NULL DEFAULT 0,
    channel          text        NOT NULL,
    invoice_ids      bigint[]    NOT NULL,
    status           text        NOT NULL CHECK (status IN ('sending', 'sent', 'delivered', 'failed', 'fallback', 'skipped')),
    provider_ref     text        NOT NULL DEFAULT '',
    detail           text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_log_customer_idx ON message_log (customer_id, created_at);
CREATE INDEX message_log_provider_idx ON message_log (provider_ref) WHERE provider_ref <> '';

-- What providers report later about what they sent (delivered, failed, no
-- answer), by their reference. Kept apart from message_log because a report
-- can arrive before the send's activity has recorded the reference.
CREATE TABLE delivery_reports (
    provider_ref text        PRIMARY KEY,
    outcome      text        NOT NULL,
    error_code   text        NOT NULL DEFAULT '',
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Work for people: calls and manual emails for agents, escalations for managers and legal.
CREATE TABLE tasks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key           text        NOT NULL UNIQUE, -- the action's idempotency key
    customer_id   bigint      NOT NULL REFERENCES customers (id),
    kind          text        NOT NULL CHECK (kind IN ('call', 'manual_email', 'escalation')),
    assignee_role text        NOT NULL,
    assignee_id   bigint      REFERENCES users (id),
    invoice_ids   bigint[]    NOT NULL,
    due_at        timestamptz NOT NULL,
    note          text        NOT NULL DEFAULT '',
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    resolution    text        NOT NULL DEFAULT '',
    closed_by     text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    closed_at     timestamptz
);
CREATE INDEX tasks_open_idx ON tasks (assignee_id, due_at) WHERE status = 'open';

-- +goose Down
DROP TABLE tasks;
DROP TABLE delivery_reports;
DROP TABLE message_log;
DROP TABLE message_templates;
DROP TABLE assignment_rules;
ALTER TABLE customers DROP COLUMN scenario_id, DROP COLUMN on_hold, DROP COLUMN on_hold_since;
DROP TABLE scenario_versions;
DROP TABLE scenarios;
ALTER TABLE entities DROP CONSTRAINT entities_contact_window,
    DROP COLUMN contact_window_start, DROP COLUMN contact_window_end, DROP COLUMN contact_any_time;
