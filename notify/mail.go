package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
)

// Email is one message to send. Text, HTML or both must be set; with both the message is
// multipart/alternative.
type Email struct {
	To      []string // addresses, optionally with display names ("Jana Müller <jana@example.com>")
	Subject string
	Text    string
	HTML    string
	// MessageID is the Message-ID header, "<id@domain>" (brackets optional). Derive it from the
	// activity's idempotency key with MessageID so that a retried send carries the same ID and
	// receiving systems can recognise the duplicate. Empty: a random one.
	MessageID string
	// Language is the Content-Language of the message (a BCP 47 tag such as "fr" or "pt-BR").
	Language string
	// FromName and FromAddress replace the display name and the address of the Mailer's
	// default From (RECOUP_MAIL_FROM) when set: an entity's own sender identity.
	FromName, FromAddress string
	// ReplyTo is the Reply-To address ("Claire Dubois <claire@acme.example>"); empty: none,
	// and replies go to From.
	ReplyTo string
	// EnvelopeFrom is the SMTP envelope sender (MAIL FROM), where bounces
	// go; empty: the From address.
	EnvelopeFrom string
	// Headers are extra header fields, e.g. List-Unsubscribe or X-Recoup-Invoice. Fields that
	// the fields above or MIME produce (From, To, Subject, Message-ID, Content-Type …) are
	// refused so that they cannot be set twice.
	Headers map[string]string
	// Attachments are files sent with the message (a report's XLSX).
	Attachments []Attachment
}

