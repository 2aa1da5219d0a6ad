package capture

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
	"github.com/wneessen/go-mail"
)

// startSMTP runs a capture server on a free port for the duration of the test.
func startSMTP(t *testing.T, mb *Mailbox) *SMTPServer {
	t.Helper()
	srv, err := ListenSMTP("127.0.0.1:0", mb, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

// goMailClient is configured the way the product's mailer talks to the dev capture.
func goMailClient(t *testing.T, addr string, opts ...mail.Option) *mail.Client {
	t.Helper()
	host, portStr, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	port, err := strconv.Atoi(portStr)
	require.NoError(t, err)
	base := []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithTimeout(10 * time.Second)}
	c, err := mail.NewClient(host, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

const (
	reminderSubject = "Zahlungserinnerung: Rechnung Nr. 42 – fällig 💶"
	reminderText    = "Guten Tag Frau Müller,\n\nbitte begleichen Sie 1.234,56 € bis zum 31.03.\nGrüße, Ihr Recoup-Team"
	reminderHTML    = `<p>Guten Tag Frau Müller,</p><p>bitte begleichen Sie <b>1.234,56 €</b>.</p><a href="https://pay.example/42">Jetzt zahlen</a>`
)

func reminderMsg(t *testing.T) *mail.Msg {
	t.Helper()
	m := mail.NewMsg()
	require.NoError(t, m.From("Recoup Billing <billing@recoup.test>"))
	require.NoError(t, m.To("Jana Müller <jana@example.com>"))
	require.NoError(t, m.Cc("accounts@example.com"))
	m.Subject(reminderSubject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, reminderText)
	m.AddAlternativeString(mail.TypeTextHTML, reminderHTML)
	require.NoError(t, m.AttachReader("Rechnung-42.pdf", strings.NewReader("%PDF-1.4 fake invoice"),
		mail.WithFileContentType(mail.TypeAppOctetStream)))
	return m
}

func TestSMTP_GoMailClientDelivers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts []mail.Option
	}{
		{"without auth", nil},
		{"AUTH PLAIN, any credentials", []mail.Option{
			mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername("dev"), mail.WithPassword("whatever"),
		}},
		{"AUTH PLAIN-NOENC (non-localhost SMTP_URL)", []mail.Option{
			mail.WithSMTPAuth(mail.SMTPAuthPlainNoEnc), mail.WithUsername("dev"), mail.WithPassword("x"),
		}},
		{"AUTH LOGIN", []mail.Option{
			mail.WithSMTPAuth(mail.SMTPAuthLogin), mail.WithUsername("dev"), mail.WithPassword("secret"),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mb, err := NewMailbox("")
			require.NoError(t, err)
			srv := startSMTP(t, mb)

			msg := reminderMsg(t)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			require.NoError(t, goMailClient(t, srv.Addr(), tc.opts...).DialAndSendWithContext(ctx, msg))

			got, err := mb.WaitFor(ctx, 1)
			require.NoError(t, err)
			require.Len(t, got, 1)
			m := got[0]

			require.Equal(t, KindEmail, m.Kind)
			require.NotEmpty(t, m.ID)
			require.WithinDuration(t, time.Now(), m.Received, time.Minute)
			require.Equal(t, time.UTC, m.Received.Location())
			require.Equal(t, "billing@recoup.test", m.From)
			require.ElementsMatch(t, []string{"jana@example.com", "accounts@example.com"}, m.To)
			require.Equal(t, reminderSubject, m.Subject)
			require.Equal(t, msg.GetMessageID(), m.MessageID)
			require.Equal(t, reminderText, strings.TrimRight(m.Text, "\n"))
			require.Equal(t, reminderHTML, strings.TrimRight(m.HTML, "\n"))
			require.Empty(t, m.ParseError)
			require.Len(t, m.Attachments, 1)
			require.Equal(t, "Rechnung-42.pdf", m.Attachments[0].Filename)
			require.Equal(t, "%PDF-1.4 fake invoice", string(m.Attachments[0].Data))

			// Raw is the message exactly as go-mail wrote it.
			var want bytes.Buffer
			_, err = msg.WriteTo(&want)
			require.NoError(t, err)
			require.Equal(t, want.String(), string(m.Raw))

			same, ok := mb.Get(m.ID)
			require.True(t, ok)
			require.Equal(t, m, same)
		})
	}
}

func TestSMTP_SeveralMessagesOnOneConnection(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	srv := startSMTP(t, mb)

	var msgs []*mail.Msg
	for i := range 3 {
		m := mail.NewMsg()
		require.NoError(t, m.From("billing@recoup.test"))
		require.NoError(t, m.To("c"+strconv.Itoa(i)+"@example.com"))
		m.Subject("Reminder " + strconv.Itoa(i))
		m.SetBodyString(mail.TypeTextPlain, "body")
		msgs = append(msgs, m)
	}
	require.NoError(t, goMailClient(t, srv.Addr()).DialAndSendWithContext(t.Context(), msgs...))

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, err := mb.WaitFor(ctx, 3)
	require.NoError(t, err)
	// Newest first, and the envelope of one transaction does not leak into the next.
	for i, m := range got {
		n := strconv.Itoa(2 - i)
		require.Equal(t, "Reminder "+n, m.Subject)
		require.Equal(t, []string{"c" + n + "@example.com"}, m.To)
	}
}

func TestSMTP_RejectsOversizedMessage(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	srv := startSMTP(t, mb)

	t.Run("declared with MAIL FROM SIZE=", func(t *testing.T) {
		t.Parallel()
		c, err := smtp.Dial(srv.Addr()) // plain connection: smtp.SendMail insists on STARTTLS
		require.NoError(t, err)
		defer c.Close()
		ok, size := c.Extension("SIZE")
		require.True(t, ok)
		require.Equal(t, strconv.Itoa(MaxMessageBytes), size)

		err = c.Mail("a@recoup.test", &smtp.MailOptions{Size: MaxMessageBytes + 1})
		var smtpErr *smtp.SMTPError
		require.ErrorAs(t, err, &smtpErr)
		require.Equal(t, 552, smtpErr.Code)
	})

	t.Run("streamed without declaring", func(t *testing.T) {
		t.Parallel()
		if testing.Short() {
			t.Skip("pushes 10 MB through the SMTP dot-decoder; slow under -race")
		}
		c, err := smtp.Dial(srv.Addr())
		require.NoError(t, err)
		defer c.Close()
		line := strings.Repeat("x", 998) + "\r\n"
		big := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte(line), MaxMessageBytes/len(line)+10)...)
		err = c.SendMail("a@recoup.test", []string{"b@example.com"}, bytes.NewReader(big))
		var smtpErr *smtp.SMTPError
		require.ErrorAs(t, err, &smtpErr)
		require.Equal(t, 552, smtpErr.Code)
	})
	// Subtests run after this function returns; check the mailbox in cleanup.
	t.Cleanup(func() { require.Zero(t, mb.Len()) })
}

func TestSMTP_CloseIsIdempotentAndStopsListening(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	srv, err := ListenSMTP("127.0.0.1:0", mb, nil)
	require.NoError(t, err)
	addr := srv.Addr()

	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close())
	_, err = net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err)
}

func TestListenSMTP_Errors(t *testing.T) {
	t.Parallel()
	_, err := ListenSMTP("127.0.0.1:0", nil, nil)
	require.Error(t, err)

	mb, err := NewMailbox("")
	require.NoError(t, err)
	srv := startSMTP(t, mb)
	_, err = ListenSMTP(srv.Addr(), mb, nil) // port taken
	require.ErrorContains(t, err, "listen")
}
