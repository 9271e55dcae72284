// Package queue runs work from a database table that is its own queue
// (the transactional-outbox pattern): the deliveries table for webhook
// handlers, the tasks table for background tasks. Workers claim batches
// with a lease (UPDATE ... RETURNING on SQLite, FOR UPDATE SKIP LOCKED on
// PostgreSQL, so replicas share the work), complete each run together with
// its effects in one group-committed transaction, retry by run_at with
// exponential backoff, rescue expired leases after a crash and dead-letter
// after the last attempt.
package queue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
)

// Tables that are queues. Both have the columns id, state, attempts,
// max_attempts, run_at, lease_owner, lease_until, last_error, started_at
// and finished_at.
const (
	Deliveries = "deliveries"
	Tasks      = "tasks"
)

// Job is a claimed row.
type Job struct {
	ID          int64
	Attempt     int
	MaxAttempts int
	// Started is when the run began; Complete records it as the row's
	// first start if the claim did not (a row stored held). Zero means
	// when Complete is called.
	Started time.Time
}

// ErrLeaseLost means a run finished after its lease was taken over; its
// outcome and effects were dropped.
var ErrLeaseLost = errors.New("lease lost")

// Claimed is a claimed row and its job.
type Claimed[T any] struct {
	Job Job
	Row T
}

// jobRows reads no more of a claimed row than its job.
var jobRows = store.NewQueueRows(
	func(rel string) string { return `SELECT id, attempts, max_attempts FROM ` + rel },
	func(sc store.Scanner) (Job, error) {
		var j Job
		err := sc.Scan(&j.ID, &j.Attempt, &j.MaxAttempts)
		return j, err
	},
	func(j Job) (int64, int, int) { return j.ID, j.Attempt, j.MaxAttempts })

// Claim leases up to limit pending rows whose run_at has come.
func Claim(ctx context.Context, s *store.Store, table, owner string, limit int, lease time.Duration) ([]Job, error) {
	claimed, err := ClaimRows(ctx, s, table, owner, limit, lease, jobRows)
	jobs := make([]Job, len(claimed))
	for i, c := range claimed {
		jobs[i] = c.Job
	}
	return jobs, err
}

