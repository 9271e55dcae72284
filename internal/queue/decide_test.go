package queue_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Decide turns each kind of outcome into the completion the store
// records: success with its effects, retries with backoff, dead letters
// and snoozes, effects dropped whenever the run failed.
func TestDecide(t *testing.T) {
	t.Parallel()
	now := time.Now()
	msgs := []record.Message{{ChatKey: "inbox-q", Text: "m"}}
	policy := sdk.RetryPolicy{MinBackoff: time.Minute, MaxBackoff: time.Hour}
	for _, tc := range []struct {
		name    string
		number  int
		err     error
		result  queue.Result
		state   record.State
		minWait time.Duration // how far RunAt is at least
		delta   int
	}{
		{"success", 1, nil, queue.ResultDone, record.StateDone, 0, 0},
		{"transient", 1, errors.New("boom"), queue.ResultRetry, record.StatePending, 48 * time.Second, 0},
		{"transient, third attempt", 3, errors.New("boom"), queue.ResultRetry, record.StatePending, 192 * time.Second, 0},
		{"last attempt", 5, errors.New("boom"), queue.ResultDead, record.StateDead, 0, 0},
		{"cancel", 1, sdk.Cancel(errors.New("bad payload")), queue.ResultDead, record.StateDead, 0, 0},
		{"4xx", 1, sdk.Error(400, "bad"), queue.ResultDead, record.StateDead, 0, 0},
		{"5xx", 1, sdk.Error(503, "later"), queue.ResultRetry, record.StatePending, 48 * time.Second, 0},
		{"snooze", 2, sdk.Snooze(time.Hour), queue.ResultSnoozed, record.StatePending, time.Hour, -1},
	} {
		a := record.Attempt{ID: 7, Number: tc.number, Max: 5, Started: now.Add(-time.Second)}
		c, result := queue.Decide(a, "me", queue.Outcome{Err: tc.err, Messages: msgs, ResponseStatus: 201}, policy, now)
		if result != tc.result || c.State != tc.state || c.AttemptsDelta != tc.delta || c.Owner != "me" || c.Attempt != a || c.ResponseStatus != 201 {
			t.Errorf("%s: %v, %+v", tc.name, result, c)
		}
		if c.RunAt.Sub(now) < tc.minWait {
			t.Errorf("%s: runs again in %v, want at least %v", tc.name, c.RunAt.Sub(now), tc.minWait)
		}
		if (len(c.Messages) > 0) != (tc.err == nil) {
			t.Errorf("%s: messages %v; a run's effects are kept on success only", tc.name, c.Messages)
		}
		if (c.LastError == "") != (tc.err == nil) || c.FinishedAt.IsZero() != (tc.state == record.StatePending) {
			t.Errorf("%s: last error %q, finished %v", tc.name, c.LastError, c.FinishedAt)
		}
	}
}
