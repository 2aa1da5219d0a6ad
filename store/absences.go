package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Absence is an agent away: their accounts and open tasks go to the delegates
// (round robin by account) from StartsAt until EndsAt (nil: leaving for good).
type Absence struct {
	ID           int64      `json:"id"`
	AgentEmail   string     `json:"agent_email"`
	Delegates    []string   `json:"delegates"`
	StartsAt     time.Time  `json:"from"`
	EndsAt       *time.Time `json:"until"`
	Reason       string     `json:"reason"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	EndedEarlyAt *time.Time `json:"ended_early_at"`
	EndedBy      string     `json:"ended_by,omitempty"`
	Moved        int64      `json:"moved_accounts"`    // accounts the handover moved
	Returned     int64      `json:"returned_accounts"` // accounts it moved back
	Kept         int64      `json:"kept_accounts"`     // moved accounts someone reassigned meanwhile: left where they are
}

// absenceTarget names an absence in the journal.
func absenceTarget(id int64) string { return fmt.Sprintf("absence/%d", id) }

const absenceColumns = `
SELECT b.id, u.email,
       ARRAY(SELECT d.email FROM unnest(b.delegates) WITH ORDINALITY AS x(id, n) JOIN users d ON d.id = x.id ORDER BY x.n),
       b.starts_at, b.ends_at, b.reason, b.created_by, b.created_at, b.ended_early_at, b.ended_by,
       (SELECT count(*) FROM handover_moves m WHERE m.absence_id = b.id AND m.kind = 'account' AND m.moved_at IS NOT NULL),
       (SELECT count(*) FROM handover_moves m WHERE m.absence_id = b.id AND m.kind = 'account' AND m.outcome = 'returned'),
       (SELECT count(*) FROM handover_moves m WHERE m.absence_id = b.id AND m.kind = 'account' AND m.outcome = 'kept')
FROM absences b JOIN users u ON u.id = b.agent_id`

const (
	insertAbsence = `
INSERT INTO absences (agent_id, delegates, starts_at, ends_at, reason, created_by)
VALUES ((SELECT id FROM users WHERE email = @agent::text),
        ARRAY(SELECT (SELECT id FROM users WHERE email = d) FROM unnest(@delegates::text[]) WITH ORDINALITY AS x(d, n) ORDER BY n),
        @from, @until, @reason, @actor)
RETURNING id`
	getAbsence   = absenceColumns + ` WHERE b.id = $1`
	listAbsences = absenceColumns + `
WHERE (@agent::text IS NULL OR u.email = @agent::text)
ORDER BY b.starts_at DESC, b.id DESC LIMIT @limit OFFSET @offset`
	countAbsences   = `SELECT count(*) FROM absences b JOIN users u ON u.id = b.agent_id WHERE (@agent::text IS NULL OR u.email = @agent::text)`
	endAbsence      = `UPDATE absences SET ended_early_at = @at, ended_by = @actor WHERE id = @id AND ended_early_at IS NULL`
	setAbsenceDates = `UPDATE absences SET starts_at = @from, ends_at = @until WHERE id = @id AND ended_early_at IS NULL`
	overlapping     = `
SELECT EXISTS (SELECT 1 FROM absences b JOIN users u ON u.id = b.agent_id
WHERE u.email = @agent::text AND b.ended_early_at IS NULL AND b.id <> @self
  AND (b.ends_at IS NULL OR b.ends_at > @from) AND (@until::timestamptz IS NULL OR b.starts_at < @until::timestamptz))`
)

func scanAbsence(r pgx.Row) (Absence, error) {
	var a Absence
	err := r.Scan(&a.ID, &a.AgentEmail, &a.Delegates, &a.StartsAt, &a.EndsAt, &a.Reason, &a.CreatedBy, &a.CreatedAt,
		&a.EndedEarlyAt, &a.EndedBy, &a.Moved, &a.Returned, &a.Kept)
	a.StartsAt = a.StartsAt.UTC()
	return a, err
}

// CreateAbsence records an absence (its agent and delegates must be users, and
// it must not overlap another absence of the agent) and journals it.
func (s *Store) CreateAbsence(ctx context.Context, a Absence, actor string) (Absence, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		for i, email := range append([]string{a.AgentEmail}, a.Delegates...) {
			var ok bool
			if err := tx.QueryRow(ctx, userExists, email).Scan(&ok); err != nil {
				return err
			} else if !ok {
				field := "agent_email"
				if i > 0 {
					field = "delegates"
				}
				return domain.FieldError(field, "no user %s", email)
			}
		}
		var busy bool
		if err := tx.QueryRow(ctx, overlapping, pgx.NamedArgs{"agent": a.AgentEmail, "from": a.StartsAt, "until": a.EndsAt, "self": 0}).Scan(&busy); err != nil {
			return err
		} else if busy {
			return domain.FieldError("from", "%s already has an absence in this period", a.AgentEmail)
		}
		var id int64
		if err := tx.QueryRow(ctx, insertAbsence, pgx.NamedArgs{"agent": a.AgentEmail, "delegates": a.Delegates,
			"from": a.StartsAt, "until": a.EndsAt, "reason": a.Reason, "actor": actor}).Scan(&id); err != nil {
			return err
		}
		var err error
		if a, err = scanAbsence(tx.QueryRow(ctx, getAbsence, id)); err != nil {
			return err
		}
		after, _ := json.Marshal(a)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "absence.create", Target: absenceTarget(id), After: after})
	})
	return a, err
}

// GetAbsence reads one absence.
func (s *Store) GetAbsence(ctx context.Context, id int64) (Absence, error) {
	a, err := scanAbsence(s.Pool.QueryRow(ctx, getAbsence, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, domain.Errorf(domain.CodeNotFound, "absence %d not found", id)
	}
	return a, err
}

// ListAbsences returns one page of absences, the latest first, of one agent or of all ("").
func (s *Store) ListAbsences(ctx context.Context, agentEmail string, page domain.Page) ([]Absence, int64, error) {
	args := pgx.NamedArgs{"agent": nullable(agentEmail), "limit": page.Limit, "offset": page.Offset}
	var total int64
	if err := s.Pool.QueryRow(ctx, countAbsences, args).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.Pool.Query(ctx, listAbsences, args)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Absence, error) { return scanAbsence(r) })
	return list, total, err
}

// EndAbsence records that the absence ends early, at at; a second end changes nothing.
func (s *Store) EndAbsence(ctx context.Context, id int64, at time.Time, actor string) (Absence, error) {
	var a Absence
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, endAbsence, pgx.NamedArgs{"id": id, "at": at, "actor": actor})
		if err != nil {
			return err
		}
		if a, err = scanAbsence(tx.QueryRow(ctx, getAbsence, id)); errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "absence %d not found", id)
		} else if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		after, _ := json.Marshal(map[string]any{"ended_early_at": at})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "absence.end", Target: absenceTarget(id), After: after})
	})
	return a, err
}

// ChangeAbsenceDates sets an absence's start and end (nil: for good), which
// must not overlap another absence of the agent, and journals it.
func (s *Store) ChangeAbsenceDates(ctx context.Context, id int64, from time.Time, until *time.Time, actor string) (Absence, error) {
	var a Absence
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanAbsence(tx.QueryRow(ctx, getAbsence+` FOR UPDATE OF b`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "absence %d not found", id)
		} else if err != nil {
			return err
		}
		var busy bool
		if err := tx.QueryRow(ctx, overlapping, pgx.NamedArgs{"agent": before.AgentEmail, "from": from, "until": until, "self": id}).Scan(&busy); err != nil {
			return err
		} else if busy {
			return domain.FieldError("from", "%s already has another absence in this period", before.AgentEmail)
		}
		tag, err := tx.Exec(ctx, setAbsenceDates, pgx.NamedArgs{"id": id, "from": from, "until": until})
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeConflict, "absence %d has ended", id)
		}
		if a, err = scanAbsence(tx.QueryRow(ctx, getAbsence, id)); err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]any{"from": before.StartsAt, "until": before.EndsAt})
		af, _ := json.Marshal(map[string]any{"from": a.StartsAt, "until": a.EndsAt})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "absence.dates", Target: absenceTarget(id), Before: b, After: af})
	})
	return a, err
}

// Move is one account or task a handover moved (or is moving).
type Move struct {
	ObjectID  int64  `json:"object_id"`
	FromAgent string `json:"from_agent"`
	ToAgent   string `json:"to_agent"`
	Moved     bool   `json:"moved"`
}

// Kinds of handover moves.
const (
	MoveAccount = "account"
	MoveTask    = "task"
)

// Outcomes of a move at the absence's end.
const (
	MoveReturned = "returned" // moved back to the agent
	MoveKept     = "kept"     // someone reassigned it meanwhile: left as it is
	MoveFailed   = "failed"   // could not be moved
)

const (
	// recordMove takes the object's turn in the round robin the first time
	// (ordinal: how many objects of the kind the absence recorded before it;
	// a task follows its account when the absence moved the account) and
	// answers the delegate it was given, then and on every retry.
	recordMove = `
WITH b AS (SELECT delegates FROM absences WHERE id = @absence),
ins AS (
    INSERT INTO handover_moves (absence_id, kind, object_id, ordinal, from_agent, to_agent)
    SELECT @absence, @kind, @object, n.ord, (SELECT id FROM users WHERE email = @from::text),
           coalesce((SELECT a.to_agent FROM handover_moves a JOIN tasks t ON t.customer_id = a.object_id
                     WHERE @kind::text = 'task' AND t.id = @object AND a.absence_id = @absence AND a.kind = 'account'),
                    b.delegates[1 + n.ord % cardinality(b.delegates)])
    FROM b, (SELECT coalesce(max(ordinal) + 1, 0) AS ord FROM handover_moves WHERE absence_id = @absence AND kind = @kind) n
    ON CONFLICT (absence_id, kind, object_id) DO NOTHING
    RETURNING to_agent, moved_at)
SELECT u.email, x.moved_at IS NOT NULL FROM (
    SELECT to_agent, moved_at FROM ins
    UNION ALL
    SELECT to_agent, moved_at FROM handover_moves WHERE absence_id = @absence AND kind = @kind AND object_id = @object
) x JOIN users u ON u.id = x.to_agent LIMIT 1`
	markMoved  = `UPDATE handover_moves SET moved_at = coalesce(moved_at, now()) WHERE absence_id = $1 AND kind = $2 AND object_id = ANY ($3::bigint[])`
	settleMove = `UPDATE handover_moves SET outcome = $4, settled_at = now() WHERE absence_id = $1 AND kind = $2 AND object_id = $3 AND settled_at IS NULL`
	openMoves  = `
SELECT m.object_id, f.email, t.email, m.moved_at IS NOT NULL
FROM handover_moves m JOIN users f ON f.id = m.from_agent JOIN users t ON t.id = m.to_agent
WHERE m.absence_id = $1 AND m.kind = $2 AND m.settled_at IS NULL AND m.object_id > $3
ORDER BY m.object_id LIMIT $4`
	agentAccounts = `
SELECT c.id FROM customers c JOIN users u ON u.id = c.agent_id
WHERE u.email = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`
	ofAgent = `
SELECT c.id FROM customers c JOIN users u ON u.id = c.agent_id
WHERE u.email = $1 AND c.id = ANY ($2::bigint[]) ORDER BY c.id`
	agentOpenTasks = `
SELECT t.id FROM tasks t JOIN users u ON u.id = t.assignee_id
WHERE u.email = $1 AND t.status = 'open' AND t.id > $2 ORDER BY t.id LIMIT $3`
	taskAssignee = `SELECT coalesce(u.email, '') FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = $1`
	reassignTask = `
UPDATE tasks SET assignee_id = (SELECT id FROM users WHERE email = $3::text)
WHERE id = $1 AND status = 'open' AND assignee_id = (SELECT id FROM users WHERE email = $2::text)`
	coveringFor = `
SELECT f.email FROM handover_moves m
JOIN absences b ON b.id = m.absence_id
JOIN customers c ON c.id = m.object_id AND c.agent_id = m.to_agent
JOIN users f ON f.id = m.from_agent
WHERE m.kind = 'account' AND m.object_id = $1 AND m.moved_at IS NOT NULL AND m.settled_at IS NULL
  AND b.ends_at IS NOT NULL -- a leaver's accounts are the delegate's own
ORDER BY b.starts_at DESC LIMIT 1`
)

// RecordMove records that the absence moves this account or task away from
// its agent, and answers the delegate it goes to (the same on every retry)
// and whether it was already moved.
func (s *Store) RecordMove(ctx context.Context, absenceID int64, kind string, objectID int64, from string) (Move, error) {
	m, err := s.RecordMoves(ctx, absenceID, kind, []int64{objectID}, from)
	if err != nil {
		return Move{}, err
	}
	return m[0], nil
}

// RecordMoves is RecordMove for each object in turn (the round robin's
// order), in one round trip.
func (s *Store) RecordMoves(ctx context.Context, absenceID int64, kind string, objectIDs []int64, from string) ([]Move, error) {
	moves := make([]Move, len(objectIDs))
	b := &pgx.Batch{}
	for i, id := range objectIDs {
		moves[i] = Move{ObjectID: id, FromAgent: from}
		b.Queue(recordMove, pgx.NamedArgs{"absence": absenceID, "kind": kind, "object": id, "from": from}).
			QueryRow(func(r pgx.Row) error { return r.Scan(&moves[i].ToAgent, &moves[i].Moved) })
	}
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return moves, nil
}

// MarkMoved records that the moves were done.
func (s *Store) MarkMoved(ctx context.Context, absenceID int64, kind string, objectIDs ...int64) error {
	_, err := s.Pool.Exec(ctx, markMoved, absenceID, kind, objectIDs)
	return err
}

// SettleMove records what became of a move at the absence's end (or that it failed).
func (s *Store) SettleMove(ctx context.Context, absenceID int64, kind string, objectID int64, outcome string) error {
	_, err := s.Pool.Exec(ctx, settleMove, absenceID, kind, objectID, outcome)
	return err
}

// OpenMoves lists, by object id after `after`, the moves of the absence not settled yet.
func (s *Store) OpenMoves(ctx context.Context, absenceID int64, kind string, after int64, limit int) ([]Move, error) {
	rows, err := s.Pool.Query(ctx, openMoves, absenceID, kind, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Move, error) {
		var m Move
		return m, r.Scan(&m.ObjectID, &m.FromAgent, &m.ToAgent, &m.Moved)
	})
}

// AgentAccounts lists, by id after `after`, the customers assigned to the agent.
func (s *Store) AgentAccounts(ctx context.Context, agentEmail string, after int64, limit int) ([]int64, error) {
	return s.ids(ctx, agentAccounts, agentEmail, after, limit)
}

// OfAgent keeps those of ids whose agent in Postgres is agentEmail.
func (s *Store) OfAgent(ctx context.Context, agentEmail string, ids []int64) ([]int64, error) {
	return s.ids(ctx, ofAgent, agentEmail, ids)
}

// AgentOpenTasks lists, by id after `after`, the open tasks assigned to the agent.
func (s *Store) AgentOpenTasks(ctx context.Context, agentEmail string, after int64, limit int) ([]int64, error) {
	return s.ids(ctx, agentOpenTasks, agentEmail, after, limit)
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// TaskAssignee is the email of the task's assignee, "" when it has none.
func (s *Store) TaskAssignee(ctx context.Context, taskID int64) (string, error) {
	var email string
	err := s.Pool.QueryRow(ctx, taskAssignee, taskID).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.Errorf(domain.CodeNotFound, "task %d not found", taskID)
	}
	return email, err
}

// MoveTask gives an open task of `from` to `to`, journaled; it answers false
// (and changes nothing) when the task is closed or no longer from's.
func (s *Store) MoveTask(ctx context.Context, taskID int64, from, to, actor string) (bool, error) {
	moved := false
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, reassignTask, taskID, from, to)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		moved = true
		b, _ := json.Marshal(map[string]string{"assignee_email": from})
		a, _ := json.Marshal(map[string]string{"assignee_email": to})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "task.reassign", Target: fmt.Sprintf("task/%d", taskID), Before: b, After: a})
	})
	return moved, err
}

// CoveringFor is the absent agent whose account this is while a handover
// lasts ("" when the account is not covered for anyone).
func (s *Store) CoveringFor(ctx context.Context, customerID int64) (string, error) {
	var email string
	err := s.Pool.QueryRow(ctx, coveringFor, customerID).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return email, err
}
