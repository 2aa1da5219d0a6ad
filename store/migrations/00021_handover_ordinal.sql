-- +goose Up
-- The next turn of a handover's round robin is the highest ordinal so far
-- plus one, read from this index (counting the absence's moves instead made
-- recording each move cost as much as all the moves before it).
CREATE INDEX handover_moves_ordinal_idx ON handover_moves (absence_id, kind, ordinal);

-- +goose Down
DROP INDEX handover_moves_ordinal_idx;
