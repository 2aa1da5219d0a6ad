package worker

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"recoup/logs"
	"recoup/metrics"
)

// Observe is the worker interceptor that gives every activity attempt a
// log context (workflow id, run id, activity type: the activities' logs say
// which run they served) and counts its retries and failures in the metrics.
type Observe struct {
	interceptor.WorkerInterceptorBase
}

func (*Observe) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &observeActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type observeActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *observeActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	ctx = logs.With(ctx, logs.WorkflowID, info.WorkflowExecution.ID, logs.RunID, info.WorkflowExecution.RunID,
		"activity", info.ActivityType.Name, "attempt", info.Attempt)
	res, err := a.Next.ExecuteActivity(ctx, in)
	metrics.ActivityAttempt(info.ActivityType.Name, info.Attempt, err != nil, retryable(err))
	return res, err
}

// retryable says whether Temporal may try the attempt again: not when the
// activity said it is pointless (a non-retryable application error).
func retryable(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return !app.NonRetryable()
	}
	return err != nil
}
