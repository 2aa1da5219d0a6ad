package app

import (
	"context"
	"crypto/rand"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/flow"
)

// SystemCheck runs the SystemCheck workflow and waits for it: it answers only
// when this process, Temporal, a worker and the database all work.
func (a *App) SystemCheck(ctx context.Context, who domain.Principal) (flow.SystemCheckRun, error) {
	if err := allow(who, auth.SystemCheck); err != nil {
		return flow.SystemCheckRun{}, err
	}
	if a.flow == nil {
		return flow.SystemCheckRun{}, flow.ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	run, err := a.flow.RunSystemCheck(ctx, rand.Text()) // never the caller's: IDs are not theirs to choose
	if err != nil {
		return run, domain.Errorf(domain.CodeUnavailable, "system check failed: %v", err)
	}
	return run, nil
}
