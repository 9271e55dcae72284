package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// taskIDs hands out task ids before their tasks are stored, so that a
// task enqueued in a queued run, and written only when the run commits,
// has its id at once.
type taskIDs struct {
	mu      sync.Mutex
	last    int64  // SQLite: the last id handed out
	reserve string // PostgreSQL: the statement reserving one id
	expr    string // the id of an inserted task: the placeholder, or the sequence's next
}

// init finds where ids come from: the tasks' sequence on PostgreSQL; on
// SQLite, which serves one process, a counter from the highest id ever
// used.
func (t *taskIDs) init(ctx context.Context, db *sql.DB, d Dialect) error {
	if d == Postgres {
		var seq string
		if err := db.QueryRowContext(ctx, `SELECT pg_get_serial_sequence('tasks', 'id')`).Scan(&seq); err != nil {
			return fmt.Errorf("finding the tasks' id sequence: %w", err)
		}
		next := `nextval(` + quoteLiteral(seq) + `::regclass)`
		t.reserve, t.expr = `SELECT `+next, `COALESCE(CAST(? AS BIGINT), `+next+`)`
		return nil
	}
	t.expr = "?"
	err := db.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0),
		COALESCE((SELECT MAX(id) FROM tasks), 0))`).Scan(&t.last)
	if err != nil {
		return fmt.Errorf("reading the last task id: %w", err)
	}
	return nil
}

// ReserveTaskID returns an id for a task to be stored later with it
// (record.NewTask.ID). An id whose task is never stored is a gap.
func (s *Store) ReserveTaskID(ctx context.Context) (int64, error) {
	if s.dialect == SQLite {
		return s.taskIDs.next(), nil
	}
	var id int64
	if err := s.write.QueryRowContext(ctx, s.taskIDs.reserve).Scan(&id); err != nil {
		return 0, fmt.Errorf("reserving a task id: %w", err)
	}
	return id, nil
}

// next hands out SQLite's next task id.
func (t *taskIDs) next() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last++
	return t.last
}

// PendingTask returns the id of plugin's pending or running task of kind
// with uniqueKey, and whether there is one.
func (s *Store) PendingTask(ctx context.Context, plugin, kind, uniqueKey string) (int64, bool, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, s.Q(`SELECT id FROM tasks WHERE plugin = ? AND kind = ? AND unique_key = ? AND state IN ('pending', 'running')`),
		plugin, kind, uniqueKey).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("finding unique %s task: %w", kind, err)
	}
	return id, true, nil
}
