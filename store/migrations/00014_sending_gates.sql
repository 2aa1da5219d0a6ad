-- +goose Up

-- What an entity lets reach its customers (README "Going live safely"):
-- sending live (customers), test (everything to test_address) or off (nothing;
-- tasks for people still go out); how old its ledger may be before customer
-- messages wait; the net amount below which nobody is chased; and whether a
-- number whose consent the ERP never stated may be texted or called.
ALTER TABLE entities
    ADD COLUMN sending               text     NOT NULL DEFAULT 'live' CHECK (sending IN ('live', 'test', 'off')),
    ADD COLUMN test_address          text     NOT NULL DEFAULT '',
    ADD COLUMN max_data_age          interval NOT NULL DEFAULT '24 hours' CHECK (max_data_age > interval '0'),
    ADD COLUMN min_amount_to_chase_minor bigint NOT NULL DEFAULT 0 CHECK (min_amount_to_chase_minor >= 0),
    ADD COLUMN sms_consent_default   boolean  NOT NULL DEFAULT false,
    ADD COLUMN voice_consent_default boolean  NOT NULL DEFAULT false;
-- No constraint ties test mode to an address: an import may create entities
-- in test mode (RECOUP_NEW_ENTITY_SENDING) before anyone set one; until then
-- their customer messages are skipped, as when off. The settings use case
-- requires the address.

-- Consent as the ERP states it: NULL is unknown (the entity's default
-- decides). An opt-out (STOP) belongs to the number: it is cleared when an
-- import changes the number. A contact marked invalid (an agent's
-- wrong_contact outcome) is skipped until cleared, or until an import changes
-- that contact.
ALTER TABLE customers
    ADD COLUMN sms_consent          boolean,
    ADD COLUMN voice_consent        boolean,
    ADD COLUMN sms_opted_out_at     timestamptz,
    ADD COLUMN voice_opted_out_at   timestamptz,
    ADD COLUMN email_invalid_at     timestamptz,
    ADD COLUMN email_invalid_reason text NOT NULL DEFAULT '',
    ADD COLUMN phone_invalid_at     timestamptz,
    ADD COLUMN phone_invalid_reason text NOT NULL DEFAULT '';

-- An inbound STOP names the number only.
CREATE INDEX customers_phone_idx ON customers (phone) WHERE phone <> '';

-- The entities each invoices or payments import spoke for (its rows named
-- their customers, changed or not): what the entity's data age is read from.
CREATE TABLE import_entities (
    import_id bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    entity_id bigint NOT NULL REFERENCES entities (id),
    PRIMARY KEY (import_id, entity_id)
);
CREATE INDEX import_entities_entity_idx ON import_entities (entity_id);

-- +goose Down
DROP TABLE import_entities;
DROP INDEX customers_phone_idx;
ALTER TABLE customers
    DROP COLUMN sms_consent, DROP COLUMN voice_consent, DROP COLUMN sms_opted_out_at, DROP COLUMN voice_opted_out_at,
    DROP COLUMN email_invalid_at, DROP COLUMN email_invalid_reason, DROP COLUMN phone_invalid_at, DROP COLUMN phone_invalid_reason;
ALTER TABLE entities
    DROP COLUMN sending, DROP COLUMN test_address, DROP COLUMN max_data_age, DROP COLUMN min_amount_to_chase_minor,
    DROP COLUMN sms_consent_default, DROP COLUMN voice_consent_default;
