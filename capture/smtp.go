package capture

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"recoup/inbound"
)

// Limits of the capture server. Generous for reminder emails with an invoice attached, small
// enough that a runaway client cannot exhaust memory (messages are held in memory).
const (
	MaxMessageBytes = 10 << 20
	maxRecipients   = 100
	ioTimeout       = time.Minute
)

// SMTPServer is a running capture server; see ListenSMTP.
type SMTPServer struct {
	srv    *smtp.Server
	ln     net.Listener
	mb     *Mailbox
	logger *slog.Logger
	life   inbound.Lifecycle // DATA transactions being stored; Close waits for them
}

// ListenSMTP starts an SMTP server on addr ("127.0.0.1:0" picks a free port) that delivers
// every message into mb, and returns once it is listening.
//
// It is for development and tests only: no TLS (clients must be configured for no TLS, e.g.
// go-mail's mail.NoTLS), and AUTH PLAIN/LOGIN are offered on the plain connection and accept
// any credentials, so SMTP_URL may carry user:pass or none. A nil logger discards logs.
func ListenSMTP(addr string, mb *Mailbox, logger *slog.Logger) (*SMTPServer, error) {
	if mb == nil {
		return nil, errors.New("capture: ListenSMTP needs a Mailbox")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("capture: smtp listen: %w", err)
	}
	s := &SMTPServer{ln: ln, mb: mb, logger: logger}

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout = ioTimeout
	srv.WriteTimeout = ioTimeout
	// Without TLS, go-smtp only offers AUTH when explicitly allowed; clients configured with
	// credentials would otherwise fail against the capture.
	srv.AllowInsecureAuth = true
	// We store bytes verbatim, so UTF-8 addresses and headers need no special handling.
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = inbound.SMTPLog{Log: logger, Prefix: "capture: smtp: "}
	s.srv = srv

	s.life.Serve(srv, ln, logger, "capture")
	return s, nil
}

// Addr returns the host:port the server listens on.
func (s *SMTPServer) Addr() string { return s.ln.Addr().String() }

// Close stops the server immediately, dropping open connections, and returns once no
// message is still being stored (so a test's temp dir can be removed safely afterwards).
// Calling it again is a no-op.
//
// There is deliberately no graceful Shutdown: go-smtp's cannot be cut short once started, and
// each message is stored atomically anyway, so a client cut off mid-transfer loses only that
// attempt and is told so.
func (s *SMTPServer) Close() error { return s.life.Close(s.srv, s.ln) }

// session is one SMTP connection's transaction state.
type session struct {
	s      *SMTPServer
	remote string
	user   string // from AUTH, for logs only
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

// Auth accepts any credentials: the capture must work with whatever SMTP_URL carries.
func (se *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, _ string) error {
			se.user = username
			return nil
		}), nil
	case sasl.Login:
		return &loginServer{onDone: func(username string) { se.user = username }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	if !se.s.life.Begin() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Capture is shutting down"}
	}
	defer se.s.life.Done()

	// go-smtp enforces MaxMessageBytes inside r (ErrDataTooLarge, answered with 552).
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := se.s.mb.Add(se.from, se.to, raw)
	if err != nil {
		se.s.logger.Error("capture: storing message failed", "err", err, "from", se.from, "to", se.to)
		// 451 makes the client report a temporary failure instead of believing it was sent.
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Capture could not store the message"}
	}
	se.s.logger.Debug("capture: email received", // one per email: the dev summary counts them
		"id", msg.ID, "from", msg.From, "to", msg.To, "subject", msg.Subject,
		"size", len(raw), "auth_user", se.user, "remote", se.remote)
	return nil
}

func (se *session) Reset() {
	se.from, se.to = "", nil
}

func (se *session) Logout() error { return nil }

// loginServer implements the (obsolete but widely configured) AUTH LOGIN exchange, which
// go-sasl only provides as a client: Username: -> username, Password: -> password.
type loginServer struct {
	username string
	step     int
	onDone   func(username string)
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step = 1
		if response == nil { // no initial response: ask for the username
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.username = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		l.onDone(l.username)
		return nil, true, nil
	}
	return nil, false, errors.New("unexpected response")
}
