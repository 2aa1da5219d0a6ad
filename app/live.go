package app

import (
	"context"
	"sync"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// Live push. The database announces each notification and each change of a
// case at commit (LISTEN/NOTIFY, store.Listen); one listening connection per
// process (RunLive) hands them to the streams open in that process (OpenStream),
// kept in memory by user and by case. A process that started no listener
// refuses streams. A stream too slow to take what it is sent is ended: its
// client reconnects with the last id it got and reads the rest from Postgres.

// liveBuffer is how many events a stream may lag behind before it is ended.
const liveBuffer = 256

// catchUpRows is how many missed notifications one read brings back.
const catchUpRows = 500

// CaseChange says a case changed: a comment, an attachment, a decision, a
// route, a status (the journal's action, e.g. "case.comment").
type CaseChange struct {
	CaseID int64
	Action string
}

type liveEvent struct {
	note   *store.Notification
	change *CaseChange
	resync bool // the listener connected again: read what may have been missed
}

type subscriber struct {
	userID, caseID int64
	ch             chan liveEvent
	gone           chan struct{} // closed when the hub drops it
}

// liveHub is the process's fan-out: the streams by user and by case, and the
// notifications announced for them, read from Postgres in batches.
type liveHub struct {
	st      *store.Store
	mu      sync.Mutex
	running bool
	users   map[int64]map[*subscriber]struct{}
	cases   map[int64]map[*subscriber]struct{}
	pending []int64       // announced notification ids of subscribed users, not read yet
	wake    chan struct{} // something is pending
}

func newLiveHub(st *store.Store) *liveHub {
	return &liveHub{st: st, users: map[int64]map[*subscriber]struct{}{}, cases: map[int64]map[*subscriber]struct{}{},
		wake: make(chan struct{}, 1)}
}

// RunLive listens to the database's announcements for this process's streams
// until ctx ends (then every stream ends). Run it once per process.
func (a *App) RunLive(ctx context.Context) error {
	h := a.live
	h.mu.Lock()
	h.running = true
	h.mu.Unlock()
	defer h.stop()
	go h.load(ctx)
	err := a.store.Listen(ctx, store.Listening{
		Got:       h.announced,
		Connected: h.resync,
		Failed: func(err error, retryIn time.Duration) {
			a.log.WarnContext(ctx, "live notifications: the listening connection failed", "err", err, "retry_in", retryIn)
		},
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (h *liveHub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = false
	for _, subs := range h.users {
		for s := range subs {
			h.dropLocked(s)
		}
	}
}

// announced takes one announcement on the listener's goroutine: a case
// change goes straight to the case's streams; a notification for a user with
// streams here waits for the loader.
func (h *liveHub) announced(a store.Announcement) {
	switch a.Channel {
	case store.ChannelCase:
		id, action, ok := store.CaseAnnounced(a.Payload)
		if !ok {
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		change := &CaseChange{CaseID: id, Action: action}
		for s := range h.cases[id] {
			h.sendLocked(s, liveEvent{change: change})
		}
	case store.ChannelNotification:
		id, user, ok := store.NotificationAnnounced(a.Payload)
		if !ok {
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.users[user]) == 0 {
			return
		}
		h.pending = append(h.pending, id)
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

// load reads the pending notifications in batches (one query for all that
// arrived meanwhile) and hands each to its user's streams.
func (h *liveHub) load(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		h.mu.Lock()
		ids := h.pending
		h.pending = nil
		h.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		list, err := h.st.NotificationsByID(ctx, ids)
		if err != nil {
			// Those streams missed something: they read it again from Postgres.
			h.resync()
			continue
		}
		h.mu.Lock()
		for i := range list {
			for s := range h.users[list[i].UserID] {
				h.sendLocked(s, liveEvent{note: &list[i]})
			}
		}
		h.mu.Unlock()
	}
}

// resync tells every stream to read what it may have missed.
func (h *liveHub) resync() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.users {
		for s := range subs {
			h.sendLocked(s, liveEvent{resync: true})
		}
	}
}

// sendLocked hands ev to s, or drops s when it lags too far behind.
func (h *liveHub) sendLocked(s *subscriber, ev liveEvent) {
	select {
	case s.ch <- ev:
	default:
		h.dropLocked(s)
	}
}

func (h *liveHub) subscribe(userID, caseID int64) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		return nil, domain.Errorf(domain.CodeUnavailable, "live notifications do not run in this process")
	}
	s := &subscriber{userID: userID, caseID: caseID, ch: make(chan liveEvent, liveBuffer), gone: make(chan struct{})}
	add(h.users, userID, s)
	if caseID != 0 {
		add(h.cases, caseID, s)
	}
	return s, nil
}

func add(m map[int64]map[*subscriber]struct{}, key int64, s *subscriber) {
	if m[key] == nil {
		m[key] = map[*subscriber]struct{}{}
	}
	m[key][s] = struct{}{}
}

func (h *liveHub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(s)
}

func (h *liveHub) dropLocked(s *subscriber) {
	if _, ok := h.users[s.userID][s]; !ok {
		return
	}
	remove(h.users, s.userID, s)
	remove(h.cases, s.caseID, s)
	close(s.gone)
}

func remove(m map[int64]map[*subscriber]struct{}, key int64, s *subscriber) {
	delete(m[key], s)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}

// StreamRequest opens a stream of one's notifications.
type StreamRequest struct {
	// LastEventID is the id of the last notification the client received
	// (its Last-Event-ID); HasLast false: a first connection, nothing replayed.
	LastEventID int64
	HasLast     bool
	// Case, when not 0, also streams the changes of that case (the caller must see it).
	Case     int64
	Language string // the texts' language (NotificationLanguage)
}

// StreamEvent is one thing a stream tells its client: a notification (with
// the reader's unread count when known), how many are unread (after each
// replay from Postgres), or a change of the subscribed case.
type StreamEvent struct {
	Notification *Notification
	Unread       *int64
	Case         *CaseChange
}

// Stream is one client's live stream; its events end (the channel closes)
// when the request's context ends, the process stops, or the client lags.
type Stream struct {
	Events <-chan StreamEvent
}

// OpenStream opens the caller's live stream: first what they missed since
// LastEventID (from Postgres), then their unread count, then their new
// notifications as they come (and the case's changes when Case is set: the
// perimeter is checked here, once). It ends with ctx.
func (a *App) OpenStream(ctx context.Context, who domain.Principal, req StreamRequest) (*Stream, error) {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return nil, err
	}
	if req.Case != 0 {
		if _, err := a.visibleCase(ctx, who, auth.CasesRead, req.Case); err != nil {
			return nil, err
		}
	}
	sub, err := a.live.subscribe(who.UserID, req.Case)
	if err != nil {
		return nil, err
	}
	out := make(chan StreamEvent)
	r := &streamRun{a: a, sub: sub, req: req, out: out}
	go r.run(ctx)
	return &Stream{Events: out}, nil
}

type streamRun struct {
	a    *App
	sub  *subscriber
	req  StreamRequest
	out  chan<- StreamEvent
	last int64          // the newest notification id sent or known
	seen map[int64]bool // ids the last replay sent (their live announcement may follow)
}

func (r *streamRun) run(ctx context.Context) {
	defer close(r.out)
	defer r.a.live.unsubscribe(r.sub)
	if r.req.HasLast {
		r.last = r.req.LastEventID
		if !r.catchUp(ctx) {
			return
		}
	} else {
		last, err := r.a.store.LastNotificationID(ctx, r.sub.userID)
		if err != nil {
			return
		}
		r.last = last
		if !r.unread(ctx) {
			return
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.sub.gone:
			return
		case ev := <-r.sub.ch:
			ok := true
			switch {
			case ev.resync:
				ok = r.catchUp(ctx)
			case ev.change != nil:
				ok = r.send(ctx, StreamEvent{Case: ev.change})
			case ev.note != nil && !r.seen[ev.note.ID]:
				unread := ev.note.Unread
				r.last = max(r.last, ev.note.ID)
				ok = r.send(ctx, StreamEvent{Notification: r.render(*ev.note), Unread: &unread})
			}
			if !ok {
				return
			}
		}
	}
}

// catchUp sends every notification after the last one known, from Postgres,
// then the unread count.
func (r *streamRun) catchUp(ctx context.Context) bool {
	r.seen = map[int64]bool{}
	for {
		list, err := r.a.store.NotificationsAfter(ctx, r.sub.userID, r.last, catchUpRows)
		if err != nil {
			return false
		}
		for _, n := range list {
			r.seen[n.ID] = true
			r.last = n.ID
			if !r.send(ctx, StreamEvent{Notification: r.render(n)}) {
				return false
			}
		}
		if len(list) < catchUpRows {
			return r.unread(ctx)
		}
	}
}

func (r *streamRun) unread(ctx context.Context) bool {
	n, err := r.a.store.UnreadNotifications(ctx, r.sub.userID)
	return err == nil && r.send(ctx, StreamEvent{Unread: &n})
}

func (r *streamRun) render(n store.Notification) *Notification {
	return &Notification{Notification: n, Text: NotificationText(r.req.Language, n)}
}

func (r *streamRun) send(ctx context.Context, ev StreamEvent) bool {
	select {
	case r.out <- ev:
		return true
	case <-ctx.Done():
		return false
	case <-r.sub.gone:
		return false
	}
}
