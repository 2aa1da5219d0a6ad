package app

import (
	"context"
	"slices"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// TaskQuery filters a work list; empty fields do not filter.
type TaskQuery struct {
	Assignee, Role, Status, Kind string
	CustomerID                   *int64
	Overdue                      *bool      // past its due time
	ClosedSince                  *time.Time // closed at or after (a dashboard's tasks done today)
	domain.Page
}

// Tasks is a work list: an agent's calls, a manager's escalations, within who's perimeter.
func (a *App) Tasks(ctx context.Context, who domain.Principal, q TaskQuery) ([]store.TaskView, int64, error) {
	if err := allow(who, auth.TasksRead); err != nil {
		return nil, 0, err
	}
	f := store.TaskFilter{AssigneeEmail: q.Assignee, Role: domain.Assignee(q.Role), Status: domain.TaskStatus(q.Status),
		Kind: domain.TaskKind(q.Kind), CustomerID: q.CustomerID, Overdue: q.Overdue, ClosedSince: q.ClosedSince, Page: q.Page}
	if err := domain.Invalid(
		oneOf("status", f.Status, domain.TaskStatuses),
		oneOf("kind", f.Kind, domain.TaskKinds),
		oneOf("role", f.Role, domain.TaskRoles),
	); err != nil {
		return nil, 0, err
	}
	return a.store.ListTasks(ctx, perimeter(who), f)
}

// ClosedTask is a task just closed, and whether its account was woken.
type ClosedTask struct {
	ID         int64
	CustomerID int64
	Woken      Woken
}

// CloseTask records the decision on a task; for an escalation, reminders
// resume for its invoices, so the account's workflow evaluates again at once.
func (a *App) CloseTask(ctx context.Context, who domain.Principal, id int64, resolution string) (ClosedTask, error) {
	if err := allow(who, auth.TasksClose); err != nil {
		return ClosedTask{}, err
	}
	if resolution == "" {
		return ClosedTask{}, domain.FieldError("resolution", "required: say what was decided")
	}
	customerID, err := a.store.CloseTask(ctx, perimeter(who), id, resolution, who.Actor())
	if err != nil {
		return ClosedTask{}, err
	}
	return ClosedTask{ID: id, CustomerID: customerID, Woken: a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})}, nil
}

// oneOf checks an optional filter: empty, or one of the values it may take.
func oneOf[T ~string](name string, v T, allowed []T) error {
	if v != "" && !slices.Contains(allowed, v) {
		return domain.FieldError(name, "%q: want one of %v", v, allowed)
	}
	return nil
}
