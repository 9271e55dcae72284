package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// querier runs a query: a transaction or a connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// idPoolSize is how many PostgreSQL delivery ids are reserved at once,
// and idPoolAge how long reserved ids are used: ids order the deliveries
// listings, and a replica must not hand out ids reserved long before
// those the others hand out now.
const (
	idPoolSize = 256
	idPoolAge  = time.Second
)

// idPool holds delivery ids reserved from PostgreSQL's sequence, so that
// a transaction of inserts needs no round trip for its ids. Reserved ids
// that are never used are gaps, as rolled-back ones are.
type idPool struct {
	reserve string // the statement reserving $1 ids
	mu      sync.Mutex
	ids     []int64
	fetched time.Time
}

// init names the sequence in the pool's statement once, instead of the
// statement looking it up for every id.
func (p *idPool) init(ctx context.Context, db *sql.DB) error {
	var seq string
	if err := db.QueryRowContext(ctx, `SELECT pg_get_serial_sequence('deliveries', 'id')`).Scan(&seq); err != nil {
		return fmt.Errorf("finding the deliveries' id sequence: %w", err)
	}
	p.reserve = `SELECT nextval(` + quoteLiteral(seq) + `::regclass) FROM generate_series(1, $1)`
	return nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (p *idPool) take(ctx context.Context, q querier, n int) ([]int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.fetched) > idPoolAge {
		p.ids = nil
	}
	if len(p.ids) < n {
		rows, err := q.QueryContext(ctx, p.reserve, max(n, idPoolSize))
		if err != nil {
			return nil, err
		}
		ids, err := IDs(rows)
		if err != nil {
			return nil, err
		}
		slices.Sort(ids)
		p.ids, p.fetched = ids, time.Now()
	}
	ids := p.ids[:n:n]
	p.ids = p.ids[n:]
	return ids, nil
}
