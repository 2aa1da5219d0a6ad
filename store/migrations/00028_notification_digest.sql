-- +goose Up
-- A user who opts in gets, with the daily digests, an email of their unread
-- notifications (none unread: no email); off by default.
ALTER TABLE users ADD COLUMN notification_digest boolean NOT NULL DEFAULT false;

-- digests_sent keys each kind of digest apart: a user may get both on a day.
ALTER TABLE digests_sent ADD COLUMN kind text NOT NULL DEFAULT 'daily' CHECK (kind IN ('daily', 'notifications'));
ALTER TABLE digests_sent DROP CONSTRAINT digests_sent_pkey;
ALTER TABLE digests_sent ADD PRIMARY KEY (user_id, day, kind);

-- +goose Down
DELETE FROM digests_sent WHERE kind <> 'daily';
ALTER TABLE digests_sent DROP CONSTRAINT digests_sent_pkey;
ALTER TABLE digests_sent ADD PRIMARY KEY (user_id, day);
ALTER TABLE digests_sent DROP COLUMN kind;
ALTER TABLE users DROP COLUMN notification_digest;
