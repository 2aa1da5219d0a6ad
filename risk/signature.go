package risk

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The webhook's headers: the Unix time the provider signed at, and
// "sha256=" with the hex HMAC-SHA256, keyed by the provider's secret, of
// the timestamp, a dot and the raw body. Signing the timestamp with the body
// is what makes the tolerance below a defence against replays.
const (
	TimestampHeader = "X-Recoup-Timestamp"
	SignatureHeader = "X-Recoup-Signature"
	// Tolerance is how far a timestamp may be from the server's clock, either way.
	Tolerance = 5 * time.Minute
	// SecretPrefix starts every provider secret.
	SecretPrefix = "rsk_"
)

// NewSecret makes a random provider secret: rsk_ and 32 bytes in base64url.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(key), nil
}

// Sign is the signature header's value for body sent at ts.
func Sign(secret string, ts time.Time, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// The reasons Verify refuses a request; each is a 401 at the door.
var (
	ErrNoSignature  = errors.New("the " + TimestampHeader + " and " + SignatureHeader + " headers are required")
	ErrStale        = errors.New("the timestamp is more than 5 minutes away from now: send it again, signed afresh")
	ErrBadSignature = errors.New("the signature does not match")
)

// Verify checks the headers of a request carrying body against secret at
// now: the timestamp within Tolerance, the signature equal in constant time.
func Verify(secret, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrStale
	}
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(signature), "sha256="))
	if err != nil || !hmac.Equal(got, mac(secret, strconv.FormatInt(sec, 10), body)) {
		return ErrBadSignature
	}
	return nil
}
