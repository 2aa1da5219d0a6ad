-- +goose Up
-- Notifications are stored as their kind and parameters (the actor, the
-- case's type and customer, a reason, an SLA) and rendered when they are read,
-- in the reader's language. `text` is what rows written before held (English,
-- formatted when written): kept as the fallback of those rows, '' for new ones.
ALTER TABLE notifications ADD COLUMN params jsonb NOT NULL DEFAULT '{}';
ALTER TABLE notifications ALTER COLUMN text SET DEFAULT '';

-- Live push (LISTEN/NOTIFY): each notification announces itself at commit on
-- the channel recoup_notification, payload "<id> <user id>"; each change of
-- a case (any journal entry on case/<id> but a read: *.view) on recoup_case,
-- payload "<case id> <action>". Emitted by the database in the writing
-- transaction, so no writer can forget it and a rolled back one says nothing.
-- +goose StatementBegin
CREATE FUNCTION notification_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('recoup_notification', NEW.id::text || ' ' || NEW.user_id::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER notifications_announce AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notification_announce();

-- +goose StatementBegin
CREATE FUNCTION case_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.target LIKE 'case/%' AND NEW.action NOT LIKE '%.view' THEN
        PERFORM pg_notify('recoup_case', substr(NEW.target, 6) || ' ' || NEW.action);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_journal_case_announce AFTER INSERT ON audit_journal
    FOR EACH ROW EXECUTE FUNCTION case_announce();

-- +goose Down
DROP TRIGGER audit_journal_case_announce ON audit_journal;
DROP FUNCTION case_announce();
DROP TRIGGER notifications_announce ON notifications;
DROP FUNCTION notification_announce();
ALTER TABLE notifications ALTER COLUMN text DROP DEFAULT;
ALTER TABLE notifications DROP COLUMN params;
