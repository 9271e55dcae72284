package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// QueryAlone runs one statement, written with ? placeholders, as a
// transaction of its own, outside the group commit, and hands its rows to
// read, which closes them: for a write that is already a batch. On
// PostgreSQL it is one round trip, where a group-committed transaction
// costs at least three (BEGIN, the statement, COMMIT), and it is planned
// as index lookups (see Tx.IndexLookups). On SQLite it waits for the
// write connection, which the committer holds while it commits.
func (s *Store) QueryAlone(ctx context.Context, read func(Rows) error, query string, args ...any) error {
	if s.dialect != Postgres {
		rows, err := s.write.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		return read(rows)
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return withPgx(conn, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue(indexLookupsSQL)
		b.Queue(s.Q(query), args...)
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
