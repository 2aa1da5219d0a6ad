package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/net/netutil"
)

// Envelope is who the SMTP transaction says a message is from and for.
type Envelope struct {
	From   string   // MAIL FROM; "" for a bounce (the null sender)
	To     []string // the accepted RCPT TO addresses
	Remote string   // the client's address, for logs
}

// Receiver is what the listener hands mail to (app.App in production).
type Receiver interface {
	// AcceptRecipient answers at RCPT TO: nil to take mail for rcpt, a
	// *Rejection to refuse it for good (550), any other error to ask the
	// sender to try again later (451).
	AcceptRecipient(ctx context.Context, rcpt string) error
	// ReceiveEmail processes one parsed message; a *Rejection refuses it for
	// good (554), another error asks for a retry (451). Receiving the same
	// message twice must do nothing the second time.
	ReceiveEmail(ctx context.Context, env Envelope, m Message) error
}

// Rejection is a permanent refusal, its Reason told to the sending server.
type Rejection struct{ Reason string }

func (r *Rejection) Error() string { return r.Reason }

// Reject makes a Rejection.
func Reject(format string, args ...any) error {
	return &Rejection{Reason: fmt.Sprintf(format, args...)}
}

// Limits of the listener.
const (
	// MaxMessageBytes bounds a message: larger ones are refused with 552.
	MaxMessageBytes = 25 << 20
	maxRecipients   = 50
	ioTimeout       = 2 * time.Minute
	// MaxSessions bounds the connections served at once: more wait in the
	// listen backlog, so a flood cannot open unbounded sessions.
	MaxSessions = 100
	// maxLineLength is RFC 5321's limit of a command line, with room to spare.
	maxLineLength = 2000
	// processTimeout bounds the processing of one message.
	processTimeout = time.Minute
)

// Server is a running inbound SMTP listener; see Listen.
type Server struct {
	srv  *smtp.Server
	ln   net.Listener
	rc   Receiver
	log  *slog.Logger
	life Lifecycle
}

// Listen starts the inbound listener on addr ("127.0.0.1:0" picks a free
// port). It speaks plain SMTP without AUTH, as an MX does: it only accepts
// what AcceptRecipient takes. TLS belongs to the MX or relay in front.
func Listen(addr string, rc Receiver, log *slog.Logger) (*Server, error) {
	if rc == nil {
		return nil, errors.New("inbound: Listen needs a Receiver")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("inbound: smtp listen on %s: %w", addr, err)
	}
	ln = netutil.LimitListener(ln, MaxSessions)
	s := &Server{ln: ln, rc: rc, log: log}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = "recoup"
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout, srv.WriteTimeout = ioTimeout, ioTimeout
	srv.MaxLineLength = maxLineLength
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = SMTPLog{Log: log, Prefix: "inbound: smtp: "}
	s.srv = srv
	s.life.Serve(srv, ln, log, "inbound")
	return s, nil
}

// Addr is the host:port the listener is on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the listener and waits for the messages being processed.
func (s *Server) Close() error { return s.life.Close(s.srv, s.ln) }

type session struct {
	s      *Server
	remote string
	from   string
	to     []string
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	if err := se.s.rc.AcceptRecipient(ctx, to); err != nil {
		var rej *Rejection
		if errors.As(err, &rej) {
			se.s.log.Info("inbound: recipient refused", "to", to, "remote", se.remote, "reason", rej.Reason)
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: rej.Reason}
		}
		se.s.log.Error("inbound: checking a recipient", "to", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	if !se.s.life.Begin() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}
	}
	defer se.s.life.Done()
	raw, err := io.ReadAll(r) // go-smtp stops at MaxMessageBytes with 552
	if err != nil {
		return err
	}
	m, err := Parse(raw)
	if err != nil {
		se.s.log.Info("inbound: unreadable message refused", "from", se.from, "remote", se.remote, "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message could not be read: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	env := Envelope{From: se.from, To: se.to, Remote: se.remote}
	if err := se.s.rc.ReceiveEmail(ctx, env, m); err != nil {
		var rej *Rejection
		if errors.As(err, &rej) {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: rej.Reason}
		}
		se.s.log.Error("inbound: processing a message", "message_id", m.MessageID, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	se.s.log.Info("inbound: email received", "message_id", m.MessageID, "to", se.to, "size", len(raw), "remote", se.remote)
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
