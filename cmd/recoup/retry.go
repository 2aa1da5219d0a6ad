package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// backoff is the wait before each new attempt of retry: doubling from First up to Max.
type backoff struct{ First, Max time.Duration }

// defaultBackoff is what the worker waits between attempts to reach a dependency.
var defaultBackoff = backoff{First: time.Second, Max: 30 * time.Second}

// retry calls try until it succeeds or ctx ends, waiting b between attempts
// and logging each failed attempt once, with the wait before the next, so an
// operator sees a process waiting for its dependency rather than a crash loop.
func retry[T any](ctx context.Context, log *slog.Logger, what string, b backoff, try func(context.Context) (T, error)) (T, error) {
	wait := b.First
	for attempt := 1; ; attempt++ {
		v, err := try(ctx)
		if err == nil {
			if attempt > 1 {
				log.Info(what+" reached", "attempts", attempt)
			}
			return v, nil
		}
		log.Warn(what+" not reachable, retrying", "attempt", attempt, "retry_in", wait.String(), "err", err)
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%s: gave up after %d attempts: %w", what, attempt, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, b.Max)
	}
}
