package inbound_test

import (
	"context"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/inbound"
)

// receiver takes mail for @replies.example.com only and keeps what it gets.
type receiver struct {
	mu   sync.Mutex
	got  []inbound.Message
	envs []inbound.Envelope
	fail error
}

func (r *receiver) AcceptRecipient(_ context.Context, rcpt string) error {
	if !strings.HasSuffix(rcpt, "@replies.example.com") {
		return inbound.Reject("Recoup does not receive mail for %s", rcpt)
	}
	return nil
}

func (r *receiver) ReceiveEmail(_ context.Context, env inbound.Envelope, m inbound.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got, r.envs = append(r.got, m), append(r.envs, env)
	return nil
}

func (r *receiver) setFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

func setupListener(t *testing.T) (*receiver, string) {
	t.Helper()
	rc := &receiver{}
	srv, err := inbound.Listen("127.0.0.1:0", rc, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return rc, srv.Addr()
}

func smtpCode(t *testing.T, err error) int {
	t.Helper()
	var te *textproto.Error
	require.True(t, errors.As(err, &te), "an SMTP reply, got %v", err)
	return te.Code
}

func TestListener(t *testing.T) {
	t.Parallel()
	body := string(msg("From: jana@example.com", "Subject: Re: reminder", "Message-ID: <r1@example.com>", "", "We paid.")) + "\r\n"

	t.Run("delivers a reply to the receiver, parsed", func(t *testing.T) {
		t.Parallel()
		rc, addr := setupListener(t)
		require.NoError(t, smtp.SendMail(addr, nil, "jana@example.com", []string{"reply+tok@replies.example.com"}, []byte(body)))
		require.Len(t, rc.got, 1)
		require.Equal(t, "r1@example.com", rc.got[0].MessageID)
		require.Equal(t, "We paid.", rc.got[0].Text)
		require.Equal(t, []string{"reply+tok@replies.example.com"}, rc.envs[0].To)
		require.Equal(t, "jana@example.com", rc.envs[0].From)
	})
	t.Run("refuses other recipients at RCPT with 550", func(t *testing.T) {
		t.Parallel()
		rc, addr := setupListener(t)
		err := smtp.SendMail(addr, nil, "jana@example.com", []string{"someone@elsewhere.example"}, []byte(body))
		require.Equal(t, 550, smtpCode(t, err))
		require.Contains(t, err.Error(), "does not receive mail for someone@elsewhere.example")
		require.Empty(t, rc.got)
	})
	t.Run("refuses a message above the size limit", func(t *testing.T) {
		t.Parallel()
		rc, addr := setupListener(t)
		big := body + strings.Repeat("x", inbound.MaxMessageBytes) + "\r\n"
		// The server answers 552 and may close the connection before the client has written it all.
		err := smtp.SendMail(addr, nil, "jana@example.com", []string{"reply+tok@replies.example.com"}, []byte(big))
		require.Error(t, err)
		require.Empty(t, rc.got)
	})
	t.Run("a processing failure is temporary (451), a rejection permanent (554)", func(t *testing.T) {
		t.Parallel()
		rc, addr := setupListener(t)
		rc.setFail(errors.New("database down"))
		err := smtp.SendMail(addr, nil, "jana@example.com", []string{"reply+tok@replies.example.com"}, []byte(body))
		require.Equal(t, 451, smtpCode(t, err))
		rc.setFail(inbound.Reject("no account has this reply address"))
		err = smtp.SendMail(addr, nil, "jana@example.com", []string{"reply+tok@replies.example.com"}, []byte(body))
		require.Equal(t, 554, smtpCode(t, err))
	})
}
