package app

import (
	"context"
	"sync"
	"time"
)

// RetryUnavailable is when a caller refused for want of Temporal should try
// again (the Retry-After of a 503): the watch checks it more often than that.
const RetryUnavailable = 30 * time.Second

// Dependency is how one service this process needs answered when last asked.
type Dependency struct {
	Name        string // postgres, temporal
	Up          bool
	Latency     time.Duration // of the last check that answered
	CheckedAt   time.Time
	DownSince   time.Time // zero while up
	LastError   string    // the latest failure, kept after recovery so an operator sees what happened
	LastErrorAt time.Time
}

// Readiness says what this process can do: it asks Postgres now (within 2
// seconds) and reports what the Temporal watch last saw. Postgres down means
// nothing can be served; Temporal down means lists, accounts, history and
// figures are served and commands that need it answer 503.
func (a *App) Readiness(ctx context.Context) (postgres, temporal Dependency) {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	err := a.store.Pool.Ping(pctx)
	postgres = a.pgProbe.record(err, time.Since(start))
	postgres.Name = "postgres"
	p := a.flow.Probe()
	temporal = Dependency{Name: "temporal", Up: p.Up, Latency: p.Latency, CheckedAt: p.CheckedAt, DownSince: p.DownSince,
		LastError: p.LastError, LastErrorAt: p.LastErrorAt}
	return postgres, temporal
}

// probe remembers one dependency's last check.
type probe struct {
	mu   sync.Mutex
	last Dependency
}

func (p *probe) record(err error, latency time.Duration) Dependency {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := &p.last
	now := time.Now().UTC()
	d.CheckedAt = now
	if err == nil {
		d.Up, d.Latency, d.DownSince = true, latency, time.Time{}
	} else {
		if d.Up || d.DownSince.IsZero() {
			d.DownSince = now
		}
		d.Up, d.LastError, d.LastErrorAt = false, err.Error(), now
	}
	return *d
}
