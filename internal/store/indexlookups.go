package store

import "context"

// IndexLookups makes PostgreSQL plan the transaction's statements that
// follow as lookups by index: the queue's statements touch a handful of
// rows, and a plan made when the table was small or its statistics stale
// scanned it whole. On SQLite it does nothing.
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
