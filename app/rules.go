package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// MoveRule moves an assignment rule one place up (tried earlier) or down
// (tried later) by swapping positions with its neighbour; the first rule
// moved up, or the last moved down, stays where it is.
func (a *App) MoveRule(ctx context.Context, who domain.Principal, id int64, up bool) (store.AssignmentRule, error) {
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return store.AssignmentRule{}, err
	}
	return a.store.MoveAssignmentRule(ctx, id, up, who.Actor())
}
