-- +goose Up
-- A task given to a user (created for them by the workflows or by someone
-- else) is a notification too.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply',
                    'task_assigned'));

-- +goose Down
DELETE FROM notifications WHERE kind = 'task_assigned';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('case_assigned', 'mention', 'case_comment', 'sla_reminder', 'sla_escalation', 'customer_reply'));
