package store

import "context"

// IndexLookups makes PostgreSQL plan the transaction's statements that
// follow as lookups by index: for the queue's statements, which touch a
// handful of rows of a table that grows and shrinks by thousands a
// second. A prepared statement is planned once for all its executions; on
// a table that was small then (a new database), or whose statistics are
// stale (autovacuum off or behind), PostgreSQL chose a sequential scan
// with a hash join, and a completion took 7.6 ms at 15,000 rows. On
// SQLite it does nothing.
func (t *Tx) IndexLookups(ctx context.Context) error {
	return t.s.engine.indexLookups(ctx, t)
}

// setLocal runs query, which sets settings for the rest of the
// transaction: in a pipeline, queued before the statements that follow;
// in a transaction, at once.
func (t *Tx) setLocal(ctx context.Context, query string) error {
	if t.pipelined() {
		return t.Defer(ctx, query)
	}
	_, err := t.Exec(ctx, query)
	return err
}
