package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Tx is a transaction handed to a group-committed write, with the
// dialect's placeholder rewriting.
type Tx struct {
	*sql.Tx
	s *Store
}

// Exec runs a statement written with ? placeholders.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.ExecContext(ctx, t.s.Q(query), args...)
}

// Query runs a query written with ? placeholders.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(ctx, t.s.Q(query), args...)
}

// QueryRow runs a one-row query written with ? placeholders.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.QueryRowContext(ctx, t.s.Q(query), args...)
}

// Dialect returns the database's dialect.
func (t *Tx) Dialect() Dialect { return t.s.dialect }

// maxBatch bounds the writes committed in one transaction.
const maxBatch = 256

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("store is closed")

type writeOp struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// writer group-commits: each committer takes every write waiting, runs
// them in one transaction and answers each. If the batch fails, each write
// is retried in a transaction of its own, so one bad write does not fail
// the others.
type writer struct {
	s    *Store
	ops  chan *writeOp
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newWriter(s *Store, committers int) *writer {
	w := &writer{s: s, ops: make(chan *writeOp, 4*maxBatch), quit: make(chan struct{})}
	for i := 0; i < committers; i++ {
		w.wg.Add(1)
		go w.loop()
	}
	return w
}

func (w *writer) close() {
	w.once.Do(func() { close(w.quit) })
	w.wg.Wait()
}

// Do runs fn in a group-committed transaction and returns once it is
// committed. fn may run more than once (if its batch fails) and must have
// no effects outside the transaction.
func (s *Store) Do(ctx context.Context, fn func(*Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writer.ops <- op:
	case <-s.writer.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.done:
		return err
	case <-s.writer.quit:
		// The committer answers every op it took before quitting.
		select {
		case err := <-op.done:
			return err
		default:
			return ErrClosed
		}
	}
}

func (w *writer) loop() {
	defer w.wg.Done()
	batch := make([]*writeOp, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-w.ops:
			batch = append(batch, op)
		case <-w.quit:
			w.drain()
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case op := <-w.ops:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		w.commit(batch)
	}
}

// drain answers the writes still queued at close.
func (w *writer) drain() {
	for {
		select {
		case op := <-w.ops:
			op.done <- ErrClosed
		default:
			return
		}
	}
}

func (w *writer) commit(batch []*writeOp) {
	live := batch[:0:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.done <- err
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	err := w.run(live)
	if err == nil {
		for _, op := range live {
			op.done <- nil
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- err
		return
	}
	for _, op := range live {
		op.done <- w.run([]*writeOp{op})
	}
}

func (w *writer) run(ops []*writeOp) error {
	ctx := context.Background()
	sqlTx, err := w.s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	tx := &Tx{Tx: sqlTx, s: w.s}
	for _, op := range ops {
		if err := op.fn(tx); err != nil {
			sqlTx.Rollback()
			return err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}
