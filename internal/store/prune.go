package store

import "context"

// pruneChunk bounds the rows one pruning transaction deletes: a backlog
// of expired rows is deleted in many short transactions, between which
// the group committer stores new deliveries, rather than in one that
// holds every write back until it ends.
const pruneChunk = 1000

// prune deletes the rows of table that where selects, pruneChunk at a
// time, and returns how many it deleted. The rows of payloads with the
// same ids go with them (see engine.pruneSQL).
func (s *Store) prune(ctx context.Context, table, payloads, where string, args ...any) (int64, error) {
	var total int64
	del := `DELETE FROM ` + table + ` WHERE id IN (SELECT id FROM ` + table + ` WHERE ` + where + ` LIMIT ?)`
	del, countRow := s.engine.pruneSQL(del, payloads)
	for {
		var n int64
		err := s.Do(ctx, func(tx *Tx) error {
			if countRow {
				return tx.QueryRow(ctx, del, append(args, pruneChunk)...).Scan(&n)
			}
			res, err := tx.Exec(ctx, del, append(args, pruneChunk)...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < pruneChunk {
			return total, err
		}
	}
}
