package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// insertPipelined writes delivery inserts, and with them the writes of
// PipelineBatches in rest, on PostgreSQL as one pipelined batch with no
// BEGIN or COMMIT: the statements up to a pipeline's Sync form one
// implicit transaction, which the server commits at the Sync, or rolls
// back whole if one fails. The request path's commit so costs one round
// trip instead of three, and the queue's completions ride along with it.
// If a write of rest needs a transaction it returns ErrNeedsTx, having
// written nothing. Deliveries whose id was seen before are resolved after
// the pipeline, in a transaction of their own (the rows they collided with
// are committed).
func (p *postgresEngine) insertPipelined(ctx context.Context, ins []*deliveryInsert, rest []*writeOp) error {
	conn, err := p.s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("inserting deliveries: %w", err)
	}
	defer conn.Close()
	tx := &Tx{s: p.s, conn: conn}
	if err := runOps(ctx, tx, rest); err != nil {
		return err
	}
	ids, err := p.deliveryIDs.take(ctx, conn, len(ins))
	if err != nil {
		return fmt.Errorf("reserving delivery ids: %w", err)
	}
	assignIDs(ins, ids)
	b := &pgx.Batch{}
	chunks := 0
	EachChunk(ins, func(chunk []*deliveryInsert) error {
		q, args := p.insertStatement(chunk)
		b.Queue(p.placeholders(q), args...)
		chunks++
		return nil
	})
	tx.queueDeferred(b)
	inserted := make(map[int64]bool, len(ins))
	err = withPgx(conn, func(c *pgx.Conn) error {
		br := c.SendBatch(ctx, b)
		for range chunks {
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				br.Close()
				return err
			}
			for _, id := range ids {
				inserted[id] = true
			}
		}
		return br.Close()
	})
	if err != nil {
		return fmt.Errorf("inserting deliveries: %w", err)
	}
	if len(inserted) == len(ins) {
		return nil
	}
	err = p.inTx(ctx, conn, func(tx *Tx) error {
		if resolveFault != nil {
			if err := resolveFault(); err != nil {
				return err
			}
		}
		return resolveSeen(ctx, tx, ins, inserted)
	})
	if err == nil {
		return nil
	}
	// The pipeline has committed: only the deliveries seen before failed.
	seen := make(map[*deliveryInsert]bool, len(ins)-len(inserted))
	for _, in := range ins {
		if !inserted[in.id] {
			seen[in] = true
		}
	}
	return &partlyCommitted{err: fmt.Errorf("resolving deliveries seen before: %w", err), failed: seen}
}

// partlyCommitted is what a committed pipeline answers when resolving its
// deliveries seen before failed afterwards: those failed, and every other
// write of the batch is committed. Retried, they would be written twice.
type partlyCommitted struct {
	err    error
	failed map[*deliveryInsert]bool
}

func (p *partlyCommitted) Error() string { return p.err.Error() }

// errOf returns the error of op, a write of p's batch: nil if it is
// committed. A nil p is a batch committed whole.
func (p *partlyCommitted) errOf(op *writeOp) error {
	if p == nil {
		return nil
	}
	if in, ok := op.item.(*deliveryInsert); ok && p.failed[in] {
		return p.err
	}
	return nil
}
func (p *partlyCommitted) Unwrap() error { return p.err }

// resolveFault, set by tests, fails the resolving of deliveries seen
// before after a pipeline has committed.
var resolveFault func() error

// A PipelineBatch is a Batch whose writes need no result before their
// transaction commits. On PostgreSQL, a transaction made only of such
// writes is sent as one pipeline with no BEGIN or COMMIT: one round trip
// instead of four or more. A condition that must fail the transaction is
// checked inside a statement, which raises an error.
type PipelineBatch interface {
	Batch
	// Pipeline writes items as Run does, but only with tx.Defer. Any
	// other statement fails with ErrNeedsTx; the committer then writes the
	// items with Run, in a transaction.
	Pipeline(ctx context.Context, tx *Tx, items []any) error
}

// pipelinable reports whether every write of ops is a PipelineBatch's.
func pipelinable(ops []*writeOp) bool {
	for _, op := range ops {
		if _, ok := op.batch.(PipelineBatch); !ok {
			return false
		}
	}
	return true
}

// pipeline runs fn, which writes ops of PipelineBatches only, as one
// pipeline on conn: one implicit transaction, which PostgreSQL commits at
// the pipeline's Sync or rolls back whole.
func (p *postgresEngine) pipeline(ctx context.Context, conn *sql.Conn, fn func(*Tx) error) error {
	tx := &Tx{s: p.s, conn: conn}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.flush(ctx)
}

// withPgx runs fn with conn's pgx connection, for what database/sql cannot
// do: pipelined batches.
func withPgx(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection is a %T, not pgx's", dc)
		}
		return fn(c.Conn())
	})
}

// inTx runs fn in a transaction on conn and commits it.
func (p *postgresEngine) inTx(ctx context.Context, conn *sql.Conn, fn func(*Tx) error) error {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	tx := &Tx{Tx: sqlTx, s: p.s, conn: conn}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := tx.flush(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// SQLState returns the SQLSTATE code of a PostgreSQL error in err's chain,
// or "".
func SQLState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
