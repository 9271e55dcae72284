// Package queue runs work from a database table that is its own queue
// (the transactional-outbox pattern): the deliveries table for webhook
// handlers, the tasks table for background tasks. A Runner claims ready
// rows with a lease, runs them, completes each run together with its
// effects, retries with exponential backoff, rescues the runs of workers
// that stopped and dead-letters after the last attempt. The SQL is the
// store's: the runner sees a table through the Table interface.
package queue

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Table is a queue table; the store's Queue implements it for deliveries
// and tasks.
type Table[T any] interface {
	// Name names the table in logs.
	Name() string
	// OneProcess reports whether no other process uses the table, so
	// that rows running at start-up were left by one that stopped.
	OneProcess() bool
	// Claim leases up to limit ready rows to owner, their attempt counted.
	Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]T, error)
	// Complete records a run's end if its owner still holds the lease,
	// else fails with record.ErrLeaseLost.
	Complete(ctx context.Context, c *record.Completion) error
	// Rescue makes running rows whose lease ends before until, and that
	// owner holds (any, for ""), pending again.
	Rescue(ctx context.Context, until time.Time, owner string) (int64, error)
	// Release makes owner's running rows pending again, their attempt
	// given back, but for those whose ids are in keep.
	Release(ctx context.Context, owner string, keep ...int64) (int64, error)
	// CancelRequested returns the ids of owner's running rows whose
	// cancellation an operator asked for.
	CancelRequested(ctx context.Context, owner string) ([]int64, error)
}

// Row is a row of a queue table as a run sees it.
type Row interface {
	// Attempt returns the run that the row's attempts count.
	Attempt() record.Attempt
}

// Outcome is the result of one run.
type Outcome struct {
	// Err is nil for success. sdk.Cancel errors and 4xx sdk.HTTPErrors
	// dead-letter at once; sdk.Snooze errors run again later without
	// using an attempt; other errors retry with backoff.
	Err error
	// ResponseStatus is recorded for deliveries.
	ResponseStatus int
	// Messages and Tasks are what a successful run sent and enqueued:
	// they are written in the transaction that records its success.
	Messages []record.Message
	Tasks    []record.NewTask
}

// Result is where a run ended up.
type Result string

// The results of a run.
const (
	ResultDone    Result = "done"
	ResultRetry   Result = "retry"
	ResultSnoozed Result = "snoozed"
	ResultDead    Result = "dead"
	// ResultCancelled: an operator cancelled the run (sdk.ErrTaskCancelled).
	ResultCancelled Result = "cancelled"
)

// Decide turns a run's outcome into the completion that records it, under
// policy, and says where the run ended up.
func Decide(a record.Attempt, owner string, o Outcome, policy sdk.RetryPolicy, now time.Time) (*record.Completion, Result) {
	c := &record.Completion{Attempt: a, Owner: owner, ResponseStatus: o.ResponseStatus, RunAt: now, FinishedAt: now}
	if c.Attempt.Started.IsZero() {
		c.Attempt.Started = now
	}
	if o.Err == nil {
		c.State, c.Messages, c.Tasks = record.StateDone, o.Messages, o.Tasks
		return c, ResultDone
	}
	c.LastError = o.Err.Error()
	if len(c.LastError) > 4000 {
		c.LastError = c.LastError[:4000] + "…"
	}
	var snooze *sdk.SnoozeError
	switch {
	case errors.Is(o.Err, sdk.ErrTaskCancelled):
		c.State = record.StateCancelled
		return c, ResultCancelled
	case errors.As(o.Err, &snooze):
		c.State, c.RunAt, c.AttemptsDelta, c.FinishedAt = record.StatePending, now.Add(snooze.After), -1, time.Time{}
		return c, ResultSnoozed
	case sdk.IsPermanent(o.Err) || a.Number >= a.Max:
		c.State = record.StateDead
		return c, ResultDead
	default:
		c.State, c.RunAt, c.FinishedAt = record.StatePending, now.Add(Backoff(policy, a.Number)), time.Time{}
		return c, ResultRetry
	}
}

// Backoff is the wait before the run after attempt: MinBackoff doubled per
// attempt, capped at MaxBackoff, with ±20% jitter.
func Backoff(p sdk.RetryPolicy, attempt int) time.Duration {
	p = p.WithDefaults()
	d := p.MinBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
