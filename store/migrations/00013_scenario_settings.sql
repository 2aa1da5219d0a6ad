-- +goose Up
-- A scenario version's rules beyond its steps (dunning.Settings: contact
-- pressure per channel, credit hold release, reminder before a promise).
ALTER TABLE scenario_versions ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
-- What a merged message covers (dunning.Action.Covered): every
-- (invoice, scenario, step id, repeat); '[]' for tasks and older rows.
ALTER TABLE message_log ADD COLUMN covered jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE message_log DROP COLUMN covered;
ALTER TABLE scenario_versions DROP COLUMN settings;
