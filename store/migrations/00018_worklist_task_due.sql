-- +goose Up
-- The worklist's priority, bounded per customer including the task part
-- (README, "Benchmark: worklist"): customer_totals carries the earliest due
-- time of the customer's open tasks, as days since the epoch (task_due_day),
-- kept by statement-level triggers on tasks. A customer's tasks rank among
-- themselves by due time (the customer part is shared), so its best task's
-- score is at most priority_base + slack + clamp(now - task_due_day, -10, 10):
-- priority_base - task_due_day (indexed) orders customers by
-- that bound wherever the clamp does not bite, priority_base where it does.
ALTER TABLE customer_totals ADD COLUMN task_due_day numeric;
CREATE INDEX customer_totals_priority_due_idx ON customer_totals ((priority_base - task_due_day), customer_id) INCLUDE (priority_base, task_due_day)
    WHERE task_due_day IS NOT NULL;
CREATE INDEX customer_totals_priority_tasks_idx ON customer_totals (priority_base, customer_id) INCLUDE (task_due_day)
    WHERE task_due_day IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION customer_totals_tasks_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- In customer order, as customer_totals_refresh locks them: no deadlock between the two.
    UPDATE customer_totals t SET task_due_day = d.day
    FROM (SELECT u.id, (SELECT extract(epoch FROM min(k.due_at)) / 86400 FROM tasks k
                        WHERE k.customer_id = u.id AND k.status = 'open') AS day
          FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) ORDER BY id) u) d
    WHERE t.customer_id = d.id AND t.task_due_day IS DISTINCT FROM d.day;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION customer_totals_tasks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM customer_totals_tasks_refresh(ARRAY(SELECT customer_id FROM new_rows WHERE status = 'open'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM customer_totals_tasks_refresh(ARRAY(SELECT customer_id FROM old_rows WHERE status = 'open'));
    ELSE
        PERFORM customer_totals_tasks_refresh(ARRAY(
            SELECT n.customer_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status, n.due_at, n.customer_id) IS DISTINCT FROM (o.status, o.due_at, o.customer_id)
            UNION SELECT o.customer_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status, n.due_at, n.customer_id) IS DISTINCT FROM (o.status, o.due_at, o.customer_id)));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER customer_totals_tasks_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_tasks_changed();
CREATE TRIGGER customer_totals_tasks_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_tasks_changed();
CREATE TRIGGER customer_totals_tasks_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_tasks_changed();

-- What is there already.
SELECT customer_totals_tasks_refresh(ARRAY(SELECT DISTINCT customer_id FROM tasks WHERE status = 'open'));

-- +goose Down
DROP TRIGGER customer_totals_tasks_delete ON tasks;
DROP TRIGGER customer_totals_tasks_update ON tasks;
DROP TRIGGER customer_totals_tasks_insert ON tasks;
DROP FUNCTION customer_totals_tasks_changed();
DROP FUNCTION customer_totals_tasks_refresh(bigint[]);
DROP INDEX customer_totals_priority_tasks_idx;
DROP INDEX customer_totals_priority_due_idx;
ALTER TABLE customer_totals DROP COLUMN task_due_day;
