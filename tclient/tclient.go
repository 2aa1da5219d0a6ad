// Package tclient dials Temporal the same way for the API, the worker and dev.
package tclient

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"recoup/metrics"
)

func options(address, namespace string, logger *slog.Logger) client.Options {
	return client.Options{
		HostPort:  address,
		Namespace: namespace,
		// The SDK is chatty at info; its warnings and errors are what we want to see.
		Logger: sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		// The SDK's own figures (polls, schedule-to-start, slots) at /metrics.
		MetricsHandler: metrics.TemporalHandler(),
	}
}

// Dial connects to the Temporal frontend at address, in namespace, and checks the connection.
func Dial(ctx context.Context, address, namespace string, logger *slog.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, options(address, namespace, logger))
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", address, namespace, err)
	}
	return c, nil
}

// Lazy makes a client that connects when it is first used and reconnects by
// itself: the API starts and serves what Postgres answers while Temporal is
// down (flow.Client.Watch tells its commands to answer 503 meanwhile).
func Lazy(address, namespace string, logger *slog.Logger) (client.Client, error) {
	c, err := client.NewLazyClient(options(address, namespace, logger))
	if err != nil {
		return nil, fmt.Errorf("Temporal client for %s (namespace %s): %w", address, namespace, err)
	}
	return c, nil
}