// ClaimRows is Claim, reading the claimed rows with rows; they come in id
// order. On PostgreSQL the claim and the read are one statement, committed
// on its own: one round trip. On SQLite they share a group-committed
// transaction, in which the write connection's page cache holds the rows
// just written, where a read connection would read them back from the
// file.
func ClaimRows[T any](ctx context.Context, s *store.Store, table, owner string, limit int, lease time.Duration, rows store.QueueRows[T]) ([]Claimed[T], error) {
	now := time.Now().UnixMicro()
	// The placeholders of the SET: owner, lease end, start time; of the
	// pick: now.
	set := []any{owner, now + lease.Microseconds(), now}
	var list []T
	var err error
	if s.Dialect() == store.Postgres {
		err = s.QueryAlone(ctx, func(rs store.Rows) error {
			var err error
			list, err = rows.Collect(rs)
			return err
		}, claimSQL(store.Postgres, table, limit)+` `+rows.Select("claimed"), append([]any{now}, set...)...)
	} else {
		err = s.Do(ctx, func(tx *store.Tx) error {
			rs, err := tx.Query(ctx, claimSQL(store.SQLite, table, limit), append(set, now)...)
			if err != nil {
				return err
			}
			ids, err := store.IDs(rs)
			if err != nil {
				return err
			}
			list, err = rows.ByID(ctx, tx, table, ids)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("claiming %s: %w", table, err)
	}
	out := make([]Claimed[T], len(list))
	for i, row := range list {
		out[i] = Claimed[T]{jobOf(rows, row), row}
	}
	slices.SortFunc(out, func(a, b Claimed[T]) int { return cmp.Compare(a.Job.ID, b.Job.ID) })
	return out, nil
}

// jobOf returns the job of a row that rows reads.
func jobOf[T any](rows store.QueueRows[T], row T) Job {
	id, attempts, maxAttempts := rows.Job(row)
	return Job{ID: id, Attempt: attempts, MaxAttempts: maxAttempts}
}

// claimSQL leases up to limit ready rows of table. On SQLite it returns
// their ids; on PostgreSQL it is a WITH that names the claimed rows
// "claimed", for a SELECT to follow. The limit is a literal: SQLite
// re-prepares a statement whose bound LIMIT changes (the Runner asks for
// powers of two, so a few statements serve it).
func claimSQL(d store.Dialect, table string, limit int) string {
	set := `SET state = 'running', attempts = attempts + 1,
		lease_owner = ?, lease_until = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END`
	ready := ` WHERE state = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ` + strconv.Itoa(limit)
	if d == store.SQLite {
		// SQLite's planner, without statistics, prefers the state index
		// and sorts the whole backlog; the partial index on ready rows is
		// already in claim order.
		return `UPDATE ` + table + ` ` + set + ` WHERE id IN (SELECT id FROM ` + table + ` INDEXED BY ` + table + `_ready` + ready + `) RETURNING id`
	}
	// The rows are picked once, in a WITH of their own (one with a
	// locking clause is always materialised). Written as id IN (SELECT
	// ...), the planner may run the subquery again for every row it
	// scans: with one more condition on the UPDATE it chose a sequential
	// scan with the pick inside, each run locking more rows (SKIP LOCKED
	// takes the next ones), and a claim took seconds while completions
	// waited for its locks.
	return `WITH picked AS (SELECT id FROM ` + table + ready + ` FOR UPDATE SKIP LOCKED),
		claimed AS (UPDATE ` + table + ` ` + set + ` FROM picked WHERE ` + table + `.id = picked.id RETURNING ` + table + `.*)`
}

// Outcome is the result of one run.
type Outcome struct {
	// Err is nil for success. sdk.Cancel errors and 4xx sdk.HTTPErrors
	// dead-letter at once; sdk.Snooze errors run again later without
	// using an attempt; other errors retry with backoff.
	Err error
	// Effects writes what the run produced (messages, tasks); it runs in
	// the completion transaction, and only on success.
	Effects func(ctx context.Context, tx *store.Tx) error
	// ResponseStatus is recorded for deliveries.
	ResponseStatus int
	// AfterCommit runs after a successful completion committed, for
	// effects that cannot join the transaction.
	AfterCommit func(ctx context.Context)
}

// Result is where a run ended up.
type Result string

// The results of Complete.
const (
	ResultDone    Result = "done"
	ResultRetry   Result = "retry"
	ResultSnoozed Result = "snoozed"
	ResultDead    Result = "dead"
)

// Complete records a run's outcome and effects in one group-committed
// transaction, if owner still holds the job's lease. The completions of a
// transaction are written together (see completions).
func Complete(ctx context.Context, s *store.Store, table, owner string, job Job, o Outcome, policy sdk.RetryPolicy) (Result, error) {
	now := time.Now()
	result, state, runAt, attemptsDelta, errText := decide(job, o, policy, now)
	c := &completion{id: job.ID, owner: owner, state: state, runAt: runAt.UnixMicro(), attemptsDelta: attemptsDelta,
		lastError: errText, finishedAt: finishedAt(state, now), responseStatus: o.ResponseStatus}
	c.startedAt = now.UnixMicro()
	if !job.Started.IsZero() {
		c.startedAt = job.Started.UnixMicro()
	}
	if state == store.StateDone {
		c.effects = o.Effects
	}
	if err := s.DoBatched(ctx, completionsOf(table), c); err != nil {
		if store.SQLState(err) == leaseLost {
			err = ErrLeaseLost
		}
		return "", fmt.Errorf("completing %s %d: %w", table, job.ID, err)
	}
	return result, nil
}

func finishedAt(state string, now time.Time) int64 {
	if state == store.StatePending {
		return 0
	}
	return now.UnixMicro()
}

func decide(job Job, o Outcome, policy sdk.RetryPolicy, now time.Time) (Result, string, time.Time, int, string) {
	if o.Err == nil {
		return ResultDone, store.StateDone, now, 0, ""
	}
	msg := o.Err.Error()
	if len(msg) > 4000 {
		msg = msg[:4000] + "…"
	}
	var snooze *sdk.SnoozeError
	if errors.As(o.Err, &snooze) {
		return ResultSnoozed, store.StatePending, now.Add(snooze.After), -1, msg
	}
	if sdk.IsPermanent(o.Err) || job.Attempt >= job.MaxAttempts {
		return ResultDead, store.StateDead, now, 0, msg
	}
	return ResultRetry, store.StatePending, now.Add(Backoff(policy, job.Attempt)), 0, msg
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

// Rescue makes rows whose lease expired pending again (their worker
// crashed or hung) and returns how many. An inline delivery whose server
// stopped mid-request is marked failed instead: its sender got no answer
// and redelivers it.
// With all set, every running row is rescued, leased or not: for a SQLite
// database at start-up, which no other process uses.
func Rescue(ctx context.Context, s *store.Store, table string, all bool) (int64, error) {
	var n int64
	err := s.Do(ctx, func(tx *store.Tx) error {
		now := time.Now().UnixMicro()
		if all {
			now = 1 << 62
		}
		inline := ""
		if table == Deliveries {
			if _, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'failed', lease_owner = '', lease_until = 0, finished_at = ?,
				last_error = 'abandoned: the server stopped while handling it' WHERE state = 'running' AND mode = 'inline' AND lease_until < ?`,
				time.Now().UnixMicro(), now); err != nil {
				return err
			}
			inline = " AND mode = 'queued'"
		}
		res, err := tx.Exec(ctx, `UPDATE `+table+` SET state = 'pending', lease_owner = '', lease_until = 0, run_at = ?
			WHERE state = 'running' AND lease_until < ?`+inline, time.Now().UnixMicro(), now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rescuing %s: %w", table, err)
	}
	return n, nil
}

// Release makes the rows owner holds pending again at once, without
// counting the attempt: for a graceful shutdown that stops runs early.
func Release(ctx context.Context, s *store.Store, table, owner string) (int64, error) {
	var n int64
	err := s.Do(ctx, func(tx *store.Tx) error {
		inline := ""
		if table == Deliveries {
			inline = " AND mode = 'queued'"
		}
		res, err := tx.Exec(ctx, `UPDATE `+table+` SET state = 'pending', lease_owner = '', lease_until = 0,
			attempts = attempts - 1, run_at = ? WHERE state = 'running' AND lease_owner = ?`+inline, time.Now().UnixMicro(), owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("releasing %s: %w", table, err)
	}
	return n, nil
}