// Attachment is a file attached to an email.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// MessageID returns the Message-ID for an idempotency key: "<key@recoup>". Characters that
// may not appear in a Message-ID are percent-encoded, so distinct keys give distinct IDs.
// An empty key gives "" (Send then picks a random ID).
func MessageID(idempotencyKey string) string {
	if idempotencyKey == "" {
		return ""
	}
	const atext = "!#$&'*+-/=?^_`{|}~" // RFC 5322 atext besides letters and digits; '%' is the escape
	var b strings.Builder
	b.WriteByte('<')
	last := len(idempotencyKey) - 1
	for i := 0; i <= last; i++ {
		c := idempotencyKey[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(atext, c) >= 0 ||
			// A dot-atom may not start or end with a dot or contain two in a row.
			c == '.' && i > 0 && i < last && idempotencyKey[i-1] != '.'
		if ok {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	b.WriteString("@recoup>")
	return b.String()
}

// Mailer sends Email through one SMTP server. It is safe for concurrent use; every Send uses
// its own connection (reminders are sent one per activity, so pooling would gain little).
type Mailer struct {
	host        string
	port        int
	implicitTLS bool
	user, pass  string
	authMechs   []mail.SMTPAuthType
	from        string
	tlsConfig   *tls.Config
}

// MailerOption adjusts a Mailer.
type MailerOption func(*Mailer)

// WithTLSConfig sets the TLS configuration for smtps:// and STARTTLS, e.g. to trust a
// private CA. ServerName defaults to the host of the SMTP URL.
func WithTLSConfig(c *tls.Config) MailerOption {
	return func(m *Mailer) {
		if c != nil {
			m.tlsConfig = c.Clone()
		}
	}
}

// Default ports when the URL has none: submission (STARTTLS) and submissions (implicit TLS).
const (
	defaultSMTPPort  = 587
	defaultSMTPSPort = 465
	// smtpTimeout bounds each network step of a send; a shorter ctx deadline wins.
	smtpTimeout = 30 * time.Second
)

// NewMailer parses smtpURL and returns a Mailer sending From from.
//
//	smtp://[user:pass@]host[:port]    plain SMTP, upgraded with STARTTLS when the server offers it (default port 587)
//	smtps://[user:pass@]host[:port]   implicit TLS (default port 465)
//
// With user:pass the Mailer authenticates with PLAIN (or LOGIN when the server offers only
// that). On an smtp:// URL to a host other than localhost the credentials are sent even if
// the server does not offer STARTTLS: that is what an smtp:// URL with credentials asks for
// (e.g. a relay on a private network). Use smtps:// where the network is not trusted.
func NewMailer(smtpURL, from string, opts ...MailerOption) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("notify: SMTP URL: %w", err)
	}
	m := &Mailer{host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		m.port = defaultSMTPPort
	case "smtps":
		m.port, m.implicitTLS = defaultSMTPSPort, true
	default:
		return nil, fmt.Errorf("notify: SMTP URL: scheme %q: want smtp or smtps", u.Scheme)
	}
	if m.host == "" {
		return nil, errors.New("notify: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port < 1 || m.port > 65535 {
			return nil, fmt.Errorf("notify: SMTP URL: invalid port %q", p)
		}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		// Refuse rather than ignore: an option the Mailer does not know would silently not apply.
		return nil, errors.New("notify: SMTP URL: only scheme, credentials, host and port are supported")
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
		// go-mail's PLAIN and LOGIN refuse to send credentials without TLS except to localhost;
		// the -NOENC variants allow it. Without TLS to a remote host only those can work.
		if m.implicitTLS || isGoMailLocalhost(m.host) {
			m.authMechs = []mail.SMTPAuthType{mail.SMTPAuthPlain, mail.SMTPAuthLogin}
		} else {
			m.authMechs = []mail.SMTPAuthType{mail.SMTPAuthPlainNoEnc, mail.SMTPAuthLoginNoEnc}
		}
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notify: mail from %q: %w", from, err)
	}
	m.from = from
	m.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	for _, o := range opts {
		o(m)
	}
	if m.tlsConfig.ServerName == "" {
		m.tlsConfig.ServerName = m.host
	}
	return m, nil
}

// isGoMailLocalhost matches go-mail's own test for where unencrypted PLAIN/LOGIN is allowed.
func isGoMailLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send delivers e. A recipient or message rejected with a 5xx reply, and an Email that
// cannot be sent at all (no recipient, invalid address, no body), give an error for which
// IsPermanent is true; connection failures, timeouts and 4xx replies are temporary. If the
// server rejects one of several recipients, nothing is sent.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg, err := m.message(e)
	if err != nil {
		return permanent(fmt.Errorf("notify: email: %w", err))
	}
	timeout := smtpTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if timeout <= 0 {
		return fmt.Errorf("notify: sending email: %w", context.DeadlineExceeded)
	}

	// go-mail only watches ctx while dialing; closing the connection when ctx ends makes an
	// abandoned activity stop mid-transaction too. Dialing ourselves also handles IPv6 hosts,
	// which go-mail would join to "::1:25".
	var (
		mu   sync.Mutex
		conn net.Conn
	)
	dial := func(dctx context.Context, network, _ string) (net.Conn, error) {
		addr := net.JoinHostPort(m.host, strconv.Itoa(m.port))
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if m.implicitTLS {
			// A *tls.Conn tells go-mail the session is encrypted, which PLAIN requires.
			c, err = (&tls.Dialer{NetDialer: d, Config: m.tlsConfig.Clone()}).DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		if err == nil {
			mu.Lock()
			conn = c
			mu.Unlock()
		}
		return c, err
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
	})
	defer stop()

	opts := []mail.Option{
		mail.WithPort(m.port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(m.tlsConfig.Clone()),
		mail.WithDialContextFunc(dial),
	}
	if m.implicitTLS {
		opts = append(opts, mail.WithSSL()) // with our dialer this only stops a STARTTLS attempt
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if m.user != "" {
		opts = append(opts, mail.WithUsername(m.user), mail.WithPassword(m.pass),
			mail.WithOpportunisticSMTPAuth(m.authMechs...))
	}
	client, err := mail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("notify: email client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		// The server accepted the message (250 after DATA) and only the goodbye
		// failed: it is sent, and saying otherwise would send it twice.
		if msg.IsDelivered() {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("notify: sending email: %w (%v)", ctx.Err(), err)
		}
		return classifySMTP(err)
	}
	return nil
}

// classifySMTP makes a 5xx reply to RCPT TO or DATA permanent: the server refuses this
// recipient or this message, and will again. Everything else stays temporary, including 5xx
// replies to AUTH or MAIL FROM: those are about our account or sender address, which an
// operator can fix, after which the retried reminders go out.
func classifySMTP(err error) error {
	wrapped := fmt.Errorf("notify: sending email: %w", err)
	var se *mail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
			if !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() <= 599 {
				return permanent(wrapped)
			}
		case mail.ErrGetRcpts:
			return permanent(wrapped)
		}
	}
	return wrapped
}

