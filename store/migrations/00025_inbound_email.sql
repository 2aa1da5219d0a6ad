-- +goose Up
-- Customer replies and bounces: the reply address of each account, the
-- emails received (idempotent on Message-ID, quarantined when the sender is
-- not a contact of the account), and the bounces of the addresses Recoup
-- writes to.

-- Where replies go: <reply_local>+<token>@<reply_domain> ('' domain: the
-- Reply-To of before, the entity's reply_to or the agent), and how many
-- business days a customer's reply pauses the account's reminders.
ALTER TABLE entities
    ADD COLUMN reply_domain     text    NOT NULL DEFAULT '',
    ADD COLUMN reply_local      text    NOT NULL DEFAULT '',
    ADD COLUMN reply_pause_days integer NOT NULL DEFAULT 3 CHECK (reply_pause_days BETWEEN 0 AND 30);
CREATE INDEX entities_reply_domain_idx ON entities (lower(reply_domain)) WHERE reply_domain <> '';

-- One random token per account (130 bits, base32): it names the account in
-- its reply address without exposing an id; stable once made.
CREATE TABLE reply_tokens (
    customer_id bigint      PRIMARY KEY REFERENCES customers (id),
    token       text        NOT NULL UNIQUE CHECK (token ~ '^[a-z2-7]{26,}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every email received on a reply address, once per Message-ID.
CREATE TABLE inbound_emails (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   text        NOT NULL UNIQUE,
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    -- reply: a person wrote it; auto_reply: out of office and the like;
    -- bounce: a delivery status notification
    kind         text        NOT NULL CHECK (kind IN ('reply', 'auto_reply', 'bounce')),
    -- processed; quarantined (the sender is not a contact of the account:
    -- an agent confirms or discards it); confirmed; discarded
    status       text        NOT NULL CHECK (status IN ('processed', 'quarantined', 'confirmed', 'discarded')),
    from_address text        NOT NULL,
    from_name    text        NOT NULL DEFAULT '',
    subject      text        NOT NULL DEFAULT '',
    body         text        NOT NULL DEFAULT '',
    from_html    boolean     NOT NULL DEFAULT false,
    auto_reply   text        NOT NULL DEFAULT '', -- why it is automatic
    -- its own Message-ID, In-Reply-To and References: the thread it belongs to
    thread_ids   text[]      NOT NULL DEFAULT '{}',
    attachments  jsonb       NOT NULL DEFAULT '[]', -- name, type and size of each (the files are not kept here)
    case_id      bigint      REFERENCES cases (id),
    received_at  timestamptz NOT NULL DEFAULT now(),
    decided_by   text        NOT NULL DEFAULT '',
    decided_at   timestamptz
);
CREATE INDEX inbound_emails_customer_idx ON inbound_emails (customer_id, id);
CREATE INDEX inbound_emails_thread_idx ON inbound_emails USING gin (thread_ids);
CREATE INDEX inbound_emails_quarantine_idx ON inbound_emails (id) WHERE status = 'quarantined';

-- Bounces of an account's addresses; a hard one (or soft ones repeated)
-- makes the address undeliverable.
CREATE TABLE email_bounces (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES customers (id),
    address     text        NOT NULL,
    hard        boolean     NOT NULL,
    status      text        NOT NULL DEFAULT '',
    diagnostic  text        NOT NULL DEFAULT '',
    message_key text        NOT NULL DEFAULT '', -- the message log key of the email that bounced
    bounced_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_bounces_address_idx ON email_bounces (customer_id, address, bounced_at);

-- Addresses reminders no longer go to (the customer's other addresses,
-- else other channels, take over); an import with a new address is not
-- affected, the mark is per address.
CREATE TABLE email_undeliverable (
    customer_id bigint      NOT NULL REFERENCES customers (id),
    address     text        NOT NULL,
    reason      text        NOT NULL,
    since       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, address)
);

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply'));

-- +goose Down
DELETE FROM notifications WHERE kind = 'customer_reply';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation'));
DROP TABLE email_undeliverable;
DROP TABLE email_bounces;
DROP TABLE inbound_emails;
DROP TABLE reply_tokens;
DROP INDEX entities_reply_domain_idx;
ALTER TABLE entities DROP COLUMN reply_domain, DROP COLUMN reply_local, DROP COLUMN reply_pause_days;
