// Package worker runs queued webhook deliveries and durable tasks: it
// implements queue.Work for both tables, calling the plugins' handlers and
// handing what they send and enqueue to the completion that records their
// success.
package worker

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
)

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
func (m *Metrics) finished(logger func() *slog.Logger, table, plugin string, c *record.Completion, result queue.Result, err error, took time.Duration) {
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
		logger().Error("dead-lettered", "attempt", c.Attempt.Number, "err", c.LastError)
	case queue.ResultRetry:
		logger().Warn("run failed; will retry", "attempt", c.Attempt.Number, "max_attempts", c.Attempt.Max, "err", c.LastError)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
