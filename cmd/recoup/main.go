// Command recoup is Recoup's one binary: dev, api, worker, migrate, import, demo.
// It only wires packages together; each subcommand's work lives in a package.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"recoup/config"
	"recoup/logs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "recoup:", err)
		os.Exit(exitCode(err))
	}
}

func newRoot() *cobra.Command {
	cfg := config.Load()
	root := &cobra.Command{
		Use:           "recoup",
		Short:         "Recoup, an open-source collections engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(devCmd(cfg), apiCmd(cfg), probeCmd(), workerCmd(cfg), migrateCmd(cfg), importCmd(cfg), demoCmd(cfg), auditCmd(cfg),
		userCmd(cfg), tokenCmd(cfg), forecastCmd(cfg))
	return root
}

// bind adds the command's settings as flags (overriding the environment) and
// the log level and format flags to every command.
func bind(cmd *cobra.Command, cfg *config.Config, envs ...string) *cobra.Command {
	cfg.Bind(cmd.Flags(), append(envs, "RECOUP_LOG_LEVEL", "RECOUP_LOG_FORMAT")...)
	return cmd
}

func newLogger(cfg *config.Config) (*slog.Logger, error) {
	log, err := logs.New(os.Stderr, logs.Options{Format: cfg.LogFormat, Level: cfg.LogLevel})
	if err != nil {
		return nil, err
	}
	slog.SetDefault(log) // the few package-level slog calls (the Twilio webhooks) write the same lines
	return log, nil
}

// rejectedError makes `recoup import` exit with status 2 when rows were rejected,
// so scripts notice without parsing the report.
type rejectedError struct{ n int64 }

func (e rejectedError) Error() string { return fmt.Sprintf("%d rows rejected", e.n) }

func exitCode(err error) int {
	if _, ok := err.(rejectedError); ok {
		return 2
	}
	return 1
}
