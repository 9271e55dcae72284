package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statements kept prepared; queries built
// from filters beyond it are simply parsed each time.
const maxCachedStatements = 64

// stmtCache keeps statements prepared on SQLite, so the hot path (insert
// a delivery, claim, load, complete) is not parsed on every call.
// PostgreSQL's driver caches prepared statements itself.
//
// For the write connection: a statement cannot be prepared while a
// transaction holds the only connection, so a query seen in a transaction
// is noted and prepared by the committer between transactions. For the
// read pool, statements are prepared when first used.
type stmtCache struct {
	mu       sync.Mutex
	prepared map[string]*sql.Stmt
	wanted   map[string]bool
}

func newStmtCache() *stmtCache {
	return &stmtCache{prepared: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// get returns the prepared statement for query, or nil and notes that
// it is wanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.prepared[query]; ok {
		return st
	}
	if len(c.prepared)+len(c.wanted) < maxCachedStatements {
		c.wanted[query] = true
	}
	return nil
}

// prepareWanted prepares the statements noted since the last call. It
// must run while no transaction holds db's connection.
func (c *stmtCache) prepareWanted(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		delete(c.wanted, q)
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // such a query is run unprepared and fails there, with its error
		}
		c.prepared[q] = st
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.prepared {
		st.Close()
		delete(c.prepared, q)
	}
}

// preparedNow returns query's statement on db, preparing it now (outside
// the lock: preparing waits for a connection); nil when the cache is full
// or preparing fails.
func (c *stmtCache) preparedNow(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.prepared[query]
	full := len(c.prepared) >= maxCachedStatements
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.prepared[query]; ok {
		st.Close() // prepared meanwhile by another caller
		return prev
	}
	c.prepared[query] = st
	return st
}

// queryRead runs a read query written with ? placeholders, prepared once
// on SQLite.
func (s *Store) queryRead(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.readStmts != nil {
		if st := s.readStmts.preparedNow(ctx, s.read, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return s.read.QueryContext(ctx, s.Q(query), args...)
}
