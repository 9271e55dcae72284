package queue

import (
	"context"
	"fmt"

	"github.com/hookpoint/hookpoint/internal/store"
)

// completion is one Complete waiting in a group commit.
type completion struct {
	id             int64
	owner          string
	state          string
	runAt          int64
	attemptsDelta  int
	lastError      string
	finishedAt     int64
	responseStatus int
	effects        func(ctx context.Context, tx *store.Tx) error
}

// completions is the store.Batch of one table's completions: their rows
// are updated by a few multi-row statements (chunks of store.Chunk sizes),
// then each successful run's effects are written.
type completions struct {
	table string
	sql   *store.MultiRowSQL
}

var (
	deliveryCompletions = &completions{Deliveries, completeSQL(Deliveries)}
	taskCompletions     = &completions{Tasks, completeSQL(Tasks)}
)

func completionsOf(table string) *completions {
	if table == Deliveries {
		return deliveryCompletions
	}
	return taskCompletions
}

// Run updates the rows of items, failing with ErrLeaseLost if a row's
// lease was taken over (the committer then runs each completion alone, so
// that only that one fails), and writes the effects of successful runs.
func (c *completions) Run(ctx context.Context, tx *store.Tx, items []any) error {
	done := make(map[int64]bool, len(items))
	if err := store.EachChunk(items, func(chunk []any) error {
		args := make([]any, 0, 8*len(chunk))
		for _, it := range chunk {
			cp := it.(*completion)
			args = append(args, cp.id, cp.owner, cp.state, cp.runAt, cp.attemptsDelta, cp.lastError, cp.finishedAt, cp.responseStatus)
		}
		rows, err := tx.Query(ctx, c.sql.For(len(chunk)), args...)
		if err != nil {
			return err
		}
		ids, err := store.IDs(rows)
		for _, id := range ids {
			done[id] = true
		}
		return err
	}); err != nil {
		return err
	}
	for _, it := range items {
		cp := it.(*completion)
		if !done[cp.id] {
			return fmt.Errorf("%s %d: %w", c.table, cp.id, ErrLeaseLost)
		}
	}
	for _, it := range items {
		if cp := it.(*completion); cp.effects != nil {
			if err := cp.effects(ctx, tx); err != nil {
				return err
			}
		}
	}
	return nil
}

// completeSQL returns the statement completing n rows of table that
// their lease owner still holds; it returns their ids.
func completeSQL(table string) *store.MultiRowSQL {
	return store.NewMultiRowSQL(func(n int) string {
		row := "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER))"
		set := `state = v.state, run_at = v.run_at, attempts = attempts + v.delta, last_error = v.last_error,
		lease_owner = '', lease_until = 0, finished_at = v.finished_at`
		if table == Deliveries {
			set += `, response_status = v.status`
		}
		return `WITH v (id, owner, state, run_at, delta, last_error, finished_at, status) AS (VALUES ` + store.ValuesList(row, n) + `)
	UPDATE ` + table + ` SET ` + set + ` FROM v
	WHERE ` + table + `.id = v.id AND ` + table + `.lease_owner = v.owner AND ` + table + `.state = 'running'
	RETURNING ` + table + `.id`
	})
}
