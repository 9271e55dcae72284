package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// EnqueueTx inserts a task inside tx, with the id t.ID reserved for it if
// set. A task with the same plugin, kind and unique key still pending or
// running is not inserted again: its id is returned with existed set.
func EnqueueTx(ctx context.Context, tx *Tx, t record.NewTask) (id int64, existed bool, err error) {
	var unique, delivery any
	if t.UniqueKey != "" {
		unique = t.UniqueKey
	}
	if t.Delivery != 0 {
		delivery = t.Delivery
	}
	now := time.Now()
	runAt := t.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	idExpr, given := tx.s.engine.taskID(t.ID)
	err = tx.QueryRow(ctx, `INSERT INTO tasks (id, plugin, kind, args, unique_key, state, max_attempts, run_at, delivery, created_at)
		VALUES (`+idExpr+`, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
		ON CONFLICT (plugin, kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running') DO NOTHING
		RETURNING id`, given, t.Plugin, t.Kind, t.Args, unique, t.MaxAttempts, runAt.UnixMicro(), delivery, now.UnixMicro()).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("enqueueing %s task: %w", t.Kind, err)
	}
	err = tx.QueryRow(ctx, `SELECT id FROM tasks WHERE plugin = ? AND kind = ? AND unique_key = ? AND state IN ('pending', 'running')`,
		t.Plugin, t.Kind, t.UniqueKey).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("finding unique %s task: %w", t.Kind, err)
	}
	return id, true, nil
}

// Enqueue inserts a task, group-committed; see EnqueueTx.
func (s *Store) Enqueue(ctx context.Context, t record.NewTask) (id int64, existed bool, err error) {
	err = s.Do(ctx, func(tx *Tx) error {
		var err error
		id, existed, err = EnqueueTx(ctx, tx, t)
		return err
	})
	return id, existed, err
}

const taskColumns = `id, plugin, kind, args, COALESCE(unique_key, ''), state, attempts, max_attempts, run_at, last_error,
	progress, COALESCE(delivery, 0), created_at, started_at, finished_at`

func scanTask(sc Scanner) (*record.Task, error) {
	var t record.Task
	var runAt, created, started, finished int64
	if err := sc.Scan(&t.ID, &t.Plugin, &t.Kind, &t.Args, &t.UniqueKey, &t.State, &t.Attempts, &t.MaxAttempts,
		&runAt, &t.LastError, &t.Progress, &t.Delivery, &created, &started, &finished); err != nil {
		return nil, err
	}
	t.RunAt = time.UnixMicro(runAt).UTC()
	t.CreatedAt = time.UnixMicro(created).UTC()
	t.StartedAt = optionalTime(started)
	t.FinishedAt = optionalTime(finished)
	return &t, nil
}

// Task returns one task.
func (s *Store) Task(ctx context.Context, id int64) (*record.Task, error) {
	t, err := scanTask(s.read.QueryRowContext(ctx, s.Q(`SELECT `+taskColumns+` FROM tasks WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading task %d: %w", id, err)
	}
	return t, nil
}

// Tasks lists tasks newest first.
func (s *Store) Tasks(ctx context.Context, f record.TaskFilter) ([]*record.Task, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var conds []string
	var args []any
	for _, c := range []struct {
		col string
		v   string
	}{{"plugin", f.Plugin}, {"kind", f.Kind}, {"state", string(f.State)}} {
		if c.v != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.Before > 0 {
		conds = append(conds, "id < ?")
		args = append(args, f.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.read.QueryContext(ctx, s.Q(`SELECT `+taskColumns+` FROM tasks`+where+` ORDER BY id DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing tasks: %w", err)
	}
	out, err := collect(rows, scanTask)
	if err != nil {
		return nil, fmt.Errorf("listing tasks: %w", err)
	}
	return out, nil
}

// CancelTask cancels plugin's task id (any plugin's, for ""): a pending
// one at once; a running one is marked for its runner to cancel. It
// returns what it did.
func (s *Store) CancelTask(ctx context.Context, plugin string, id int64) (record.Cancel, error) {
	var out record.Cancel
	err := s.Do(ctx, func(tx *Tx) error {
		var state record.State
		err := tx.QueryRow(ctx, `SELECT state FROM tasks WHERE id = ? AND (plugin = ? OR ? = '')`, id, plugin, plugin).Scan(&state)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			out = record.CancelNotFound
			return nil
		case err != nil:
			return err
		case state == record.StatePending:
			out = record.Cancelled
			_, err = tx.Exec(ctx, `UPDATE tasks SET state = 'cancelled', finished_at = ? WHERE id = ?`, time.Now().UnixMicro(), id)
		case state == record.StateRunning:
			out = record.CancelRequested
			_, err = tx.Exec(ctx, `UPDATE tasks SET cancel_requested = 1 WHERE id = ?`, id)
		default:
			out = record.CancelFinished
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cancelling task %d: %w", id, err)
	}
	return out, nil
}

// SetTaskProgress records a running task's progress text.
func (s *Store) SetTaskProgress(ctx context.Context, id int64, progress string) error {
	err := s.Do(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tasks SET progress = ? WHERE id = ?`, progress, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording progress of task %d: %w", id, err)
	}
	return nil
}

// CountTasks counts tasks by state.
func (s *Store) CountTasks(ctx context.Context) (map[record.State]int64, error) {
	return s.countByState(ctx, "tasks")
}

// PruneTasks deletes finished tasks created before cutoff.
func (s *Store) PruneTasks(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := s.prune(ctx, "tasks", "", `state IN ('done', 'dead', 'cancelled') AND created_at < ?`, cutoff.UnixMicro())
	if err != nil {
		return n, fmt.Errorf("pruning tasks: %w", err)
	}
	return n, nil
}
