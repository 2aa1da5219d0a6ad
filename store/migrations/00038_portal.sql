-- +goose Up

-- The customer portal (README "Customer portal"). Per entity: how long a
-- link lives, how far ahead a promise made in the portal may go, the URL
-- templates of its payment page and of its invoice PDFs, and its branding.
ALTER TABLE entities
    ADD COLUMN portal_link_days          integer NOT NULL DEFAULT 60 CHECK (portal_link_days BETWEEN 1 AND 366),
    ADD COLUMN portal_promise_max_days   integer NOT NULL DEFAULT 30 CHECK (portal_promise_max_days BETWEEN 1 AND 366),
    ADD COLUMN portal_pay_url            text    NOT NULL DEFAULT '',
    ADD COLUMN portal_document_url       text    NOT NULL DEFAULT '',
    ADD COLUMN portal_logo_url           text    NOT NULL DEFAULT '',
    ADD COLUMN portal_color              text    NOT NULL DEFAULT '' CHECK (portal_color = '' OR portal_color ~ '^#[0-9a-f]{6}$');

-- A personal link to the portal: only the sha256 of its token is kept, so a
-- copy of the database opens nothing. reminder_key is the message it went
-- out in (one link per reminder: a retried send replaces the hash of a link
-- no customer received); NULL for a link asked for on the "new link" page.
CREATE TABLE portal_links (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES customers (id),
    token_hash  bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    contact     text        NOT NULL,
    reminder_key text       UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text        NOT NULL DEFAULT ''
);
CREATE INDEX portal_links_customer_idx ON portal_links (customer_id) WHERE revoked_at IS NULL;

-- A portal session: opened by a link, it lives no longer than its link and
-- dies with it (revoking a customer's links ends its sessions).
CREATE TABLE portal_sessions (
    secret_hash bytea       PRIMARY KEY CHECK (length(secret_hash) = 32),
    link_id     bigint      NOT NULL REFERENCES portal_links (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX portal_sessions_link_idx ON portal_sessions (link_id);

-- +goose Down
DROP TABLE portal_sessions;
DROP TABLE portal_links;
ALTER TABLE entities
    DROP COLUMN portal_link_days,
    DROP COLUMN portal_promise_max_days,
    DROP COLUMN portal_pay_url,
    DROP COLUMN portal_document_url,
    DROP COLUMN portal_logo_url,
    DROP COLUMN portal_color;
