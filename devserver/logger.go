package devserver

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// levelHandler drops records below min before they reach the wrapped handler.
// The server is very chatty at info, so it gets its own floor independent of
// the level the caller's handler would accept.
type levelHandler struct {
	min slog.Leveler
	h   slog.Handler
}

func (l levelHandler) Enabled(ctx context.Context, lvl slog.Level) bool {
	return lvl >= l.min.Level() && l.h.Enabled(ctx, lvl)
}

func (l levelHandler) Handle(ctx context.Context, r slog.Record) error {
	return l.h.Handle(ctx, r)
}

func (l levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{min: l.min, h: l.h.WithAttrs(attrs)}
}

func (l levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{min: l.min, h: l.h.WithGroup(name)}
}

// gateLevel is the minimum level of server logs: the caller's level, raised
// while the server starts (services dial each other before all listen, and
// some notices come on every start) and while it stops (pollers and RPC
// clients complain as their peers go away, some for good, since the server
// leaves a few reconnecting clients behind after Stop).
type gateLevel struct {
	user  slog.Leveler
	floor atomic.Int64
}

const (
	levelAll  = slog.Level(-1 << 10)
	levelNone = slog.Level(1 << 10)
)

func (g *gateLevel) Level() slog.Level {
	return max(g.user.Level(), slog.Level(g.floor.Load()))
}

func (g *gateLevel) raiseTo(l slog.Level) { g.floor.Store(int64(l)) }

// serverLogger adapts slog to Temporal's log.Logger. The server module only
// ships the opposite direction (log.NewSlogLogger), so this small bridge is ours.
type serverLogger struct {
	l    *slog.Logger // gated by level
	raw  *slog.Logger // for Fatal, which is never dropped
	gate *gateLevel
}

var (
	_ log.Logger      = (*serverLogger)(nil)
	_ log.WithLogger  = (*serverLogger)(nil)
	_ log.SLogWrapper = (*serverLogger)(nil)
	_ slog.Handler    = levelHandler{}
	_ log.SkipLogger  = (*serverLogger)(nil)
)

func newServerLogger(l *slog.Logger, min slog.Leveler) *serverLogger {
	g := &gateLevel{user: min}
	g.raiseTo(levelAll)
	return &serverLogger{l: slog.New(levelHandler{min: g, h: l.Handler()}), raw: l, gate: g}
}

func tagsToAttrs(tags []tag.Tag) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	return attrs
}

func (s *serverLogger) log(lvl slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	// Check first: converting tags (tag.Value encodes zap fields) is the costly part.
	if !s.l.Enabled(ctx, lvl) {
		return
	}
	s.l.LogAttrs(ctx, lvl, msg, tagsToAttrs(tags)...)
}

func (s *serverLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s *serverLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s *serverLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s *serverLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic is an error in production builds of zap; keep that meaning.
func (s *serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

func (s *serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal must not return: server code relies on it (as with zap) to stop the
// process. Start checks ports and the lock up front so that the known causes
// become errors instead.
func (s *serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.raw.LogAttrs(context.Background(), slog.LevelError, "temporal server fatal: "+msg, tagsToAttrs(tags)...)
	os.Exit(1)
}

func (s *serverLogger) With(tags ...tag.Tag) log.Logger {
	args := make([]any, 0, len(tags))
	for _, a := range tagsToAttrs(tags) {
		args = append(args, a)
	}
	return &serverLogger{l: s.l.With(args...), raw: s.raw.With(args...), gate: s.gate}
}

// Skip is a no-op: slog records no caller here.
func (s *serverLogger) Skip(int) log.Logger { return s }

// SLog lets log.NewSlogLogger (used by parts of the server) reuse our handler.
func (s *serverLogger) SLog() *slog.Logger { return s.l }
