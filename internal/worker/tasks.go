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

// Tasks runs durable background tasks.
type Tasks struct {
	Plugins *plugin.Set
	Metrics *Metrics
	Logger  *slog.Logger
	// Progress records a running task's progress text.
	Progress func(ctx context.Context, id int64, status string) error
	// Notify wakes the task runner when a task enqueues others.
	Notify func()
}

var _ queue.Work[*record.Task] = (*Tasks)(nil)

func (w *Tasks) worker(t *record.Task) (*plugin.Instance, *plugin.WorkerSpec, error) {
	inst := w.Plugins.Lookup(t.Plugin)
	if inst == nil || inst.State != plugin.StateLoaded {
		return nil, nil, fmt.Errorf("plugin %s is not loaded", t.Plugin)
	}
	spec := inst.Worker(t.Kind)
	if spec == nil {
		return nil, nil, fmt.Errorf("plugin %s has no worker for %s tasks", t.Plugin, t.Kind)
	}
	return inst, spec, nil
}

// Policy returns the task's worker's retry policy.
func (w *Tasks) Policy(t *record.Task) sdk.RetryPolicy {
	if _, spec, err := w.worker(t); err == nil {
		return spec.Policy
	}
	return sdk.RetryPolicy{}.WithDefaults()
}

// Run calls the task's worker.
func (w *Tasks) Run(ctx context.Context, a record.Attempt, t *record.Task) queue.Outcome {
	inst, spec, err := w.worker(t)
	if err != nil {
		return queue.Outcome{Err: sdk.Cancel(err)}
	}
	if spec.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, spec.Timeout)
		defer cancel()
	}
	id := itoa(t.ID)
	logger := inst.Logger.With("task", t.Kind, "task_id", id, "attempt", a.Number)
	st := &sdk.Task{
		ID: id, Kind: t.Kind, Args: t.Args, Attempt: a.Number, MaxAttempts: a.Max, Logger: logger,
		Progress: func(ctx context.Context, status string) error { return w.Progress(ctx, t.ID, status) },
	}
	ctx, ob := outbox.With(ctx)
	err = plugin.CallTask(ctx, spec, st)
	var pe *plugin.PanicError
	if errors.As(err, &pe) {
		logger.Error("task panicked", "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	if err != nil {
		return queue.Outcome{Err: err}
	}
	return queue.Outcome{Messages: ob.Messages(), Tasks: ob.Tasks()}
}

// Finished records the run in metrics and logs, and wakes the task runner
// for the tasks it enqueued.
func (w *Tasks) Finished(t *record.Task, c *record.Completion, result queue.Result, err error, took time.Duration) {
	logger := func() *slog.Logger { return w.Logger.With("plugin", t.Plugin, "task", t.Kind, "task_id", t.ID) }
	w.Metrics.finished(logger, record.QueueTasks, t.Plugin, c, result, err, took)
	if err == nil && len(c.Tasks) > 0 && w.Notify != nil {
		w.Notify()
	}
}
