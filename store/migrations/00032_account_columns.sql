-- +goose Up
-- Columns a credit manager adds to the accounts list: a formula over the
-- per-account figures (store/account_figures.go), type-checked when saved
-- (app/columns.go); type is what the check inferred. A column with an entity
-- applies to that entity's accounts only; without one, to every account.
CREATE TABLE account_columns (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id  bigint      REFERENCES entities (id),
    name       text        NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_]*$' AND length(name) <= 40),
    label      text        NOT NULL CHECK (label <> ''),
    formula    text        NOT NULL CHECK (formula <> ''),
    type       text        NOT NULL CHECK (type IN ('number', 'bool', 'text')),
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE account_columns;
