package inbound_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/stretchr/testify/require"

	"recoup/inbound"
)

// setupIMAP runs go-imap's in-memory server with user "ar" and an INBOX.
func setupIMAP(t *testing.T) (*imapmemserver.User, string) {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("ar", "secret")
	require.NoError(t, user.Create("INBOX", nil))
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return user, ln.Addr().String()
}

func appendMail(t *testing.T, user *imapmemserver.User, raw []byte) {
	t.Helper()
	_, err := user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{})
	require.NoError(t, err)
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

func TestPollerFeedsTheReceiverAndMarksSeen(t *testing.T) {
	t.Parallel()
	user, addr := setupIMAP(t)
	rc := &receiver{}
	p, err := inbound.NewPoller("imap+plain://ar:secret@"+addr+"/INBOX", rc, nil)
	require.NoError(t, err)
	ctx := context.Background()

	appendMail(t, user, msg("From: jana@example.com", "To: AR+tok@replies.example.com", "Subject: Re: reminder",
		"Message-ID: <i1@example.com>", "", "We paid."))
	appendMail(t, user, msg("From: joe@example.com", "To: ar+tok@replies.example.com", "Subject: Re: reminder",
		"Message-ID: <i2@example.com>", "", "Cheque in the post."))
	n, err := p.PollOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Len(t, rc.got, 2)
	require.Equal(t, "i1@example.com", rc.got[0].MessageID)
	require.Equal(t, []string{"ar+tok@replies.example.com"}, rc.envs[0].To, "the recipients from the headers")

	n, err = p.PollOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "marked \\Seen: not read twice")
	require.Len(t, rc.got, 2)

	// A failure for a moment leaves the message unseen: it comes again.
	appendMail(t, user, msg("From: jana@example.com", "To: ar+tok@replies.example.com", "Message-ID: <i3@example.com>", "", "Again."))
	rc.setFail(errors.New("database down"))
	n, err = p.PollOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	rc.setFail(nil)
	n, err = p.PollOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "i3@example.com", rc.got[2].MessageID)
}

func TestPollerURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"pop3://ar:x@mail.example.com", "imaps://mail.example.com/INBOX", "imaps://ar:x@/INBOX"} {
		_, err := inbound.NewPoller(bad, &receiver{}, nil)
		require.Error(t, err, bad)
	}
	_, err := inbound.NewPoller("imaps://ar:x@mail.example.com", &receiver{}, nil)
	require.NoError(t, err)
}
