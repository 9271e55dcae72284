package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// Queue is a table that is its own queue — deliveries or tasks — as the
// queue runner uses it: it claims ready rows with a lease (UPDATE …
// RETURNING on SQLite, FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas
// share the work), completes runs with their effects, and rescues or
// releases the runs of a worker that stopped.
type Queue[T any] struct {
	s           *Store
	table       string
	rows        queueRows[T]
	completions *completions
}

// DeliveryQueue returns the deliveries table as a queue.
func (s *Store) DeliveryQueue() *Queue[*record.Delivery] {
	return &Queue[*record.Delivery]{s: s, table: "deliveries", rows: deliveryRows, completions: deliveryCompletions}
}

// TaskQueue returns the tasks table as a queue.
func (s *Store) TaskQueue() *Queue[*record.Task] {
	return &Queue[*record.Task]{s: s, table: "tasks", rows: taskRows, completions: taskCompletions}
}

// Name returns the table's name.
func (q *Queue[T]) Name() string { return q.table }

// OneProcess reports whether the database serves one process (SQLite):
// rows running when it starts were left by a process that stopped.
func (q *Queue[T]) OneProcess() bool { return q.s.engine.oneProcess() }

// Claim leases up to limit pending rows whose run_at has come to owner
// and returns them in id order, their attempt counted. Each limit is a
// statement of its own (see claimReady): a caller that claims often asks
// for a few sizes only. On PostgreSQL the claim and the read are one
// statement; on SQLite they share a group-committed transaction (see
// engine.claim).
func (q *Queue[T]) Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]T, error) {
	if err := q.s.health.err(); err != nil {
		return nil, fmt.Errorf("claiming %s: %w", q.table, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, q.s.writeTimeout)
	defer cancel()
	now := time.Now().UnixMicro()
	// The placeholders of the SET: owner, lease end, start time; of the
	// pick: now.
	set := []any{owner, now + lease.Microseconds(), now}
	var list []T
	err := q.s.engine.claim(ctx, q.table, limit, set, now, q.rows.selectFrom, func(rs Rows) (err error) {
		if rs == nil {
			list = nil // none claimed
			return nil
		}
		list, err = q.rows.collect(rs)
		return err
	})
	if err != nil && ctx.Err() != nil && parent.Err() == nil {
		err = q.s.health.failed(fmt.Errorf("%w: %w", errWriteTimeout, err))
	}
	if err != nil {
		return nil, fmt.Errorf("claiming %s: %w", q.table, err)
	}
	slices.SortFunc(list, func(a, b T) int { return cmp.Compare(q.rows.id(a), q.rows.id(b)) })
	return list, nil
}

// claimSet is the SET of a claim (see engine.claim); its placeholders are
// the owner, the lease's end and the start time.
const claimSet = `SET state = 'running', attempts = attempts + 1,
		lease_owner = ?, lease_until = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END`

// claimReady picks up to limit rows ready at its placeholder, in claim
// order. The limit is a literal: SQLite re-prepares a statement whose
// bound LIMIT changes.
func claimReady(limit int) string {
	return ` WHERE state = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ` + strconv.Itoa(limit)
}

// Complete records a run's outcome and, for a successful run, its
// messages and tasks, in one group-committed transaction, if c.Owner
// still holds the row's lease; otherwise it fails with
// record.ErrLeaseLost and writes nothing.
func (q *Queue[T]) Complete(ctx context.Context, c *record.Completion) error {
	if err := q.s.DoBatched(ctx, q.completions, c); err != nil {
		if SQLState(err) == leaseLost {
			err = record.ErrLeaseLost
		}
		return fmt.Errorf("completing %s %d: %w", q.table, c.Attempt.ID, err)
	}
	return nil
}

// Rescue makes running rows whose lease ends before until, and that
// owner holds (any owner, for ""), pending again: their worker crashed,
// hung or stopped. Their attempt counts: it may have run. An inline
// delivery is marked failed instead: its sender got no answer and
// redelivers it. It returns how many queued rows it made pending.
func (q *Queue[T]) Rescue(ctx context.Context, until time.Time, owner string) (int64, error) {
	var n int64
	err := q.s.Do(ctx, func(tx *Tx) error {
		now := time.Now().UnixMicro()
		cond, args := " AND lease_until < ?", []any{until.UnixMicro()}
		if owner != "" {
			cond, args = cond+" AND lease_owner = ?", append(args, owner)
		}
		queued := ""
		if q.table == "deliveries" {
			if _, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'failed', lease_owner = '', lease_until = 0, finished_at = ?,
				last_error = 'abandoned: the server stopped while handling it' WHERE state = 'running' AND mode = 'inline'`+cond,
				append([]any{now}, args...)...); err != nil {
				return err
			}
			queued = " AND mode = 'queued'"
		}
		res, err := tx.Exec(ctx, `UPDATE `+q.table+` SET state = 'pending', lease_owner = '', lease_until = 0, run_at = ?
			WHERE state = 'running'`+cond+queued, append([]any{now}, args...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rescuing %s: %w", q.table, err)
	}
	return n, nil
}

// Release makes the rows owner holds pending again at once, without
// counting the attempt, except those whose ids are in keep, and returns
// how many: for a graceful shutdown that stops runs early, for a process
// that starts again under the owner it had, and for the rows a write cut
// short by an outage may have stored held without its writer knowing.
// Inline deliveries are left to Rescue.
func (q *Queue[T]) Release(ctx context.Context, owner string, keep ...int64) (int64, error) {
	var n int64
	err := q.s.Do(ctx, func(tx *Tx) error {
		cond := ""
		if q.table == "deliveries" {
			cond = " AND mode = 'queued'"
		}
		args := []any{time.Now().UnixMicro(), owner}
		if len(keep) > 0 {
			cond += ` AND id NOT IN (?` + strings.Repeat(", ?", len(keep)-1) + `)`
			for _, id := range keep {
				args = append(args, id)
			}
		}
		res, err := tx.Exec(ctx, `UPDATE `+q.table+` SET state = 'pending', lease_owner = '', lease_until = 0,
			attempts = attempts - 1, run_at = ? WHERE state = 'running' AND lease_owner = ?`+cond, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("releasing %s: %w", q.table, err)
	}
	return n, nil
}

// CancelRequested returns the ids of owner's running tasks whose
// cancellation was asked for (see CancelTask); none for deliveries.
func (q *Queue[T]) CancelRequested(ctx context.Context, owner string) ([]int64, error) {
	if q.table != "tasks" {
		return nil, nil
	}
	rows, err := q.s.read.QueryContext(ctx, q.s.Q(`SELECT id FROM tasks WHERE state = 'running' AND lease_owner = ? AND cancel_requested = 1`), owner)
	if err != nil {
		return nil, fmt.Errorf("reading cancelled tasks: %w", err)
	}
	return IDs(rows)
}

// OldestDue returns how long the oldest pending row whose run_at has come
// has waited for a worker: 0 when none waits. It reads the index of ready
// rows, in claim order.
func (q *Queue[T]) OldestDue(ctx context.Context) (time.Duration, error) {
	now := time.Now()
	var oldest sql.NullInt64
	if err := q.s.read.QueryRowContext(ctx, q.s.Q(`SELECT MIN(run_at) FROM `+q.table+` WHERE state = 'pending' AND run_at <= ?`),
		now.UnixMicro()).Scan(&oldest); err != nil {
		return 0, fmt.Errorf("reading the oldest pending %s: %w", q.table, err)
	}
	if !oldest.Valid {
		return 0, nil
	}
	return max(0, now.Sub(time.UnixMicro(oldest.Int64))), nil
}
