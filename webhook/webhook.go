// Package webhook is the sending side of Recoup's webhooks: the signature of
// the Standard Webhooks specification (https://www.standardwebhooks.com), the
// secrets it uses, the rule that keeps webhooks off the internal network, and
// one POST of one message. The use cases (saving a subscription, a test
// event) and the delivery activity share it.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SecretPrefix starts every secret, as the specification writes them.
const SecretPrefix = "whsec_"

// secretBytes is the size of a new secret's key (the specification allows 24 to 64).
const secretBytes = 32

// NewSecret makes a random signing secret: whsec_ and the key in base64.
func NewSecret() (string, error) {
	key := make([]byte, secretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// Sign is the webhook-signature header of one message: "v1," and the base64
// HMAC-SHA256, keyed by the secret's decoded key, of "id.timestamp.body".
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	s, err := NewSigner(secret)
	if err != nil {
		return "", err
	}
	return s.Sign(msgID, ts, body), nil
}

// Signer signs with one secret's key, decoded once (a delivery signs
// thousands of messages with the same secret).
type Signer struct{ key []byte }

// NewSigner decodes the key of secret (whsec_ and base64).
func NewSigner(secret string) (Signer, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return Signer{}, fmt.Errorf("webhook secret: %w", err)
	}
	return Signer{key: key}, nil
}

// Sign is the webhook-signature header of one message (see the function Sign).
func (s Signer) Sign(msgID string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Signed is m with its signature, ready for Post (signing ahead of sending
// takes the work off the path of the POSTs, which go one at a time).
func (s Signer) Signed(m Message) Message {
	m.Signature = s.Sign(m.ID, m.At, m.Body)
	return m
}

// ErrForbiddenTarget is a target on the internal network (private, loopback,
// link-local, unspecified or multicast addresses) while they are not allowed.
var ErrForbiddenTarget = errors.New("the address is private, loopback or link-local")

// forbidden says whether a webhook may not reach ip: anything that is not a
// public unicast address, so a subscription cannot be turned against the
// internal network (cloud metadata at 169.254.169.254 included).
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		sharedSpace.Contains(ip) || thisNetwork.Contains(ip)
}

var (
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, internal too
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
)

// Targets checks where webhooks may go.
type Targets struct {
	AllowPrivate bool // RECOUP_WEBHOOK_ALLOW_PRIVATE: tests, and receivers on the same network
	Resolver     *net.Resolver
}

// CheckURL refuses what is not an absolute http(s) URL, and a host that
// resolves to a forbidden address (any of its addresses). The dialer checks
// again at each delivery, after its own resolution, so DNS changed since
// (rebinding) cannot get past it.
func (t Targets) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("a URL with credentials is refused: the signature authenticates Recoup")
	}
	if t.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if forbidden(ip) {
			return fmt.Errorf("%s: %w", host, ErrForbiddenTarget)
		}
		return nil
	}
	r := t.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%s does not resolve: %v", host, err)
	}
	for _, ip := range addrs {
		if forbidden(ip) {
			return fmt.Errorf("%s resolves to %s: %w", host, ip, ErrForbiddenTarget)
		}
	}
	return nil
}

// control refuses, at connect time, an address the resolution gave that is forbidden.
func (t Targets) control(_, address string, _ syscall.RawConn) error {
	if t.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	if forbidden(ap.Addr()) {
		return fmt.Errorf("%s: %w", ap.Addr(), ErrForbiddenTarget)
	}
	return nil
}

// Client is the HTTP client deliveries go through: its dialer checks every
// address it connects to, it uses no proxy (the check must see the target),
// it follows no redirect (a redirect could point inside), and each POST
// waits at most timeout.
func (t Targets) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: t.control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Message is one POST: its id (the same on every attempt, for the receiver's
// deduplication), its time, its JSON body and, when signed ahead, its signature.
type Message struct {
	ID        string
	At        time.Time
	Body      []byte
	Signature string // empty: Post signs it
}

// Result is what one attempt got.
type Result struct {
	Status  int // 0: no answer
	Latency time.Duration
	Err     error // no answer, or a status that is not 2xx
}

// OK says the receiver took the message (2xx).
func (r Result) OK() bool { return r.Err == nil }

// Gone says the receiver asked to stop (410): the subscription is disabled.
func (r Result) Gone() bool { return r.Status == http.StatusGone }

// Post sends m to target, signed with secret (unless signed already), and says what happened.
func Post(ctx context.Context, c *http.Client, target, secret string, m Message) Result {
	sig := m.Signature
	if sig == "" {
		var err error
		if sig, err = Sign(secret, m.ID, m.At, m.Body); err != nil {
			return Result{Err: err}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(m.Body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Recoup-Webhooks/1")
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(m.At.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: err}
	}
	// Read a little of the answer so the connection is reused; the rest is dropped.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	r := Result{Status: resp.StatusCode, Latency: time.Since(start)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		r.Err = fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return r
}
