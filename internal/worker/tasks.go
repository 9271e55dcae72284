package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/outbox"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
)

// Tasks runs durable background tasks.
type Tasks struct {
	Store   *store.Store
	Plugins *plugin.Set
	Router  *chat.Router
	Metrics *Metrics
	Logger  *slog.Logger
	// Notify wakes the task runner when a task enqueues others.
	Notify func()
}

var _ queue.Work[*store.Task] = (*Tasks)(nil)

// Rows reads claimed tasks.
func (w *Tasks) Rows() store.QueueRows[*store.Task] { return store.TaskRows }

func (w *Tasks) worker(t *store.Task) (*plugin.Instance, *plugin.WorkerSpec, error) {
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
func (w *Tasks) Policy(t *store.Task) sdk.RetryPolicy {
	if _, spec, err := w.worker(t); err == nil {
		return spec.Policy
	}
	return sdk.RetryPolicy{}.WithDefaults()
}

// Run calls the task's worker.
func (w *Tasks) Run(ctx context.Context, job queue.Job, t *store.Task) queue.Outcome {
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
	logger := inst.Logger.With("task", t.Kind, "task_id", id, "attempt", job.Attempt)
	st := &sdk.Task{
		ID: id, Kind: t.Kind, Args: t.Args, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts, Logger: logger,
		Progress: func(ctx context.Context, status string) error { return w.Store.SetTaskProgress(ctx, t.ID, status) },
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
	write, after := effects(ob, w.Router, logger, 0, w.Notify)
	return queue.Outcome{Effects: write, AfterCommit: after}
}

// Finished records the run in metrics and logs.
func (w *Tasks) Finished(job queue.Job, t *store.Task, result queue.Result, err error, took time.Duration) {
	logger := func() *slog.Logger { return w.Logger.With("plugin", t.Plugin, "task", t.Kind, "task_id", t.ID) }
	var lastErr error
	if result != queue.ResultDone {
		if fresh, ferr := w.Store.Task(context.Background(), t.ID); ferr == nil {
			lastErr = errors.New(fresh.LastError)
		}
	}
	w.Metrics.finished(logger, queue.Tasks, t.Plugin, job, result, err, took, lastErr)
}
