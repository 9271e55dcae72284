package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ReserveTaskID returns an id for a task to be stored later with it
// (record.NewTask.ID), so that a task enqueued in a queued run, and
// written only when the run commits, has its id at once. An id whose task
// is never stored is a gap.
func (s *Store) ReserveTaskID(ctx context.Context) (int64, error) {
	id, err := s.engine.reserveTaskID(ctx)
	if err != nil {
		return 0, fmt.Errorf("reserving a task id: %w", err)
	}
	return id, nil
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
