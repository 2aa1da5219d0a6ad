package app

import (
	"context"
	"slices"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// TaskQuery filters a work list; empty fields do not filter.
type TaskQuery struct {
	Assignee, Role, Status, Kind string
	CustomerID                   *int64
	Overdue                      *bool // past its due time
	domain.Page
}

// Tasks is a work list: an agent's calls, a manager's escalations, within who's perimeter.
func (a *App) Tasks(ctx context.Context, who domain.Principal, q TaskQuery) ([]store.TaskView, int64, error) {
	if err := allow(who, auth.TasksRead); err != nil {
		return nil, 0, err
	}
	for _, p := range []struct {
		name, value string
		allowed     []string
	}{
		{"status", q.Status, []string{"open", "done", "cancelled"}},
		{"kind", q.Kind, []string{"call", "manual_email", "escalation"}},
		{"role", q.Role, []string{"agent", "credit_manager", "legal", "sales_rep"}},
	} {
		if p.value != "" && !slices.Contains(p.allowed, p.value) {
			return nil, 0, domain.FieldError(p.name, "%q: want one of %v", p.value, p.allowed)
		}
	}
	return a.store.ListTasks(ctx, perimeter(who), store.TaskFilter{AssigneeEmail: q.Assignee, Role: q.Role, Status: q.Status,
		Kind: q.Kind, CustomerID: q.CustomerID, Overdue: q.Overdue, Page: q.Page})
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
