-- +goose Up
-- The language a user chose for the web app; '' follows the browser.
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'fr'));

-- +goose Down
ALTER TABLE users DROP COLUMN language;
