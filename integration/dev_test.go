// Package integration holds the tests that run the embedded Temporal server.
// It is the only test package that links the server (each link costs
// minutes), so every such test lives here.
package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/config"
	"recoup/devenv"
	"recoup/store/storetest"
)

// freeAddr returns a 127.0.0.1 address with a port nothing listens on.
func freeHostPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// devConfig is `recoup dev`'s configuration with every port free and the data in dir.
func devConfig(t *testing.T, dbURL, dataDir string) *config.Config {
	t.Helper()
	cfg := config.Load()
	cfg.DatabaseURL = dbURL
	cfg.DataDir = dataDir
	cfg.HTTPAddr = freeHostPort(t)
	cfg.TemporalAddress = freeHostPort(t)
	cfg.TemporalUIAddr = freeHostPort(t)
	cfg.SMTPURL = "smtp://" + freeHostPort(t)
	cfg.InboundSMTPAddr = freeHostPort(t)
	cfg.TemporalNamespace = "default"
	return cfg
}

// startRecoupDev runs devenv.Run (what `recoup dev` runs) with a small demo
// data set until the returned stop is called.
func startRecoupDev(t *testing.T, cfg *config.Config, out io.Writer) (devenv.Info, func()) {
	t.Helper()
	return startRecoupDevWith(t, cfg, out, 25)
}

// startRecoupDevWith is startRecoupDev with demoCustomers demo accounts (0: none).
func startRecoupDevWith(t *testing.T, cfg *config.Config, out io.Writer, demoCustomers int) (devenv.Info, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan devenv.Info, 1)
	done := make(chan error, 1)
	go func() {
		done <- devenv.Run(ctx, devenv.Options{Config: cfg, DemoCustomers: demoCustomers, Logger: slog.New(slog.DiscardHandler),
			Out: out, Started: func(i devenv.Info) { started <- i }})
	}()
	select {
	case info := <-started:
		adminToken = info.Credentials.AdminToken
		return info, func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(30 * time.Second):
				t.Fatal("recoup dev did not stop within 30s")
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("recoup dev stopped before it was ready: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("recoup dev not ready within 2 minutes")
	}
	return devenv.Info{}, nil
}

// adminToken is the API token of the `recoup dev` stack under test (the
// tests start one stack at a time).
var adminToken string

// send makes an API request with the admin's token.
func send(t *testing.T, method, url, contentType, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}

func signIn(t *testing.T, api, email, password string) int {
	t.Helper()
	resp, err := http.Post(api+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, email, password)))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	resp := send(t, http.MethodGet, url, "", "")
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if into != nil {
		require.NoError(t, json.Unmarshal(body, into), string(body))
	}
	return resp.StatusCode
}

func TestDevStartsAnswersAndKeepsEverythingAcrossRestarts(t *testing.T) {
	cfg := devConfig(t, storetest.NewURL(t), t.TempDir())
	var out strings.Builder
	info, stop := startRecoupDev(t, cfg, &out)
	require.Contains(t, out.String(), "loading a demo data set")
	require.Contains(t, out.String(), info.API+"/dev/mail", "the banner says where things are")

	var customers struct{ Total int64 }
	require.Equal(t, http.StatusOK, getJSON(t, info.API+"/api/v1/customers", &customers))
	require.EqualValues(t, 25, customers.Total)
	var check struct {
		Status string
		Result struct{ Counts struct{ Customers int64 } }
	}
	require.Equal(t, http.StatusOK, getJSON(t, info.API+"/api/v1/system/check", &check), "a workflow runs on the worker")
	require.EqualValues(t, 25, check.Result.Counts.Customers)
	var mail struct{ Count int }
	require.Equal(t, http.StatusOK, getJSON(t, info.API+"/dev/mail?format=json", &mail))
	resp, err := http.Get(info.TemporalUI)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the Temporal Web UI answers")
	require.Len(t, info.Credentials.Users, 7, "one user per role")
	for _, u := range info.Credentials.Users {
		require.Regexp(t, regexp.QuoteMeta(u.Email)+`\s+`+regexp.QuoteMeta(u.Password), out.String(), "the banner prints %s's credentials", u.Role)
		require.Equal(t, http.StatusOK, signIn(t, info.API, u.Email, u.Password), u.Email)
	}
	first := info.Credentials
	stop()

	// Same data directory and database: nothing is reloaded, nothing is lost.
	out.Reset()
	info, stop = startRecoupDev(t, cfg, &out)
	defer stop()
	require.NotContains(t, out.String(), "loading a demo data set")
	require.Equal(t, first, info.Credentials, "the same passwords and token after a restart")
	require.Equal(t, http.StatusOK, getJSON(t, info.API+"/api/v1/customers", &customers))
	require.EqualValues(t, 25, customers.Total)
	require.Equal(t, http.StatusOK, getJSON(t, info.API+"/api/v1/system/check", &check))
}

func TestDevRefusesABusyPort(t *testing.T) {
	cfg := devConfig(t, storetest.NewURL(t), t.TempDir())
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	require.NoError(t, err)
	defer ln.Close()
	err = devenv.Run(context.Background(), devenv.Options{Config: cfg, Logger: slog.New(slog.DiscardHandler), Out: io.Discard})
	require.ErrorContains(t, err, fmt.Sprintf("cannot listen on %s", cfg.HTTPAddr))
}
