// Package logs builds Recoup's process logger: one JSON line per event in
// production (text on a terminal), the ids of what is being served added from
// the context (request id, user, customer, workflow and run id), and a
// repeated warning logged once.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Formats of RECOUP_LOG_FORMAT.
const (
	FormatAuto = "auto" // text when stderr is a terminal, JSON otherwise (a container, a file)
	FormatJSON = "json"
	FormatText = "text"
)

// Options configure New.
type Options struct {
	Format string // FormatAuto ("" too), FormatJSON or FormatText
	Level  string // debug, info, warn or error
}

// New builds the logger of a process writing to w (os.Stderr in the commands).
func New(w io.Writer, o Options) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(o.Level))); err != nil {
		return nil, fmt.Errorf("RECOUP_LOG_LEVEL %q: want debug, info, warn or error", o.Level)
	}
	format := strings.ToLower(strings.TrimSpace(o.Format))
	if format == "" || format == FormatAuto {
		format = FormatJSON
		if terminal(w) {
			format = FormatText
		}
	}
	ho := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch format {
	case FormatJSON:
		h = slog.NewJSONHandler(w, ho)
	case FormatText:
		h = slog.NewTextHandler(w, ho)
	default:
		return nil, fmt.Errorf("RECOUP_LOG_FORMAT %q: want auto, json or text", o.Format)
	}
	return slog.New(NewOnce(NewContext(h))), nil
}

func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Attribute names of the ids added from the context, the same in every line.
const (
	RequestID  = "request_id"
	User       = "user"
	CustomerID = "customer_id"
	WorkflowID = "workflow_id"
	RunID      = "run_id"
)

type attrsKey struct{}

// With returns ctx carrying attrs (key, value pairs as slog takes them):
// every record logged with ctx (InfoContext...) through a logger of New gets
// them. A key given again replaces the earlier value.
func With(ctx context.Context, args ...any) context.Context {
	prev, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	r := slog.NewRecord(time.Time{}, 0, "", 0)
	r.Add(args...)
	attrs := slices.Clone(prev)
	r.Attrs(func(a slog.Attr) bool {
		attrs = slices.DeleteFunc(attrs, func(b slog.Attr) bool { return b.Key == a.Key })
		attrs = append(attrs, a)
		return true
	})
	return context.WithValue(ctx, attrsKey{}, attrs)
}

// Attrs are the attributes With put in ctx.
func Attrs(ctx context.Context) []slog.Attr {
	attrs, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	return attrs
}

// contextHandler adds the context's attributes to each record.
type contextHandler struct{ h slog.Handler }

// NewContext wraps h so records logged with a context get its With attributes.
func NewContext(h slog.Handler) slog.Handler { return contextHandler{h} }

func (c contextHandler) Enabled(ctx context.Context, l slog.Level) bool { return c.h.Enabled(ctx, l) }

func (c contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := Attrs(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return c.h.Handle(ctx, r)
}

func (c contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{c.h.WithAttrs(attrs)}
}

func (c contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{c.h.WithGroup(name)}
}

// OnceKey is the attribute that makes a warning a repeated one: a WARN record
// carrying it is logged once per process for each (message, value) pair, e.g.
// the dunning planner's "no holiday data for country XX", which every account
// of that country would otherwise say. Other records are never held back.
const OnceKey = "warning"

// onceLimit bounds the warnings remembered: past it the set starts afresh
// (a warning may then be said again, never held forever in memory).
const onceLimit = 10000

type onceState struct {
	mu         sync.Mutex
	seen       map[string]bool
	suppressed atomic.Int64
}

// onceHandler drops the repeats of a warning carrying OnceKey.
type onceHandler struct {
	h     slog.Handler
	state *onceState
	// fixed holds OnceKey when a WithAttrs call set it for this logger.
	fixed string
}

// NewOnce wraps h so a warning carrying OnceKey is logged once per (message, value).
func NewOnce(h slog.Handler) slog.Handler {
	return onceHandler{h: h, state: &onceState{seen: map[string]bool{}}}
}

func (o onceHandler) Enabled(ctx context.Context, l slog.Level) bool { return o.h.Enabled(ctx, l) }

func (o onceHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		value := o.fixed
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == OnceKey {
				value = a.Value.String()
				return false
			}
			return true
		})
		if value != "" && !o.first(r.Message+"\x00"+value) {
			o.state.suppressed.Add(1)
			return nil
		}
	}
	return o.h.Handle(ctx, r)
}

func (o onceHandler) first(key string) bool {
	s := o.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[key] {
		return false
	}
	if len(s.seen) >= onceLimit {
		clear(s.seen)
	}
	s.seen[key] = true
	return true
}

func (o onceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	fixed := o.fixed
	for _, a := range attrs {
		if a.Key == OnceKey {
			fixed = a.Value.String()
		}
	}
	return onceHandler{h: o.h.WithAttrs(attrs), state: o.state, fixed: fixed}
}

func (o onceHandler) WithGroup(name string) slog.Handler {
	return onceHandler{h: o.h.WithGroup(name), state: o.state, fixed: o.fixed}
}

// Suppressed is how many repeated warnings the handler of l has dropped (0
// for a logger not made by New), for the periodic summary.
func Suppressed(l *slog.Logger) int64 {
	h := l.Handler()
	if o, ok := h.(onceHandler); ok {
		return o.state.suppressed.Load()
	}
	return 0
}
