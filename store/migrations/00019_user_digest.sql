-- +goose Up
-- A user who opts in gets the daily digest email (tomorrow's sends, the
-- accounts that cannot be chased); off by default.
ALTER TABLE users ADD COLUMN digest boolean NOT NULL DEFAULT false;

-- One row per digest sent: the key that makes a retried or replayed daily
-- run send each user's digest of a day once.
CREATE TABLE digests_sent (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date   NOT NULL,
    sent_at timestamptz,
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE digests_sent;
ALTER TABLE users DROP COLUMN digest;
