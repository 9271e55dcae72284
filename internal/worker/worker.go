// Package worker runs queued webhook deliveries and durable tasks: it
// implements queue.Work for both tables, calling the plugins' handlers and
// committing what they send and enqueue with their success.
package worker

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/outbox"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/store"
)

// txSender is a chat adapter that can write a message inside the
// completion transaction (the inbox).
type txSender interface {
	SendTx(ctx context.Context, tx *store.Tx, out *chat.Outgoing) error
}

// Metrics are the worker counters and histograms.
type Metrics struct {
	runs     *metrics.CounterVec
	dead     *metrics.CounterVec
	duration *metrics.HistogramVec
	wait     *metrics.HistogramVec
}

// NewMetrics registers the worker metrics.
func NewMetrics(r *metrics.Registry) *Metrics {
	return &Metrics{
		runs:     r.Counter("hookpoint_queue_attempts_total", "Runs of queued handlers and tasks, by queue, plugin and result.", "queue", "plugin", "result"),
		dead:     r.Counter("hookpoint_queue_dead_letters_total", "Deliveries and tasks dead-lettered, by queue and plugin.", "queue", "plugin"),
		duration: r.Histogram("hookpoint_handler_duration_seconds", "Run time of queued handlers and tasks.", metrics.DefaultBuckets, "queue", "plugin"),
		wait:     r.Histogram("hookpoint_queue_wait_seconds", "Time from acknowledgement to the first handler start.", metrics.DefaultBuckets, "queue"),
	}
}

// finished counts a run; logger, called only for a run that went wrong,
// returns the logger that says so.
func (m *Metrics) finished(logger func() *slog.Logger, table, plugin string, job queue.Job, result queue.Result, err error, took time.Duration, lastErr error) {
	if err != nil {
		logger().Error("recording the outcome of a run", "err", err)
		m.runs.Inc(table, plugin, "error")
		return
	}
	m.runs.Inc(table, plugin, string(result))
	m.duration.Observe(took.Seconds(), table, plugin)
	switch result {
	case queue.ResultDead:
		m.dead.Inc(table, plugin)
		logger().Error("dead-lettered", "attempt", job.Attempt, "err", lastErr)
	case queue.ResultRetry:
		logger().Warn("run failed; will retry", "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "err", lastErr)
	}
}

// effects returns the function that writes a run's outbox inside the
// completion transaction, and the sends that must wait for the commit.
func effects(ob *outbox.Outbox, router *chat.Router, logger *slog.Logger, delivery int64, notifyTasks func()) (func(context.Context, *store.Tx) error, func(context.Context)) {
	msgs, tasks := ob.Messages(), ob.Tasks()
	if len(msgs) == 0 && len(tasks) == 0 {
		return nil, nil
	}
	var later []*chat.Outgoing
	write := func(ctx context.Context, tx *store.Tx) error {
		later = later[:0]
		for _, m := range msgs {
			if ts, ok := router.Adapter(m).(txSender); ok {
				if err := ts.SendTx(ctx, tx, m); err != nil {
					return err
				}
				continue
			}
			later = append(later, m)
		}
		for _, t := range tasks {
			if delivery != 0 {
				t.Delivery = delivery
			}
			if _, _, err := store.EnqueueTx(ctx, tx, t); err != nil {
				return err
			}
		}
		return nil
	}
	after := func(ctx context.Context) {
		for _, m := range later {
			if err := router.Deliver(ctx, m); err != nil {
				logger.Error("sending a message after commit", "chat_key", m.Key.String(), "err", err)
			}
		}
		if len(tasks) > 0 && notifyTasks != nil {
			notifyTasks()
		}
	}
	return write, after
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
