package activities

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"go.temporal.io/sdk/activity"

	"recoup/domain"
	"recoup/flow"
	"recoup/store"
)

// AccountMover gives one account to another agent, the one way every
// reassignment takes (app.App.MoveAccount: through the account's Dunning
// workflow when one runs, else in Postgres; journaled in actor's name). It
// answers false when the account already had that agent.
type AccountMover interface {
	MoveAccount(ctx context.Context, customerID int64, agentEmail, actor string) (bool, error)
}

// AgentWorkflows finds the running Dunning workflows of an agent by their
// RecoupAgent search attribute (flow.Client.AgentAccounts).
type AgentWorkflows interface {
	AgentAccounts(ctx context.Context, agent string, page []byte) ([]int64, []byte, error)
}

// Handover holds the activities of an absence's Handover workflow.
type Handover struct {
	Store     *store.Store
	Mover     AccountMover
	Workflows AgentWorkflows
}

// HandoverInput names the absence whose accounts move, and in whose name.
type HandoverInput struct {
	AbsenceID int64  `json:"absence_id"`
	Agent     string `json:"agent"`
	By        string `json:"by"`
}

// handoverPage is how many accounts or tasks are read at once, between two heartbeats.
const handoverPage = 500

// handoverProgress is what a heartbeat records, so a retry resumes where the
// last attempt was: the phase, its cursor, and the counts so far.
type handoverProgress struct {
	Phase  int                 `json:"phase"`
	After  int64               `json:"after"`
	Page   []byte              `json:"page,omitempty"`
	Result flow.HandoverResult `json:"result"`
}

const (
	phaseVisibility = iota // the running workflows the visibility query finds
	phasePostgres          // every account Postgres gives the agent
	phaseTasks             // the agent's open tasks
	phaseDone
)

// actor is the name the moves are journaled under: who asked, and through which handover.
func (in HandoverInput) actor() string {
	return fmt.Sprintf("%s via %s", in.By, flow.HandoverWorkflowID(in.AbsenceID))
}

// HandOver gives the absent agent's accounts and open tasks to the absence's
// delegates, round robin by account (a task follows its account's delegate
// when the account moved with this absence). Postgres decides whose an account
// is: the visibility query's answers are candidates, checked there. Each move
// is recorded before it is made, so it is made once and undone at the end.
func (h *Handover) HandOver(ctx context.Context, in HandoverInput) (flow.HandoverResult, error) {
	var p handoverProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	for p.Phase < phaseDone {
		var err error
		switch p.Phase {
		case phaseVisibility:
			err = h.outFromVisibility(ctx, in, &p)
		case phasePostgres:
			err = h.outFromPostgres(ctx, in, &p)
		case phaseTasks:
			err = h.tasksOut(ctx, in, &p)
		}
		if err != nil {
			return p.Result, err
		}
		p.Phase, p.After, p.Page = p.Phase+1, 0, nil
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Result, nil
}

func (h *Handover) outFromVisibility(ctx context.Context, in HandoverInput, p *handoverProgress) error {
	if h.Workflows == nil {
		return nil
	}
	for {
		found, next, err := h.Workflows.AgentAccounts(ctx, in.Agent, p.Page)
		if err != nil {
			// Postgres decides whose an account is and the next phase reads
			// it all: a visibility store that cannot answer loses nothing.
			activity.GetLogger(ctx).Warn("handover: visibility query failed; Postgres alone lists the accounts", "err", err)
			return nil
		}
		ids, err := h.Store.OfAgent(ctx, in.Agent, found)
		if err != nil {
			return err
		}
		if err := h.accountsOut(ctx, in, ids, &p.Result); err != nil {
			return err
		}
		p.Page = next
		activity.RecordHeartbeat(ctx, *p)
		if len(next) == 0 {
			return nil
		}
	}
}

func (h *Handover) outFromPostgres(ctx context.Context, in HandoverInput, p *handoverProgress) error {
	for {
		ids, err := h.Store.AgentAccounts(ctx, in.Agent, p.After, handoverPage)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := h.accountsOut(ctx, in, ids, &p.Result); err != nil {
			return err
		}
		p.After = ids[len(ids)-1]
		activity.RecordHeartbeat(ctx, *p)
	}
}

// moveConcurrency bounds the moves in flight: each is an update of one
// account's workflow, a round trip through the server and an activity.
const moveConcurrency = 16

// parallel runs fn for each index below n, moveConcurrency at a time, and
// answers the errors by index.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, moveConcurrency)
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}

