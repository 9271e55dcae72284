package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Tx is a transaction handed to a group-committed write, with the
// dialect's placeholder rewriting.
type Tx struct {
	*sql.Tx  // nil in a pipeline: see ErrNeedsTx
	s        *Store
	conn     *sql.Conn // PostgreSQL: the transaction's connection, for Defer
	deferred []deferred
}

// pipelined reports whether t is a pipeline (PostgreSQL): its statements
// only queue, with Defer.
func (t *Tx) pipelined() bool { return t.Tx == nil }

type deferred struct {
	query string
	args  []any
	rows  *MultiRowSQL // instead of query: one row of it (see DeferRow)
}

// ErrNeedsTx is what a pipeline's Tx answers a statement whose result is
// needed before the commit (Exec, Query, QueryRow): the committer then
// runs the writes again in a transaction (see PipelineBatch).
var ErrNeedsTx = errors.New("statement needs a transaction, not a pipeline")

// Defer runs a statement whose result is not needed in the transaction
// before it commits. On PostgreSQL the deferred statements of a
// transaction go to the server together, in one round trip, and an error
// fails the transaction when it commits; on SQLite, where a statement
// costs no round trip, it runs at once.
func (t *Tx) Defer(ctx context.Context, query string, args ...any) error {
	if t.conn == nil {
		_, err := t.Exec(ctx, query, args...)
		return err
	}
	t.deferred = append(t.deferred, deferred{query: t.s.Q(query), args: args})
	return nil
}

// DeferRow is Defer for one row of a multi-row statement: on PostgreSQL
// the rows deferred one after another for the same statement go to the
// server together, in statements of Chunk sizes; on SQLite the row is
// written at once.
func (t *Tx) DeferRow(ctx context.Context, m *MultiRowSQL, args ...any) error {
	if t.conn == nil {
		_, err := t.Exec(ctx, m.For(1), args...)
		return err
	}
	t.deferred = append(t.deferred, deferred{args: args, rows: m})
	return nil
}

// flush sends the deferred statements as one pipelined batch.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.deferred) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	t.queueDeferred(b)
	if err := withPgx(t.conn, func(c *pgx.Conn) error { return c.SendBatch(ctx, b).Close() }); err != nil {
		return fmt.Errorf("running deferred statements: %w", err)
	}
	return nil
}

// queueDeferred adds the deferred statements to b.
func (t *Tx) queueDeferred(b *pgx.Batch) {
	for ds := t.deferred; len(ds) > 0; {
		if ds[0].rows == nil {
			b.Queue(ds[0].query, ds[0].args...)
			ds = ds[1:]
			continue
		}
		n := 1
		for n < len(ds) && ds[n].rows == ds[0].rows {
			n++
		}
		EachChunk(ds[:n], func(chunk []deferred) error {
			var args []any
			for _, d := range chunk {
				args = append(args, d.args...)
			}
			b.Queue(t.s.Q(chunk[0].rows.For(len(chunk))), args...)
			return nil
		})
		ds = ds[n:]
	}
	t.deferred = nil
}

// Exec runs a statement written with ? placeholders.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.pipelined() {
		return nil, ErrNeedsTx
	}
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.ExecContext(ctx, t.s.Q(query), args...)
}

// Query runs a query written with ? placeholders.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.pipelined() {
		return nil, ErrNeedsTx
	}
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.QueryContext(ctx, t.s.Q(query), args...)
}

// Row is the result of QueryRow.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest, like sql.Row.Scan.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// QueryRow runs a one-row query written with ? placeholders.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if t.pipelined() {
		return &Row{err: ErrNeedsTx}
	}
	if st := t.stmt(ctx, query); st != nil {
		return &Row{row: st.QueryRowContext(ctx, args...)}
	}
	return &Row{row: t.QueryRowContext(ctx, t.s.Q(query), args...)}
}

// stmt returns query's cached prepared statement bound to this
// transaction, or nil when there is none (yet).
func (t *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	st := t.s.engine.prepared(query)
	if st == nil {
		return nil
	}
	return t.StmtContext(ctx, st)
}

// maxBatch bounds the writes committed in one transaction.
const maxBatch = 256

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("store is closed")

type writeOp struct {
	ctx   context.Context
	fn    func(*Tx) error
	batch Batch // instead of fn: item is run with the transaction's other items of its batch
	item  any
	done  chan error
}

// A Batch runs writes of one kind together: the committer hands it every
// such write of a transaction at once, so that it can use multi-row
// statements (each a round trip on PostgreSQL) instead of a statement or
// more per write. If it fails, each of its writes is run again alone, as
// with Do.
type Batch interface {
	Run(ctx context.Context, tx *Tx, items []any) error
}

// DoBatched writes item with b, group-committed, and returns once it is
// committed. b.Run may write results into item.
func (s *Store) DoBatched(ctx context.Context, b Batch, item any) error {
	return s.do(&writeOp{ctx: ctx, batch: b, item: item})
}

