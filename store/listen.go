package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The channels the database announces on at commit (migration 00024's triggers).
const (
	// ChannelNotification: a notification was inserted; payload "<id> <user id>".
	ChannelNotification = "recoup_notification"
	// ChannelCase: a case changed (a journal entry on it); payload "<case id> <action>".
	ChannelCase = "recoup_case"
	// ChannelEvent: a transaction committed events (migration 00045, once
	// per transaction); payload "<its last event id>".
	ChannelEvent = "recoup_event"
)

// ListenerName is the application_name of the listening connection, so an
// operator (or a test) can find it in pg_stat_activity.
const ListenerName = "recoup-listen"

// Announcement is one NOTIFY received.
type Announcement struct {
	Channel, Payload string
}

// NotificationAnnounced reads a ChannelNotification payload.
func NotificationAnnounced(payload string) (id, userID int64, ok bool) {
	a, b, ok := strings.Cut(payload, " ")
	if !ok {
		return 0, 0, false
	}
	id, err1 := strconv.ParseInt(a, 10, 64)
	userID, err2 := strconv.ParseInt(b, 10, 64)
	return id, userID, err1 == nil && err2 == nil
}

// CaseAnnounced reads a ChannelCase payload.
func CaseAnnounced(payload string) (caseID int64, action string, ok bool) {
	a, action, ok := strings.Cut(payload, " ")
	if !ok {
		return 0, "", false
	}
	caseID, err := strconv.ParseInt(a, 10, 64)
	return caseID, action, err == nil
}

// Listening is what a listener tells its owner.
type Listening struct {
	Channels  []string                               // nil: ChannelNotification and ChannelCase
	Got       func(Announcement)                     // each announcement, on the listener's goroutine: must not block for long
	Connected func()                                 // the connection listens (again): read what was announced meanwhile
	Failed    func(err error, retryIn time.Duration) // the connection failed; it connects again after retryIn
}

// Listen holds one connection of its own that LISTENs on l.Channels
// (ChannelNotification and ChannelCase by default) and hands every announcement to l.Got, until ctx ends. When
// the connection fails (the server restarted, a network cut, the backend
// terminated) it connects again, waiting 100 ms, then twice as long each time
// up to 5 s; l.Connected is called each time the connection listens again
// (the first time too), so the caller can read from the tables what was
// announced while nobody listened.
func (s *Store) Listen(ctx context.Context, l Listening) error {
	const first, most = 100 * time.Millisecond, 5 * time.Second
	wait := first
	channels := l.Channels
	if channels == nil {
		channels = []string{ChannelNotification, ChannelCase}
	}
	for {
		err := s.listenOnce(ctx, channels, l.Got, func() { wait = first; l.Connected() })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.Failed(err, wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, most)
	}
}

func (s *Store) listenOnce(ctx context.Context, channels []string, got func(Announcement), connected func()) error {
	cfg := s.Pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		got(Announcement{Channel: n.Channel, Payload: n.Payload})
	}
}
