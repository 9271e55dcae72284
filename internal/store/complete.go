package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// completions is the Batch of one table's completions: their rows are
// updated by a few multi-row statements (chunks of Chunk sizes), then
// each successful run's messages and tasks are written.
type completions struct {
	table   string
	sql     *MultiRowSQL
	checked *MultiRowSQL // PostgreSQL, pipelined: fails unless every lease was held
}

var (
	deliveryCompletions = &completions{"deliveries", completeSQL("deliveries", false), completeSQL("deliveries", true)}
	taskCompletions     = &completions{"tasks", completeSQL("tasks", false), completeSQL("tasks", true)}
)

// Redoable marks completions as a RedoableBatch: a completion lost in a
// crash of the database leaves its row leased, and the run is rescued and
// repeated with its effects.
func (c *completions) Redoable() {}

// leaseLost is the SQLSTATE of hookpoint_leases_held's error.
const leaseLost = "HPL01"

// Run updates the rows of items, failing with record.ErrLeaseLost if a
// row's lease was taken over (the committer then runs each completion
// alone, so that only that one fails), and writes the effects of
// successful runs.
func (c *completions) Run(ctx context.Context, tx *Tx, items []any) error {
	done := make(map[int64]bool, len(items))
	if err := tx.IndexLookups(ctx); err != nil {
		return err
	}
	if err := EachChunk(items, func(chunk []any) error {
		rows, err := tx.Query(ctx, c.sql.For(len(chunk)), completionArgs(chunk)...)
		if err != nil {
			return err
		}
		ids, err := IDs(rows)
		for _, id := range ids {
			done[id] = true
		}
		return err
	}); err != nil {
		return err
	}
	for _, it := range items {
		if cp := it.(*record.Completion); !done[cp.Attempt.ID] {
			return fmt.Errorf("%s %d: %w", c.table, cp.Attempt.ID, record.ErrLeaseLost)
		}
	}
	return writeEffects(ctx, tx, items)
}

// Pipeline is Run for a pipeline on PostgreSQL: each chunk's statement
// fails with SQLSTATE leaseLost unless every row's lease was still held,
// which rolls the pipeline back; the committer then runs each completion
// alone, so that only that one fails.
func (c *completions) Pipeline(ctx context.Context, tx *Tx, items []any) error {
	if err := tx.IndexLookups(ctx); err != nil {
		return err
	}
	if err := EachChunk(items, func(chunk []any) error {
		return tx.Defer(ctx, c.checked.For(len(chunk)), completionArgs(chunk)...)
	}); err != nil {
		return err
	}
	return writeEffects(ctx, tx, items)
}

func completionArgs(chunk []any) []any {
	args := make([]any, 0, 9*len(chunk))
	for _, it := range chunk {
		c := it.(*record.Completion)
		started := c.Attempt.Started
		if started.IsZero() {
			started = time.Now()
		}
		args = append(args, c.Attempt.ID, c.Owner, string(c.State), c.RunAt.UnixMicro(), c.AttemptsDelta, c.LastError,
			started.UnixMicro(), microsOrZero(c.FinishedAt), c.ResponseStatus)
	}
	return args
}

// microsOrZero is t in unix microseconds, or 0 for the zero time.
func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// writeEffects writes the messages and tasks of the successful runs among
// items. Messages go to the inbox, the one chat adapter that stores in
// this database, until the chat outbox routes them to their adapters.
func writeEffects(ctx context.Context, tx *Tx, items []any) error {
	for _, it := range items {
		c := it.(*record.Completion)
		if c.State != record.StateDone {
			continue
		}
		for _, m := range c.Messages {
			if err := SaveInboxMessageTx(ctx, tx, m); err != nil {
				return err
			}
		}
		for _, t := range c.Tasks {
			if _, _, err := EnqueueTx(ctx, tx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// completeSQL returns the statement completing n rows of table that their
// lease owner still holds. It returns their ids or, checked, one row:
// their count, after failing unless it is n (PostgreSQL only).
func completeSQL(table string, checked bool) *MultiRowSQL {
	return NewMultiRowSQL(func(n int) string {
		// The state the rows must be in is a column of v, not a constant:
		// given state = 'running', PostgreSQL's planner walks the state
		// index, which every claim and completion leaves a dead 'running'
		// entry in until the next vacuum, instead of looking each row up
		// by id.
		row := "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), 'running')"
		// A claim sets started_at; a row stored held gets it here, from
		// the run.
		set := `state = v.state, run_at = v.run_at, attempts = attempts + v.delta, last_error = v.last_error,
		lease_owner = '', lease_until = 0, finished_at = v.finished_at,
		started_at = CASE WHEN ` + table + `.started_at = 0 THEN v.started_at ELSE ` + table + `.started_at END`
		if table == "deliveries" {
			set += `, response_status = v.status`
		}
		update := `UPDATE ` + table + ` SET ` + set + ` FROM v
	WHERE ` + table + `.id = v.id AND ` + table + `.lease_owner = v.owner AND ` + table + `.state = v.held
	RETURNING ` + table + `.id`
		values := `WITH v (id, owner, state, run_at, delta, last_error, started_at, finished_at, status, held) AS (VALUES ` + ValuesList(row, n) + `)`
		if checked {
			return values + `, done AS (` + update + `) SELECT hookpoint_leases_held(count(*), ` + strconv.Itoa(n) + `) FROM done`
		}
		return values + ` ` + update
	})
}
