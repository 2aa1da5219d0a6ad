package logs

import (
	"context"
	"log/slog"
	"time"

	"recoup/metrics"
)

// SummaryEvery is how often Summarize writes its line.
const SummaryEvery = time.Minute

// tally is what the summary line counts, read from the process's metrics.
type tally struct {
	sent, fallback, failed, skipped, duplicates float64
	tasksCreated, tasksClosed                   float64
	importRows, activityFailures                float64
	suppressed                                  float64
}

func read(log *slog.Logger) tally {
	msg := func(outcome string) float64 {
		return metrics.Value(metrics.MessagesName, map[string]string{"outcome": outcome})
	}
	return tally{
		sent: msg("sent"), fallback: msg("fallback"), failed: msg("failed"), skipped: msg("skipped"),
		duplicates:       msg(metrics.OutcomeDuplicatePrevented),
		tasksCreated:     metrics.Value(metrics.TasksCreatedName, nil),
		tasksClosed:      metrics.Value(metrics.TasksClosedName, nil),
		importRows:       metrics.Value(metrics.ImportRowsName, nil),
		activityFailures: metrics.Value(metrics.ActivityFailuresName, nil),
		suppressed:       float64(Suppressed(log)),
	}
}

func (t tally) minus(u tally) tally {
	return tally{t.sent - u.sent, t.fallback - u.fallback, t.failed - u.failed, t.skipped - u.skipped,
		t.duplicates - u.duplicates, t.tasksCreated - u.tasksCreated, t.tasksClosed - u.tasksClosed,
		t.importRows - u.importRows, t.activityFailures - u.activityFailures, t.suppressed - u.suppressed}
}

// Summarize writes, every `every` until ctx ends, one info line of what the
// process did since the previous one (messages by outcome, tasks, import
// rows, activity failures, repeated warnings not logged), and nothing when
// it did nothing: the per-action lines are at debug, this is what the
// console shows of the work. The first line counts from the process's start
// (the metrics do), so what `recoup dev` did before its banner is in it.
func Summarize(ctx context.Context, log *slog.Logger, every time.Duration) {
	var last tally
	since := "start" // the first line counts from the process's start
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := read(log)
		if summarize(log, now.minus(last), since) {
			since = every.String() + " ago"
		}
		last = now
	}
}

// summarize logs d, unless nothing happened; it says whether it did.
func summarize(log *slog.Logger, d tally, since string) bool {
	if d == (tally{}) {
		return false
	}
	log.Info("summary", "since", since, "messages_sent", int64(d.sent), "messages_fallback", int64(d.fallback),
		"messages_failed", int64(d.failed), "messages_skipped", int64(d.skipped), "duplicates_prevented", int64(d.duplicates),
		"tasks_created", int64(d.tasksCreated), "tasks_closed", int64(d.tasksClosed), "import_rows", int64(d.importRows),
		"activity_failures", int64(d.activityFailures), "repeated_warnings_not_logged", int64(d.suppressed))
	return true
}
