-- +goose Up

-- Who may sign in, and what they may see. A user imported from the ERP has no
-- password and cannot sign in until `recoup user add` (or an admin) gives one.
ALTER TABLE users
    ADD COLUMN password_hash text,
    ADD COLUMN all_entities  boolean NOT NULL DEFAULT false,
    ADD COLUMN department    text    NOT NULL DEFAULT '',
    ADD COLUMN disabled      boolean NOT NULL DEFAULT false;

-- The perimeter: the entities a user works in (all_entities overrides).
CREATE TABLE user_entities (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entity_id bigint NOT NULL REFERENCES entities (id),
    PRIMARY KEY (user_id, entity_id)
);

-- Browser sessions and personal API tokens are stored as SHA-256 of the
-- secret: a database leak does not hand out live credentials.
CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    address    text        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    scope        text        NOT NULL CHECK (scope IN ('full', 'import')),
    token_hash   bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Every sign-in attempt, kept for rate limiting (per account and per address)
-- and for the record.
CREATE TABLE login_attempts (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    email   text        NOT NULL,
    address text        NOT NULL,
    ok      boolean     NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at) WHERE NOT ok;
CREATE INDEX login_attempts_address_idx ON login_attempts (address, at) WHERE NOT ok;

-- A department user sees the customers whose tasks are routed to them.
CREATE INDEX tasks_customer_role_idx ON tasks (customer_id, assignee_role);
CREATE INDEX customers_sales_rep_idx ON customers (sales_rep_id);

-- +goose Down
DROP INDEX customers_sales_rep_idx;
DROP INDEX tasks_customer_role_idx;
DROP TABLE login_attempts;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_entities;
ALTER TABLE users DROP COLUMN password_hash, DROP COLUMN all_entities, DROP COLUMN department, DROP COLUMN disabled;
