-- +goose Up

-- Risk signals may be imported (kind risk, README "Signals in"); the import
-- that brought a signal is kept on it.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates', 'holidays', 'risk'));
ALTER TABLE risk_signals ADD CONSTRAINT risk_signals_import_fk FOREIGN KEY (import_id) REFERENCES imports (id);

-- +goose Down
ALTER TABLE risk_signals DROP CONSTRAINT risk_signals_import_fk;
UPDATE risk_signals SET import_id = NULL WHERE import_id IN (SELECT id FROM imports WHERE kind = 'risk');
DELETE FROM import_rejections WHERE import_id IN (SELECT id FROM imports WHERE kind = 'risk');
DELETE FROM import_entities WHERE import_id IN (SELECT id FROM imports WHERE kind = 'risk');
DELETE FROM import_accounts WHERE import_id IN (SELECT id FROM imports WHERE kind = 'risk');
DELETE FROM imports WHERE kind = 'risk';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('entities', 'users', 'customers', 'invoices', 'payments', 'exchange_rates', 'holidays'));
