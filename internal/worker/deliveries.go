package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/outbox"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
)

// Deliveries runs queued webhook deliveries.
type Deliveries struct {
	Store       *store.Store
	Plugins     *plugin.Set
	Router      *chat.Router
	Metrics     *Metrics
	Logger      *slog.Logger
	NotifyTasks func()
}

var _ queue.Work[*store.Delivery] = (*Deliveries)(nil)

// Rows reads claimed deliveries.
func (w *Deliveries) Rows() store.QueueRows[*store.Delivery] { return store.DeliveryRows }

func (w *Deliveries) endpoint(d *store.Delivery) (*plugin.Endpoint, error) {
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
func (w *Deliveries) Policy(d *store.Delivery) sdk.RetryPolicy {
	if ep, err := w.endpoint(d); err == nil {
		return ep.Retry
	}
	return sdk.RetryPolicy{}.WithDefaults()
}

// Run calls the delivery's handler.
func (w *Deliveries) Run(ctx context.Context, job queue.Job, d *store.Delivery) queue.Outcome {
	if job.Attempt == 1 && d.ReplayOf == 0 {
		w.Metrics.wait.Observe(time.Since(d.ReceivedAt).Seconds(), queue.Deliveries)
	}
	if d.Damaged != nil {
		return queue.Outcome{Err: sdk.Cancel(d.Damaged)}
	}
	ep, err := w.endpoint(d)
	if err != nil {
		return queue.Outcome{Err: sdk.Cancel(err)}
	}
	query, _ := url.ParseQuery(d.Query)
	logger := ep.Plugin.Logger.With("request_id", d.RequestID, "delivery", d.ID, "attempt", job.Attempt, "endpoint", d.Endpoint)
	req := &sdk.Request{
		Method: d.Method, Endpoint: d.Endpoint, Path: d.Path, Query: query, Header: d.Header, Body: d.Body,
		ClientAddr: d.ClientAddr, RequestID: d.RequestID, DeliveryID: d.DeliveryID, ReceivedAt: d.ReceivedAt, Logger: logger,
	}
	ctx, ob := outbox.With(ctx)
	resp, err := plugin.Call(ctx, ep.Handler, req)
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
	write, after := effects(ob, w.Router, logger, d.ID, w.NotifyTasks)
	return queue.Outcome{ResponseStatus: status, Effects: write, AfterCommit: after}
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

// Finished records the run in metrics and logs.
func (w *Deliveries) Finished(job queue.Job, d *store.Delivery, result queue.Result, err error, took time.Duration) {
	logger := func() *slog.Logger {
		return w.Logger.With("plugin", d.Plugin, "endpoint", d.Endpoint, "delivery", d.ID)
	}
	var lastErr error
	if result != queue.ResultDone {
		if fresh, ferr := w.Store.Delivery(context.Background(), d.ID); ferr == nil {
			lastErr = errors.New(fresh.LastError)
		}
	}
	w.Metrics.finished(logger, queue.Deliveries, d.Plugin, job, result, err, took, lastErr)
}
