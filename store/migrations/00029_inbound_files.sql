-- +goose Up
-- The checked attachments of a quarantined customer email, kept until an
-- agent decides: confirmed, they go on the reply's case; discarded, they go.
CREATE TABLE inbound_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inbound_id   bigint NOT NULL REFERENCES inbound_emails (id) ON DELETE CASCADE,
    file_name    text   NOT NULL,
    content_type text   NOT NULL,
    content      bytea  NOT NULL
);
CREATE INDEX inbound_files_inbound_idx ON inbound_files (inbound_id);

-- +goose Down
DROP TABLE inbound_files;
