-- +goose Up
-- The invoice PDFs the ERP provides (import kind documents): one per
-- invoice, replaced by a later import; the portal and the account page
-- offer it for download. Checked like case attachments before they land.
CREATE TABLE invoice_documents (
    invoice_id   bigint      PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    file_name    text        NOT NULL CHECK (file_name <> '' AND length(file_name) <= 255),
    content_type text        NOT NULL CHECK (content_type = 'application/pdf'),
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    sha256       bytea       NOT NULL,
    content      bytea       NOT NULL,
    import_id    bigint      NOT NULL REFERENCES imports (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates', 'holidays', 'risk', 'documents'));

-- +goose Down
DROP TABLE invoice_documents;
DELETE FROM import_rejections WHERE import_id IN (SELECT id FROM imports WHERE kind = 'documents');
DELETE FROM imports WHERE kind = 'documents';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates', 'holidays', 'risk'));
