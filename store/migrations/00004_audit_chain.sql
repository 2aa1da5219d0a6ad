-- +goose Up

-- Tamper evidence: each journal row carries the hash of its content chained to
-- the previous row's hash, in the order seq gives. Changing or removing a row
-- (which the append-only trigger already refuses to the application) breaks the
-- chain from that row on; `recoup audit verify` finds the first broken row.
ALTER TABLE audit_journal
    ADD COLUMN seq       bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash      bytea;

-- +goose StatementBegin
CREATE FUNCTION audit_journal_digest(prev bytea, j audit_journal) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT sha256(prev || convert_to(concat_ws(E'\x1f', j.seq::text, j.id::text,
        to_char(j.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), j.actor, j.action, j.target,
        coalesce(j.before::text, ''), coalesce(j.after::text, ''), j.request_id), 'UTF8'))
$$;
-- +goose StatementEnd

-- Rows written before the chain existed are chained in id order, once.
-- +goose StatementBegin
DO $$
DECLARE
    r    audit_journal%ROWTYPE;
    prev bytea := '\x'::bytea;
    n    bigint := 0;
BEGIN
    ALTER TABLE audit_journal DISABLE TRIGGER audit_journal_append_only;
    FOR r IN SELECT * FROM audit_journal ORDER BY id LOOP
        n := n + 1;
        r.seq := n;
        r.prev_hash := prev;
        r.hash := audit_journal_digest(prev, r);
        UPDATE audit_journal SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        prev := r.hash;
    END LOOP;
    ALTER TABLE audit_journal ENABLE TRIGGER audit_journal_append_only;
END $$;
-- +goose StatementEnd

ALTER TABLE audit_journal
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_journal_seq_idx ON audit_journal (seq);

-- Appends are serialized by a transaction lock so the chain has one order.
-- +goose StatementBegin
CREATE FUNCTION audit_journal_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last audit_journal%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock(7283004);
    SELECT * INTO last FROM audit_journal ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.prev_hash := coalesce(last.hash, '\x'::bytea);
    NEW.hash := audit_journal_digest(NEW.prev_hash, NEW);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_journal_chain BEFORE INSERT ON audit_journal
    FOR EACH ROW EXECUTE FUNCTION audit_journal_chain();

-- +goose Down
DROP TRIGGER audit_journal_chain ON audit_journal;
DROP FUNCTION audit_journal_chain();
DROP INDEX audit_journal_seq_idx;
DROP FUNCTION audit_journal_digest(bytea, audit_journal);
ALTER TABLE audit_journal DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