var (
	// headerName is RFC 5322 ftext: printable ASCII except the colon.
	headerName = regexp.MustCompile(`^[!-9;-~]+$`)
	// languageTag is a loose BCP 47 check; it only has to keep the header well-formed.
	languageTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)
	// reservedHeaders are produced by Email's fields or by MIME.
	reservedHeaders = map[string]bool{
		"From": true, "Sender": true, "To": true, "Cc": true, "Bcc": true, "Subject": true, "Date": true,
		"Message-Id": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
		"Content-Language": true, "Return-Path": true, "Reply-To": true,
	}
)

func (m *Mailer) message(e Email) (*mail.Msg, error) {
	if len(e.To) == 0 {
		return nil, errors.New("no recipient")
	}
	if e.Text == "" && e.HTML == "" {
		return nil, errors.New("no text or HTML body")
	}
	msg := mail.NewMsg()
	from, err := netmail.ParseAddress(m.from) // checked by NewMailer
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if e.FromAddress != "" {
		from.Address = e.FromAddress
	}
	if e.FromName != "" {
		from.Name = e.FromName
	}
	// Re-parsed so that an entity's address is checked like the default one.
	if from, err = netmail.ParseAddress(from.String()); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	msg.FromMailAddress(from)
	if e.ReplyTo != "" {
		if err := msg.ReplyTo(e.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	if e.EnvelopeFrom != "" {
		if err := msg.EnvelopeFrom(e.EnvelopeFrom); err != nil {
			return nil, fmt.Errorf("envelope from: %w", err)
		}
	}
	if err := msg.To(e.To...); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	// A line break in the subject would end the header; reminders never need one.
	msg.Subject(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(e.Subject))
	msg.SetDate()
	msg.SetUserAgent("Recoup")

	if e.MessageID == "" {
		msg.SetMessageID()
	} else {
		id := strings.TrimSuffix(strings.TrimPrefix(e.MessageID, "<"), ">")
		if at := strings.IndexByte(id, '@'); at <= 0 || at == len(id)-1 || strings.ContainsAny(id, "<> \t\r\n\"()[]\\,;:") {
			return nil, fmt.Errorf("invalid Message-ID %q (want <left@right>; see MessageID)", e.MessageID)
		}
		msg.SetMessageIDWithValue(id)
	}
	if e.Language != "" {
		if !languageTag.MatchString(e.Language) {
			return nil, fmt.Errorf("invalid language %q", e.Language)
		}
		msg.SetGenHeader(mail.HeaderContentLang, e.Language)
	}
	for _, name := range slices.Sorted(maps.Keys(e.Headers)) {
		value := e.Headers[name]
		switch {
		case !headerName.MatchString(name):
			return nil, fmt.Errorf("invalid header name %q", name)
		case reservedHeaders[textproto.CanonicalMIMEHeaderKey(name)]:
			return nil, fmt.Errorf("header %s is set by Email's fields, not Headers", name)
		case strings.ContainsAny(value, "\r\n"):
			return nil, fmt.Errorf("header %s: value contains a line break", name)
		}
		msg.SetGenHeader(mail.Header(name), value)
	}

	switch {
	case e.Text != "" && e.HTML != "":
		msg.SetBodyString(mail.TypeTextPlain, e.Text)
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	case e.HTML != "":
		msg.SetBodyString(mail.TypeTextHTML, e.HTML)
	default:
		msg.SetBodyString(mail.TypeTextPlain, e.Text)
	}
	for _, a := range e.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "\r\n\"/\\") {
			return nil, fmt.Errorf("invalid attachment name %q", a.Filename)
		}
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType)))
	}
	return msg, nil
}
