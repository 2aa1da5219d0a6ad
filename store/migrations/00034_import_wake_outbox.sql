-- +goose Up
-- An import that changed invoices or payments owes Temporal the wake-up of
-- the accounts it touched: written in the import's transaction, paid once the
-- WakeAccounts workflow started, caught up by the worker within minutes when
-- Temporal was unreachable (instead of waiting for the daily sweep).
ALTER TABLE temporal_outbox DROP CONSTRAINT temporal_outbox_kind_check;
ALTER TABLE temporal_outbox ADD CONSTRAINT temporal_outbox_kind_check
    CHECK (kind IN ('case.start', 'case.rejection_notice', 'reply.pause', 'report.schedule', 'import.wake'));

-- +goose Down
DELETE FROM temporal_outbox WHERE kind = 'import.wake';
ALTER TABLE temporal_outbox DROP CONSTRAINT temporal_outbox_kind_check;
ALTER TABLE temporal_outbox ADD CONSTRAINT temporal_outbox_kind_check
    CHECK (kind IN ('case.start', 'case.rejection_notice', 'reply.pause', 'report.schedule'));