// accountsOut records each account's move (one after the other: the round
// robin's turns), then makes the moves, several at a time.
func (h *Handover) accountsOut(ctx context.Context, in HandoverInput, ids []int64, res *flow.HandoverResult) error {
	recorded, err := h.Store.RecordMoves(ctx, in.AbsenceID, store.MoveAccount, ids, in.Agent)
	if err != nil {
		return err
	}
	var todo []store.Move
	for _, m := range recorded {
		if !m.Moved {
			todo = append(todo, m)
		}
	}
	errs := parallel(len(todo), func(i int) error {
		_, err := h.Mover.MoveAccount(ctx, todo[i].ObjectID, todo[i].ToAgent, in.actor())
		return err
	})
	var retry error
	var moved []int64
	for i, m := range todo {
		switch err := errs[i]; {
		case err != nil && retryable(err):
			retry = cmp.Or(retry, err) // the others' outcomes are recorded first
		case err != nil:
			activity.GetLogger(ctx).Warn("handover: account not moved", "customer", m.ObjectID, "err", err)
			res.Failed++
			if err := h.Store.SettleMove(ctx, in.AbsenceID, store.MoveAccount, m.ObjectID, store.MoveFailed); err != nil {
				return err
			}
		default:
			moved = append(moved, m.ObjectID)
		}
	}
	if err := h.Store.MarkMoved(ctx, in.AbsenceID, store.MoveAccount, moved...); err != nil {
		return err
	}
	res.Accounts += len(moved)
	return retry
}

func (h *Handover) tasksOut(ctx context.Context, in HandoverInput, p *handoverProgress) error {
	for {
		ids, err := h.Store.AgentOpenTasks(ctx, in.Agent, p.After, handoverPage)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			m, err := h.Store.RecordMove(ctx, in.AbsenceID, store.MoveTask, id, in.Agent)
			if err != nil {
				return err
			}
			moved, err := h.Store.MoveTask(ctx, id, in.Agent, m.ToAgent, in.actor())
			if err != nil {
				return err
			}
			if err := h.Store.MarkMoved(ctx, in.AbsenceID, store.MoveTask, id); err != nil {
				return err
			}
			if moved {
				p.Result.Tasks++
			}
		}
		p.After = ids[len(ids)-1]
		activity.RecordHeartbeat(ctx, *p)
	}
}

// HandBack gives back to the agent what the absence moved, except what
// someone reassigned meanwhile (its agent or assignee is no longer the
// delegate it was given): that stays where it is, recorded as kept.
func (h *Handover) HandBack(ctx context.Context, in HandoverInput) (flow.HandoverResult, error) {
	var p handoverProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	for _, kind := range []string{store.MoveAccount, store.MoveTask}[p.Phase:] {
		for {
			moves, err := h.Store.OpenMoves(ctx, in.AbsenceID, kind, p.After, handoverPage)
			if err != nil {
				return p.Result, err
			}
			if len(moves) == 0 {
				break
			}
			var mu sync.Mutex
			errs := parallel(len(moves), func(i int) error {
				var r flow.HandoverResult
				err := h.back(ctx, in, kind, moves[i], &r)
				mu.Lock()
				defer mu.Unlock()
				p.Result.Accounts, p.Result.Tasks = p.Result.Accounts+r.Accounts, p.Result.Tasks+r.Tasks
				p.Result.Kept, p.Result.Failed = p.Result.Kept+r.Kept, p.Result.Failed+r.Failed
				return err
			})
			if err := errors.Join(errs...); err != nil {
				return p.Result, err
			}
			p.After = moves[len(moves)-1].ObjectID
			activity.RecordHeartbeat(ctx, p)
		}
		p.Phase, p.After = p.Phase+1, 0
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Result, nil
}

func (h *Handover) back(ctx context.Context, in HandoverInput, kind string, m store.Move, res *flow.HandoverResult) error {
	var current string
	var err error
	if kind == store.MoveAccount {
		current, err = h.Store.CurrentAgent(ctx, m.ObjectID)
	} else {
		current, err = h.Store.TaskAssignee(ctx, m.ObjectID)
	}
	if err != nil {
		return err
	}
	outcome := store.MoveKept
	switch {
	case current == m.ToAgent && kind == store.MoveAccount:
		if _, err := h.Mover.MoveAccount(ctx, m.ObjectID, m.FromAgent, in.actor()); err != nil {
			if retryable(err) {
				return err
			}
			activity.GetLogger(ctx).Warn("handover: account not moved back", "customer", m.ObjectID, "err", err)
			res.Failed++
			outcome = store.MoveFailed
			break
		}
		outcome = store.MoveReturned
		res.Accounts++
	case current == m.ToAgent:
		if _, err := h.Store.MoveTask(ctx, m.ObjectID, m.ToAgent, m.FromAgent, in.actor()); err != nil {
			return err
		}
		outcome = store.MoveReturned
		res.Tasks++
	case current == m.FromAgent: // never moved (a failure, or a crash before the move)
		outcome = store.MoveFailed
	default:
		res.Kept++
	}
	return h.Store.SettleMove(ctx, in.AbsenceID, kind, m.ObjectID, outcome)
}

// retryable says whether a move's error may pass by retrying (Temporal or
// Postgres unreachable), rather than being about this one account (a
// conflict with its workflow's state, an unknown agent or customer).
func retryable(err error) bool {
	switch domain.ErrorCode(err) {
	case domain.CodeConflict, domain.CodeInvalid, domain.CodeNotFound:
		return false
	}
	return true
}
