-- +goose Up
-- Files attached to a case's discussion, kept in Postgres beside the case (one
-- backup, one perimeter, one transaction with the comment they belong to).
-- The content type is the one Recoup sniffed and allowed, never the
-- uploader's claim; sha256 is of the bytes, hex.
CREATE TABLE case_attachments (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint      NOT NULL REFERENCES cases (id),
    comment_id   bigint      REFERENCES case_comments (id), -- NULL: attached without a comment
    file_name    text        NOT NULL CHECK (file_name <> '' AND length(file_name) <= 255),
    content_type text        NOT NULL,
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content      bytea       NOT NULL CHECK (octet_length(content) = size_bytes),
    uploaded_by  text        NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_attachments_case_idx ON case_attachments (case_id, id);
CREATE INDEX case_attachments_comment_idx ON case_attachments (comment_id) WHERE comment_id IS NOT NULL;

-- +goose Down
DROP TABLE case_attachments;