// writer group-commits: its committer takes every write waiting, runs
// them in one transaction and answers each. If the batch fails, each write
// is retried in a transaction of its own, so one bad write does not fail
// the others.
type writer struct {
	s       *Store
	commits atomic.Int64 // transactions committed
	writes  atomic.Int64 // writes committed in them
	ops     chan *writeOp
	quit    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// newWriter starts the committer: one goroutine that takes every write
// waiting and commits them together. Delivery inserts and the queue's
// completions share its transactions: a transaction's cost is mostly
// fixed (round trips, the WAL flush at commit).
func newWriter(s *Store) *writer {
	w := &writer{s: s, ops: make(chan *writeOp, 4*maxBatch), quit: make(chan struct{})}
	w.wg.Add(1)
	go w.loop()
	return w
}

func (w *writer) close() {
	w.once.Do(func() { close(w.quit) })
	w.wg.Wait()
}

// WriteStats returns how many group-committed transactions committed and
// how many writes they held: writes/commits is the batching achieved.
func (s *Store) WriteStats() (commits, writes int64) {
	return s.writer.commits.Load(), s.writer.writes.Load()
}

// Do runs fn in a group-committed transaction and returns once it is
// committed. fn may run more than once (if its batch fails) and must have
// no effects outside the transaction.
func (s *Store) Do(ctx context.Context, fn func(*Tx) error) error {
	return s.do(&writeOp{ctx: ctx, fn: fn})
}

// do hands op to its committer and waits for its answer. While the
// database is unavailable it fails at once.
func (s *Store) do(op *writeOp) error {
	if err := s.health.err(); err != nil {
		return err
	}
	ctx := op.ctx
	op.done = make(chan error, 1)
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
		// Let the goroutines that are about to write queue their writes
		// too: with one P, the committer would otherwise run as soon as
		// the first write is handed over, and commit it alone.
		runtime.Gosched()
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
	down := w.s.health.err()
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.done <- err
			continue
		}
		if down != nil {
			op.done <- down
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	err := w.run(live)
	if errors.Is(err, errSplit) {
		ins, rest := splitInserts(live)
		w.commit(ins)
		w.commit(rest)
		return
	}
	var part *partlyCommitted
	if err == nil || errors.As(err, &part) {
		w.commits.Add(1)
		for _, op := range live {
			err := part.errOf(op)
			if err == nil {
				w.writes.Add(1)
			}
			op.done <- err
		}
		return
	}
	if unreachable(err) && !anyDone(live) {
		// Every write would fail the same way, each after the timeout.
		err = w.s.health.failed(err)
		for _, op := range live {
			op.done <- err
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- err
		return
	}
	for i, op := range live {
		err := w.run([]*writeOp{op})
		if err == nil {
			w.commits.Add(1)
			w.writes.Add(1)
		} else if unreachable(err) {
			err = w.s.health.failed(err)
			for _, rest := range live[i+1:] {
				rest.done <- err
			}
			op.done <- err
			return
		}
		op.done <- err
	}
}

// errSplit is what run answers a batch of delivery inserts and writes
// that cannot share their pipeline, before it has written anything: the
// committer then commits the inserts and the rest apart.
var errSplit = errors.New("delivery inserts and writes that need a transaction")

// splitInserts returns the delivery inserts of ops and the other writes.
func splitInserts(ops []*writeOp) (ins, rest []*writeOp) {
	for _, op := range ops {
		if _, ok := op.batch.(deliveryInserts); ok {
			ins = append(ins, op)
		} else {
			rest = append(rest, op)
		}
	}
	return ins, rest
}

// run commits ops in one transaction, within the write timeout; a
// transaction cut short by it fails with errWriteTimeout.
func (w *writer) run(ops []*writeOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.s.writeTimeout)
	defer cancel()
	err := w.s.engine.commit(ctx, ops)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", errWriteTimeout, err)
	}
	return err
}

// runOps runs ops in tx: the writes of each Batch together, after the
// others; in a pipeline, with PipelineBatch.Pipeline.
func runOps(ctx context.Context, tx *Tx, ops []*writeOp) error {
	var batches []Batch
	items := map[Batch][]any{}
	for _, op := range ops {
		if op.batch != nil {
			if _, ok := items[op.batch]; !ok {
				batches = append(batches, op.batch)
			}
			items[op.batch] = append(items[op.batch], op.item)
			continue
		}
		if err := op.fn(tx); err != nil {
			return err
		}
	}
	for _, b := range batches {
		run := b.Run
		if tx.pipelined() {
			run = b.(PipelineBatch).Pipeline
		}
		if err := run(ctx, tx, items[b]); err != nil {
			return err
		}
	}
	return nil
}

// anyDone reports whether the context of one of ops is done: its own
// deadline, not the database, may have failed their transaction.
func anyDone(ops []*writeOp) bool {
	for _, op := range ops {
		if op.ctx.Err() != nil {
			return true
		}
	}
	return false
}
