-- +goose Up
-- Who an entity's reminders come from and where replies go. Empty: the
-- RECOUP_MAIL_FROM default (sender), the account's agent (reply_to), no
-- signature block.
ALTER TABLE entities
    ADD COLUMN sender_name    text NOT NULL DEFAULT '',
    ADD COLUMN sender_address text NOT NULL DEFAULT '',
    ADD COLUMN reply_to       text NOT NULL DEFAULT '',
    ADD COLUMN signature_name  text NOT NULL DEFAULT '',
    ADD COLUMN signature_phone text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE entities
    DROP COLUMN sender_name,
    DROP COLUMN sender_address,
    DROP COLUMN reply_to,
    DROP COLUMN signature_name,
    DROP COLUMN signature_phone;
