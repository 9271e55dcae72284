package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookpoint/hookpoint/internal/outbox"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Deliveries runs queued webhook deliveries.
type Deliveries struct {
	Plugins *plugin.Set
	Metrics *Metrics
	Logger  *slog.Logger
	// NotifyTasks wakes the task runner when a run enqueued tasks.
	NotifyTasks func()
}

var _ queue.Work[*record.Delivery] = (*Deliveries)(nil)

func (w *Deliveries) endpoint(d *record.Delivery) (*plugin.Endpoint, error) {
	inst := w.Plugins.Lookup(d.Plugin)
	if inst == nil || inst.State != plugin.StateLoaded {
		return nil, fmt.Errorf("plugin %s is not loaded", d.Plugin)
	}
	ep := inst.Endpoint(d.Endpoint)
	if ep == nil {
		return nil, fmt.Errorf("plugin %s has no endpoint %s any more", d.Plugin, d.Endpoint)
	}
	return ep, nil
}

// Policy returns the delivery's endpoint's retry policy.
func (w *Deliveries) Policy(d *record.Delivery) sdk.RetryPolicy {
	if ep, err := w.endpoint(d); err == nil {
		return ep.Retry
	}
	return sdk.RetryPolicy{}.WithDefaults()
}

// Run calls the delivery's handler.
func (w *Deliveries) Run(ctx context.Context, a record.Attempt, d *record.Delivery) queue.Outcome {
	if a.Number == 1 && d.ReplayOf == 0 {
		w.Metrics.wait.Observe(time.Since(d.ReceivedAt).Seconds(), record.QueueDeliveries)
	}
	if d.Damaged != nil {
		return queue.Outcome{Err: sdk.Cancel(d.Damaged)}
	}
	ep, err := w.endpoint(d)
	if err != nil {
		return queue.Outcome{Err: sdk.Cancel(err)}
	}
	logger := ep.Plugin.Logger.With("request_id", d.RequestID, "delivery", d.ID, "attempt", a.Number, "endpoint", d.Endpoint)
	ctx, ob := outbox.With(ctx)
	resp, err := plugin.Call(ctx, ep.Handler, plugin.NewRequest(d, nil, nil, logger))
	status := responseStatus(resp, err)
	if err == nil && status >= 300 {
		err = fmt.Errorf("handler answered %d", status)
		if status < 500 {
			err = sdk.Cancel(err)
		}
	}
	var pe *plugin.PanicError
	if errors.As(err, &pe) {
		logger.Error("handler panicked", "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	if err != nil {
		return queue.Outcome{Err: err, ResponseStatus: status}
	}
	tasks := ob.Tasks()
	for i := range tasks {
		tasks[i].Delivery = d.ID
	}
	return queue.Outcome{ResponseStatus: status, Messages: ob.Messages(), Tasks: tasks}
}

func responseStatus(resp *sdk.Response, err error) int {
	var he *sdk.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Status
	case err != nil:
		return 500
	case resp == nil || resp.Status == 0:
		return 200
	default:
		return resp.Status
	}
}

// Finished records the run in metrics and logs, and wakes the task runner
// for the tasks it enqueued.
func (w *Deliveries) Finished(d *record.Delivery, c *record.Completion, result queue.Result, err error, took time.Duration) {
	logger := func() *slog.Logger {
		return w.Logger.With("plugin", d.Plugin, "endpoint", d.Endpoint, "delivery", d.ID)
	}
	w.Metrics.finished(logger, record.QueueDeliveries, d.Plugin, c, result, err, took)
	if err == nil && len(c.Tasks) > 0 && w.NotifyTasks != nil {
		w.NotifyTasks()
	}
}
