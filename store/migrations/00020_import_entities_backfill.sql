-- +goose Up
-- Invoices and payments imports from before 00014 spoke for an entity only
-- through the accounts they changed (import_accounts). Recorded here once in
-- import_entities, so that the stale-data gate, which every evaluation of
-- every account reads, looks up the entity's imports by index instead of
-- going through every import's accounts (40 ms an evaluation with 30,000
-- accounts imported, measured).
INSERT INTO import_entities (import_id, entity_id)
SELECT DISTINCT ia.import_id, c.entity_id
FROM import_accounts ia
JOIN imports i ON i.id = ia.import_id AND i.kind IN ('payments', 'invoices')
JOIN customers c ON c.id = ia.customer_id
ON CONFLICT DO NOTHING;

-- +goose Down
-- The rows added are true of those imports: nothing to undo.
SELECT 1;
