-- +goose Up
-- Cases: disputes and requests that another department resolves, each run by a
-- Case workflow (case/<id>). Postgres holds the data lists and KPIs read; the
-- workflow holds the SLA clock.

-- The departments cases are routed to, and who each one's escalations reach
-- (NULL: the department's queue).
CREATE TABLE case_departments (
    department text PRIMARY KEY
        CHECK (department IN ('sales', 'sales_administration', 'logistics', 'legal', 'credit_management')),
    manager_id bigint REFERENCES users (id)
);
INSERT INTO case_departments (department)
VALUES ('sales'), ('sales_administration'), ('logistics'), ('legal'), ('credit_management');

-- Routing: type + reason (+ entity) -> department + owner (NULL: the
-- department's queue). reason '' matches any reason, entity NULL any entity;
-- the most specific row wins (entity before reason).
CREATE TABLE case_routing (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type       text   NOT NULL
        CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message')),
    reason     text   NOT NULL DEFAULT '',
    entity_id  bigint REFERENCES entities (id),
    department text   NOT NULL REFERENCES case_departments (department),
    owner_id   bigint REFERENCES users (id)
);
CREATE UNIQUE INDEX case_routing_key_idx ON case_routing (type, reason, coalesce(entity_id, 0));
INSERT INTO case_routing (type, reason, department) VALUES
    ('dispute', '', 'credit_management'),
    ('dispute', 'price', 'sales'),
    ('dispute', 'quantity', 'logistics'),
    ('dispute', 'quality', 'logistics'),
    ('dispute', 'delivery', 'logistics'),
    ('dispute', 'duplicate_billing', 'sales_administration'),
    ('dispute', 'already_paid', 'credit_management'),
    ('dispute', 'missing_purchase_order', 'sales_administration'),
    ('credit_limit_request', '', 'credit_management'),
    ('data_change_request', '', 'sales_administration'),
    ('customer_message', '', 'credit_management');

-- SLA in business days of the entity's calendar, per type and reason (''
-- any) and entity (NULL any); the most specific row wins, as for routing.
CREATE TABLE case_sla (
    id            bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type          text    NOT NULL
        CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message')),
    reason        text    NOT NULL DEFAULT '',
    entity_id     bigint  REFERENCES entities (id),
    business_days integer NOT NULL CHECK (business_days BETWEEN 1 AND 250)
);
CREATE UNIQUE INDEX case_sla_key_idx ON case_sla (type, reason, coalesce(entity_id, 0));
INSERT INTO case_sla (type, business_days) VALUES
    ('dispute', 10), ('credit_limit_request', 5), ('data_change_request', 5), ('customer_message', 2);

CREATE TABLE cases (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type              text        NOT NULL
        CHECK (type IN ('dispute', 'credit_limit_request', 'data_change_request', 'customer_message')),
    customer_id       bigint      NOT NULL REFERENCES customers (id),
    entity_id         bigint      NOT NULL REFERENCES entities (id),
    status            text        NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'waiting_customer', 'decided', 'closed')),
    reason            text        NOT NULL DEFAULT '',
    description       text        NOT NULL DEFAULT '',
    -- what the request asks: a credit limit request's new limit (in the
    -- customer's currency), a data change request's field and value
    details           jsonb       NOT NULL DEFAULT '{}',
    department        text        NOT NULL REFERENCES case_departments (department),
    owner_id          bigint      REFERENCES users (id), -- NULL: the department's queue
    source            text        NOT NULL,
    opened_by         text        NOT NULL,
    opened_at         timestamptz NOT NULL DEFAULT now(),
    sla_business_days integer     NOT NULL,
    -- the SLA clock as the workflow last recorded it: on_time, reminded (half
    -- gone), breached (at the SLA), breached_twice (at twice the SLA)
    sla_state         text        NOT NULL DEFAULT 'on_time'
        CHECK (sla_state IN ('on_time', 'reminded', 'breached', 'breached_twice')),
    breached_at       timestamptz,
    decision          text        NOT NULL DEFAULT ''
        CHECK (decision IN ('', 'accepted', 'partly_accepted', 'rejected', 'withdrawn', 'approved', 'refused', 'done')),
    decision_reason   text        NOT NULL DEFAULT '',
    decided_by        text        NOT NULL DEFAULT '',
    decided_at        timestamptz,
    closed_at         timestamptz,
    reopened          integer     NOT NULL DEFAULT 0, -- times reopened: keys of a round's tasks
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_customer_idx ON cases (customer_id);
CREATE INDEX cases_department_idx ON cases (department, status);
CREATE INDEX cases_owner_idx ON cases (owner_id) WHERE status IN ('open', 'waiting_customer');

-- The invoices of a dispute: what the customer disputes, and the credit
-- note accepted for each (for the ERP to issue).
CREATE TABLE case_invoices (
    case_id           bigint NOT NULL REFERENCES cases (id),
    invoice_id        bigint NOT NULL REFERENCES invoices (id),
    currency          text   NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    disputed_minor    bigint NOT NULL CHECK (disputed_minor > 0),
    credit_note_minor bigint CHECK (credit_note_minor >= 0 AND credit_note_minor <= disputed_minor),
    PRIMARY KEY (case_id, invoice_id)
);
CREATE INDEX case_invoices_invoice_idx ON case_invoices (invoice_id);

CREATE TABLE case_comments (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id),
    author     text        NOT NULL,
    body       text        NOT NULL CHECK (body <> ''),
    mentions   text[]      NOT NULL DEFAULT '{}', -- emails of the users @mentioned
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_comments_case_idx ON case_comments (case_id, id);

-- In-app notifications of one user: a case assigned to them, an @mention, a
-- comment on their case, an SLA reminder or escalation.
CREATE TABLE notifications (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text        NOT NULL
        CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation')),
    case_id    bigint      REFERENCES cases (id),
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- The SLA reminders and escalations of cases are tasks.
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check CHECK (kind IN (
    'call', 'manual_email', 'escalation', 'purchase_order', 'payment_plan', 'fix_contact', 'check_payment', 'case'));

-- +goose Down
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check CHECK (kind IN (
    'call', 'manual_email', 'escalation', 'purchase_order', 'payment_plan', 'fix_contact', 'check_payment'));
DROP TABLE notifications;
DROP TABLE case_comments;
DROP TABLE case_invoices;
DROP TABLE cases;
DROP TABLE case_sla;
DROP TABLE case_routing;
DROP TABLE case_departments;
