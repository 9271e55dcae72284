package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// queryAlone runs one statement, written with ? placeholders, as a
// transaction of its own, outside the group commit, and hands its rows to
// read, which closes them: for a write that is already a batch, on
// PostgreSQL only (SQLite's one write connection belongs to the
// committer). It is one round trip, where a group-committed transaction
// costs at least three (BEGIN, the statement, COMMIT), and it is planned
// as index lookups (see Tx.IndexLookups).
func (p *postgresEngine) queryAlone(ctx context.Context, read func(Rows) error, query string, args ...any) error {
	conn, err := p.s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return withPgx(conn, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue(indexLookupsSQL)
		b.Queue(p.placeholders(query), args...)
		br := c.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
		rows, err := br.Query()
		if err == nil {
			err = read(rows)
		}
		return errors.Join(err, br.Close())
	})
}
