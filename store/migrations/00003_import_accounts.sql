-- +goose Up

-- The accounts each import changed, written by the import itself: what wakes
-- their dunning afterwards, fixed once the import commits.
CREATE TABLE import_accounts (
    import_id   bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    PRIMARY KEY (import_id, customer_id)
);

-- +goose Down
DROP TABLE import_accounts;
