package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statements kept prepared; queries built
// from filters beyond it are simply parsed each time.
const maxCachedStatements = 128

// stmtCache keeps statements prepared on SQLite, so the hot path (insert
// a delivery, claim, load, complete) is not parsed on every call.
// PostgreSQL's driver caches prepared statements itself.
//
// A statement cannot be prepared while a transaction holds the write
// connection, its only one, so a query seen in a transaction is noted and
// prepared by the committer between transactions.
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

// prepareWanted prepares the statements noted since the last call, on
// db's connection once no transaction holds it. The cache is not locked
// meanwhile: a bulk operation's transaction, which holds the connection,
// looks statements up.
func (c *stmtCache) prepareWanted(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	wanted := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		wanted = append(wanted, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range wanted {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // such a query is run unprepared and fails there, with its error
		}
		c.mu.Lock()
		if c.prepared[q] == nil {
			c.prepared[q] = st
		} else {
			st.Close() // noted again while it was being prepared
		}
		c.mu.Unlock()
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
