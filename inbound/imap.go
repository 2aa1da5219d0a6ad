package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// PollEvery is how often `recoup api` and `recoup dev` poll the mailbox.
const PollEvery = time.Minute

// Poller reads customer emails from an IMAP mailbox (RECOUP_INBOUND_IMAP_URL)
// and hands them to the same Receiver as the SMTP listener: for a mailbox
// the reply domain's mail already lands in. A message is marked \Seen once
// processed (or refused for good); one whose processing failed for a
// moment stays unseen and is read again at the next poll.
type Poller struct {
	addr, user, pass, mailbox string
	tls                       string // "tls", "starttls" or "plain"
	rc                        Receiver
	log                       *slog.Logger
}

// NewPoller reads the mailbox URL:
//
//	imaps://user:pass@host[:993]/Mailbox        implicit TLS
//	imap://user:pass@host[:143]/Mailbox         STARTTLS
//	imap+plain://user:pass@host[:143]/Mailbox   no TLS (a local server, tests)
//
// The mailbox defaults to INBOX.
func NewPoller(rawURL string, rc Receiver, log *slog.Logger) (*Poller, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("inbound: IMAP URL: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Poller{rc: rc, log: log, mailbox: strings.TrimPrefix(u.Path, "/")}
	port := "143"
	switch u.Scheme {
	case "imaps":
		p.tls, port = "tls", "993"
	case "imap":
		p.tls = "starttls"
	case "imap+plain":
		p.tls = "plain"
	default:
		return nil, fmt.Errorf("inbound: IMAP URL: scheme %q: want imaps, imap or imap+plain", u.Scheme)
	}
	if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
		return nil, errors.New("inbound: IMAP URL: want imaps://user:password@host/mailbox")
	}
	p.user = u.User.Username()
	p.pass, _ = u.User.Password()
	if u.Port() != "" {
		port = u.Port()
	}
	p.addr = net.JoinHostPort(u.Hostname(), port)
	if p.mailbox == "" {
		p.mailbox = "INBOX"
	}
	return p, nil
}

// Run polls every interval until ctx ends, logging failures.
func (p *Poller) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := p.PollOnce(ctx); err != nil {
			p.log.Warn("inbound: IMAP poll failed", "addr", p.addr, "mailbox", p.mailbox, "err", err)
		} else if n > 0 {
			p.log.Info("inbound: IMAP poll", "addr", p.addr, "mailbox", p.mailbox, "processed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PollOnce processes the unseen messages of the mailbox and answers how
// many were processed (or refused for good) and marked \Seen.
func (p *Poller) PollOnce(ctx context.Context) (int, error) {
	c, err := p.dial()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(p.user, p.pass).Wait(); err != nil {
		return 0, fmt.Errorf("inbound: IMAP login as %s: %w", p.user, err)
	}
	if _, err := c.Select(p.mailbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("inbound: IMAP select %s: %w", p.mailbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("inbound: IMAP search: %w", err)
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return 0, c.Logout().Wait()
	}
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		return 0, fmt.Errorf("inbound: IMAP fetch: %w", err)
	}
	var done []imap.UID
	for _, msg := range msgs {
		if p.process(ctx, msg.UID, msg.RFC822Size, msg.FindBodySection(body)) {
			done = append(done, msg.UID)
		}
	}
	if len(done) > 0 {
		seen := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}
		if err := c.Store(imap.UIDSetNum(done...), seen, nil).Close(); err != nil {
			return 0, fmt.Errorf("inbound: IMAP mark seen: %w", err)
		}
	}
	return len(done), c.Logout().Wait()
}

// process hands one message over; it says whether the message is done with
// (processed, or refused for good) and may be marked \Seen.
func (p *Poller) process(ctx context.Context, uid imap.UID, size int64, raw []byte) bool {
	if size > MaxMessageBytes {
		p.log.Info("inbound: IMAP message too large, skipped", "uid", uid, "size", size)
		return true
	}
	m, err := Parse(raw)
	if err != nil {
		p.log.Info("inbound: unreadable IMAP message skipped", "uid", uid, "err", err)
		return true
	}
	env := Envelope{From: m.From, To: m.Recipients, Remote: "imap:" + p.addr}
	pctx, cancel := context.WithTimeout(ctx, processTimeout)
	defer cancel()
	err = p.rc.ReceiveEmail(pctx, env, m)
	var rej *Rejection
	switch {
	case errors.As(err, &rej):
		p.log.Info("inbound: IMAP message refused", "uid", uid, "message_id", m.MessageID, "reason", rej.Reason)
		return true
	case err != nil:
		p.log.Warn("inbound: IMAP message not processed, will retry", "uid", uid, "message_id", m.MessageID, "err", err)
		return false
	}
	return true
}

func (p *Poller) dial() (*imapclient.Client, error) {
	var (
		c   *imapclient.Client
		err error
	)
	switch p.tls {
	case "tls":
		c, err = imapclient.DialTLS(p.addr, nil)
	case "starttls":
		c, err = imapclient.DialStartTLS(p.addr, nil)
	default:
		c, err = imapclient.DialInsecure(p.addr, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: IMAP connect to %s: %w", p.addr, err)
	}
	return c, nil
}
