package queue

import (
	"context"
	"fmt"
	"strconv"

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
	startedAt      int64
	finishedAt     int64
	responseStatus int
	effects        func(ctx context.Context, tx *store.Tx) error
}

// completions is the store.Batch of one table's completions: their rows
// are updated by a few multi-row statements (chunks of store.Chunk sizes),
// then each successful run's effects are written.
type completions struct {
	table   string
	sql     *store.MultiRowSQL
	checked *store.MultiRowSQL // PostgreSQL, pipelined: fails unless every lease was held
}

var (
	deliveryCompletions = &completions{Deliveries, completeSQL(Deliveries, false), completeSQL(Deliveries, true)}
	taskCompletions     = &completions{Tasks, completeSQL(Tasks, false), completeSQL(Tasks, true)}
)

// Redoable marks completions as a store.RedoableBatch: a completion lost
// in a crash of the database leaves its row leased, and the run is
// rescued and repeated with its effects.
func (c *completions) Redoable() {}

// leaseLost is the SQLSTATE of hookpoint_leases_held's error.
const leaseLost = "HPL01"

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
	if err := tx.IndexLookups(ctx); err != nil {
		return err
	}
	if err := store.EachChunk(items, func(chunk []any) error {
		rows, err := tx.Query(ctx, c.sql.For(len(chunk)), completionArgs(chunk)...)
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
	return writeEffects(ctx, tx, items)
}

// Pipeline is Run for a pipeline on PostgreSQL: each chunk's statement
// fails with SQLSTATE leaseLost unless every row's lease was still held,
// which rolls the pipeline back; the committer then runs each completion
// alone, so that only that one fails.
func (c *completions) Pipeline(ctx context.Context, tx *store.Tx, items []any) error {
	if err := tx.IndexLookups(ctx); err != nil {
		return err
	}
	if err := store.EachChunk(items, func(chunk []any) error {
		return tx.Defer(ctx, c.checked.For(len(chunk)), completionArgs(chunk)...)
	}); err != nil {
		return err
	}
	return writeEffects(ctx, tx, items)
}

func completionArgs(chunk []any) []any {
	args := make([]any, 0, 9*len(chunk))
	for _, it := range chunk {
		cp := it.(*completion)
		args = append(args, cp.id, cp.owner, cp.state, cp.runAt, cp.attemptsDelta, cp.lastError, cp.startedAt, cp.finishedAt, cp.responseStatus)
	}
	return args
}

// writeEffects writes the effects of the successful runs among items.
func writeEffects(ctx context.Context, tx *store.Tx, items []any) error {
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
// their lease owner still holds. It returns their ids or, checked, one
// row: their count, after failing unless it is n (PostgreSQL only).
func completeSQL(table string, checked bool) *store.MultiRowSQL {
	return store.NewMultiRowSQL(func(n int) string {
		// The state the rows must be in is a column of v, not a
		// constant: given state = 'running', PostgreSQL's planner walks
		// the state index, which every claim and completion leaves a dead
		// 'running' entry in until the next vacuum (3 ms a statement after
		// 10,000 runs), instead of looking each row up by id.
		row := "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), 'running')"
		// A claim sets started_at; a row stored held (see Runner.Reserve)
		// gets it here, from the run.
		set := `state = v.state, run_at = v.run_at, attempts = attempts + v.delta, last_error = v.last_error,
		lease_owner = '', lease_until = 0, finished_at = v.finished_at,
		started_at = CASE WHEN ` + table + `.started_at = 0 THEN v.started_at ELSE ` + table + `.started_at END`
		if table == Deliveries {
			set += `, response_status = v.status`
		}
		update := `UPDATE ` + table + ` SET ` + set + ` FROM v
	WHERE ` + table + `.id = v.id AND ` + table + `.lease_owner = v.owner AND ` + table + `.state = v.held
	RETURNING ` + table + `.id`
		values := `WITH v (id, owner, state, run_at, delta, last_error, started_at, finished_at, status, held) AS (VALUES ` + store.ValuesList(row, n) + `)`
		if checked {
			return values + `, done AS (` + update + `) SELECT hookpoint_leases_held(count(*), ` + strconv.Itoa(n) + `) FROM done`
		}
		return values + ` ` + update
	})
}
