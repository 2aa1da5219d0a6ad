package activities

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"recoup/store"
)

// EventBell rings when a transaction commits events (store.ChannelEvent),
// for the webhook batches waiting for something new: one listening
// connection per worker process, however many subscriptions wait.
type EventBell struct {
	mu        sync.Mutex
	rung      chan struct{} // closed at the next ring, then replaced
	listening bool
}

// NewEventBell makes a bell that rings once Run listens.
func NewEventBell() *EventBell { return &EventBell{rung: make(chan struct{})} }

// Run listens until ctx ends. While its connection is down the bell says it
// is not listening (the waiting batches poll); each time it listens again it
// rings, as events may have been committed while nobody listened.
func (b *EventBell) Run(ctx context.Context, st *store.Store, log *slog.Logger) {
	_ = st.Listen(ctx, store.Listening{
		Channels: []string{store.ChannelEvent},
		Got:      func(store.Announcement) { b.ring(true) },
		Connected: func() {
			b.ring(true)
		},
		Failed: func(err error, retryIn time.Duration) {
			b.ring(false)
			if log != nil {
				log.WarnContext(ctx, "webhooks: the connection listening for new events failed; deliveries poll meanwhile",
					"err", err, "retry_in", retryIn)
			}
		},
	})
	b.ring(false)
}

// ring wakes every waiter and says whether the bell listens now.
func (b *EventBell) ring(listening bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.listening = listening
	close(b.rung)
	b.rung = make(chan struct{})
}

// watch is a channel closed at the next ring, and whether the bell listens
// (false: nothing may ring, poll). Take it before reading, so a commit
// between the read and the wait is not missed.
func (b *EventBell) watch() (<-chan struct{}, bool) {
	if b == nil {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rung, b.listening
}

// Listening says whether the bell's connection listens now.
func (b *EventBell) Listening() bool {
	_, ok := b.watch()
	return ok
}
