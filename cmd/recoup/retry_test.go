package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetryWaitsDoublingAndLogsEachAttemptOnce(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	calls := 0
	var at []time.Time
	v, err := retry(context.Background(), log, "Postgres", backoff{First: 10 * time.Millisecond, Max: 40 * time.Millisecond},
		func(context.Context) (int, error) {
			calls++
			at = append(at, time.Now())
			if calls < 5 {
				return 0, errors.New("connection refused")
			}
			return 42, nil
		})
	require.NoError(t, err)
	require.Equal(t, 42, v)
	require.Equal(t, 4, strings.Count(logs.String(), "Postgres not reachable, retrying"))
	require.Contains(t, logs.String(), "retry_in=10ms")
	require.Contains(t, logs.String(), "retry_in=40ms", "capped at Max")
	require.NotContains(t, logs.String(), "retry_in=80ms")
	require.Contains(t, logs.String(), "Postgres reached")
	require.GreaterOrEqual(t, at[2].Sub(at[1]), 20*time.Millisecond, "the second wait doubled")
}

func TestRetryStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := retry(ctx, slog.New(slog.DiscardHandler), "Temporal", backoff{First: 20 * time.Millisecond, Max: 20 * time.Millisecond},
		func(context.Context) (struct{}, error) { return struct{}{}, errors.New("connection refused") })
	require.ErrorContains(t, err, "Temporal: gave up after")
	require.ErrorContains(t, err, "connection refused")
}
