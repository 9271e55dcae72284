package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// TaskArgs are the arguments of a durable task; they are stored as JSON.
// Kind names the worker that runs them; it must never change once tasks
// of that kind may be stored.
type TaskArgs interface {
	Kind() string
}

// EnqueueOpts tunes one Enqueue. A nil *EnqueueOpts takes the defaults.
type EnqueueOpts struct {
	// Delay postpones the first run.
	Delay time.Duration
	// UniqueKey makes the task unique among the plugin's pending and
	// running tasks of its kind: enqueueing it again returns the existing
	// task's id.
	UniqueKey string
	// MaxAttempts overrides the worker's retry policy.
	MaxAttempts int
}

// Task is one run of a durable task, as its worker sees it.
type Task struct {
	// ID identifies the task.
	ID string
	// Kind is the task's kind.
	Kind string
	// Args holds the JSON-encoded arguments.
	Args json.RawMessage
	// Attempt counts runs, starting at 1.
	Attempt int
	// MaxAttempts is the last attempt before the task is dead-lettered.
	MaxAttempts int
	// Logger is the plugin's logger, tagged with the task.
	Logger *slog.Logger
	// Progress records a status text, shown in task listings.
	Progress func(ctx context.Context, status string) error
}

// Decode decodes the task's arguments into v.
func (t *Task) Decode(v any) error {
	if err := json.Unmarshal(t.Args, v); err != nil {
		return Cancel(fmt.Errorf("decoding %s task arguments: %w", t.Kind, err))
	}
	return nil
}

// ErrTaskCancelled is the cause (context.Cause) of a task's context when an
// operator cancels the task while it runs. Whatever the handler returns
// then, the task ends cancelled: it is not retried, and the messages it
// sent and tasks it enqueued in the run are not stored.
var ErrTaskCancelled = errors.New("task cancelled")

// Worker runs the tasks of one kind.
type Worker struct {
	// Kind is the task kind it runs.
	Kind string
	// Retry is its retry policy.
	Retry RetryPolicy
	// Timeout bounds one run. Defaults to, and cannot exceed, the
	// server's queue.handler_timeout (60s unless configured).
	Timeout time.Duration
	// Handler runs one task. A nil error completes it; Cancel fails it
	// for good; Snooze runs it again later without using an attempt; any
	// other error retries it.
	Handler func(ctx context.Context, t *Task) error
}

// RetryPolicy says how often and how fast a failed run is retried:
// exponential backoff from MinBackoff, doubling up to MaxBackoff, with
// jitter.
type RetryPolicy struct {
	// MaxAttempts counts every run; after the last, the work is
	// dead-lettered. Defaults to 12.
	MaxAttempts int
	// MinBackoff is the wait after the first failure. Defaults to 1s.
	MinBackoff time.Duration
	// MaxBackoff caps the wait. Defaults to 1h.
	MaxBackoff time.Duration
}

// WithDefaults returns the policy with zero fields set to their defaults.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 12
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = time.Second
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = time.Hour
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	return p
}

// CancelError marks a failure that retrying cannot fix.
type CancelError struct{ Err error }

func (e *CancelError) Error() string { return "cancelled: " + e.Err.Error() }
func (e *CancelError) Unwrap() error { return e.Err }

// Cancel wraps err so the run is failed for good (dead-lettered) instead
// of retried.
func Cancel(err error) error { return &CancelError{Err: err} }

// SnoozeError asks for another run after After, without using an attempt.
type SnoozeError struct{ After time.Duration }

func (e *SnoozeError) Error() string { return fmt.Sprintf("snoozed for %s", e.After) }

// Snooze returns an error that runs the work again after d without
// counting an attempt; use it to honour a rate limit's Retry-After.
func Snooze(d time.Duration) error { return &SnoozeError{After: d} }

// IsPermanent reports whether err fails a run for good: a Cancel error, or
// an HTTPError with a 4xx status.
func IsPermanent(err error) bool {
	var ce *CancelError
	if errors.As(err, &ce) {
		return true
	}
	var he *HTTPError
	return errors.As(err, &he) && he.Status >= 400 && he.Status < 500
}
