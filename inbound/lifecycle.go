package inbound

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/emersion/go-smtp"
)

// Lifecycle is what an SMTP server of ours (this listener, the dev capture)
// needs to stop cleanly: it refuses new DATA transactions once closing, and
// Close waits for those under way.
type Lifecycle struct {
	mu        sync.Mutex
	closed    bool
	inflight  sync.WaitGroup
	serveDone chan struct{}
}

// Serve runs srv on ln in a goroutine until Close, logging why it stopped
// if it stops by itself.
func (l *Lifecycle) Serve(srv *smtp.Server, ln net.Listener, log *slog.Logger, name string) {
	l.serveDone = make(chan struct{})
	go func() {
		defer close(l.serveDone)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error(name+": smtp server stopped", "err", err)
		}
	}()
	log.Info(name+": smtp listening", "addr", ln.Addr().String())
}

// Begin registers a DATA transaction unless the server is closing; the
// caller calls Done when it ends. Guarding Add with the mutex keeps
// WaitGroup.Add from racing with Wait in Close.
func (l *Lifecycle) Begin() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.inflight.Add(1)
	return true
}

// Done ends a transaction Begin registered.
func (l *Lifecycle) Done() { l.inflight.Done() }

// Close stops srv at once (open connections dropped), closes ln (go-smtp
// only closes listeners Serve has registered: one closed before Serve got
// that far would accept forever), waits for the Serve goroutine and for the
// transactions under way. Calling it again is a no-op.
func (l *Lifecycle) Close(srv *smtp.Server, ln net.Listener) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	err := srv.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = cerr
	}
	<-l.serveDone
	l.inflight.Wait()
	return err
}

// SMTPLog adapts slog to go-smtp's printf-style error logger. go-smtp only
// reports connection-level trouble there (client hung up, timeouts), hence Warn.
type SMTPLog struct {
	Log    *slog.Logger
	Prefix string // e.g. "inbound: smtp: "
}

func (p SMTPLog) Printf(format string, v ...any) { p.Log.Warn(p.Prefix + fmt.Sprintf(format, v...)) }
func (p SMTPLog) Println(v ...any)               { p.Log.Warn(p.Prefix + fmt.Sprint(v...)) }
