package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/webhook"
)

// verify is a receiver's check written from the Standard Webhooks text, not
// from the package: the key is the base64 after "whsec_"; the signed content
// is webhook-id, ".", webhook-timestamp, ".", the raw body; the header holds
// space-separated "v1,<base64 HMAC-SHA256>" signatures, any of which may
// match; the timestamp must be within tolerance of now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp out of tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Split(sigs, " ") {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

func TestSignMatchesThePublishedExample(t *testing.T) {
	t.Parallel()
	// The example of the specification's reference libraries.
	sig, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
}

func TestNewSecretIsAStandardSecret(t *testing.T) {
	t.Parallel()
	a, err := webhook.NewSecret()
	require.NoError(t, err)
	b, err := webhook.NewSecret()
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "whsec_"))
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	require.NoError(t, err)
	require.Len(t, key, 32, "between 24 and 64 bytes, as the specification asks")
}

func TestPostSendsTheSignatureMadeAhead(t *testing.T) {
	t.Parallel()
	secret, err := webhook.NewSecret()
	require.NoError(t, err)
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	signer, err := webhook.NewSigner(secret)
	require.NoError(t, err)

	m := signer.Signed(webhook.Message{ID: "evt_7", At: time.Now(), Body: []byte(`{"type":"invoice.paid","data":{"id":7}}`)})
	// No secret given to Post: it must send the signature made ahead, not sign again.
	res := webhook.Post(context.Background(), webhook.Targets{AllowPrivate: true}.Client(5*time.Second), srv.URL, "", m)
	require.True(t, res.OK(), "%+v", res)
	r := <-got
	require.NoError(t, verify(secret, r.header, r.body, time.Now()))
}

// received is what the test receiver got.
type received struct {
	header http.Header
	body   []byte
}

func TestPostIsSignedForAnIndependentVerifier(t *testing.T) {
	t.Parallel()
	secret, err := webhook.NewSecret()
	require.NoError(t, err)
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	m := webhook.Message{ID: "evt_42", At: time.Now(), Body: []byte(`{"type":"invoice.paid","data":{"id":42}}`)}
	res := webhook.Post(context.Background(), webhook.Targets{AllowPrivate: true}.Client(5*time.Second), srv.URL, secret, m)
	require.True(t, res.OK(), "%+v", res)
	require.Equal(t, http.StatusNoContent, res.Status)
	r := <-got
	require.Equal(t, "evt_42", r.header.Get("webhook-id"))
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.NoError(t, verify(secret, r.header, r.body, time.Now()))

	require.Error(t, verify(secret, r.header, append(r.body, ' '), time.Now()), "a changed body fails")
	other, _ := webhook.NewSecret()
	require.Error(t, verify(other, r.header, r.body, time.Now()), "another secret fails")
	require.Error(t, verify(secret, r.header, r.body, time.Now().Add(time.Hour)), "an old message fails")
}

func TestPostSaysWhatTheReceiverAnswered(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status   int
		ok, gone bool
	}{
		{http.StatusOK, true, false},
		{http.StatusAccepted, true, false},
		{http.StatusInternalServerError, false, false},
		{http.StatusGone, false, true},
		{http.StatusFound, false, false}, // a redirect is not followed
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.status == http.StatusFound {
				http.Redirect(w, r, "http://169.254.169.254/", tt.status)
				return
			}
			w.WriteHeader(tt.status)
		}))
		res := webhook.Post(context.Background(), webhook.Targets{AllowPrivate: true}.Client(5*time.Second), srv.URL,
			"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", webhook.Message{ID: "m", At: time.Now(), Body: []byte(`{}`)})
		srv.Close()
		require.Equal(t, tt.status, res.Status)
		require.Equal(t, tt.ok, res.OK(), "%d", tt.status)
		require.Equal(t, tt.gone, res.Gone(), "%d", tt.status)
	}
}

func TestInternalTargetsAreRefused(t *testing.T) {
	t.Parallel()
	strict := webhook.Targets{}
	for _, u := range []string{
		"http://127.0.0.1/hook", "http://127.1.2.3:8080/", "http://localhost/hook", "http://[::1]/",
		"http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/", "http://[fd00::1]/",
		"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
		"http://[::ffff:127.0.0.1]/", "http://224.0.0.1/",
	} {
		err := strict.CheckURL(context.Background(), u)
		require.ErrorIs(t, err, webhook.ErrForbiddenTarget, u)
		require.NoError(t, webhook.Targets{AllowPrivate: true}.CheckURL(context.Background(), u), "%s with the setting on", u)
	}
	for _, u := range []string{"ftp://203.0.113.1/", "/relative", "http://", "https://user:pw@203.0.113.1/", "not a url"} {
		require.Error(t, strict.CheckURL(context.Background(), u), u)
	}
	require.NoError(t, strict.CheckURL(context.Background(), "https://203.0.113.7/recoup"), "a public address")
}

// A name that resolved to a public address when saved may resolve inside
// later (DNS rebinding): the dialer checks the address it connects to.
func TestDeliveryRefusesAnInternalAddressAtConnectTime(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	t.Cleanup(srv.Close)
	res := webhook.Post(context.Background(), webhook.Targets{}.Client(5*time.Second), srv.URL,
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", webhook.Message{ID: "m", At: time.Now(), Body: []byte(`{}`)})
	require.ErrorIs(t, res.Err, webhook.ErrForbiddenTarget)
	require.Zero(t, res.Status)
	require.Zero(t, hits, "nothing reached the loopback receiver")
}
