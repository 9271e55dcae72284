package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// bulkChunk is how many rows one transaction of a bulk operation writes:
// small enough that the webhook inserts waiting behind it on SQLite's one
// write connection are not held up for long.
const bulkChunk = 250

// bulk runs fn in a transaction of its own, outside the group commit and
// within the write timeout: an operator's bulk operation commits in
// chunks between the webhook inserts' group commits, never inside one.
func (s *Store) bulk(ctx context.Context, fn func(*Tx) error) error {
	if err := s.health.err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.writeTimeout)
	defer cancel()
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(&Tx{Tx: sqlTx, s: s}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	s.engine.committed()
	return nil
}

// CountMatching counts the deliveries f selects (its Limit aside).
func (s *Store) CountMatching(ctx context.Context, f record.DeliveryFilter) (int64, error) {
	where, args := filterDeliveries(f, "")
	var n int64
	if err := s.read.QueryRowContext(ctx, s.Q(`SELECT COUNT(*) FROM deliveries`+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting deliveries: %w", err)
	}
	return n, nil
}

// ReplayDeliveries queues a new run of each delivery f selects, newest
// first, up to f.Limit (at most record.MaxReplay, which 0 means), each linked
// to its original. It commits in chunks of its own, outside the webhook
// inserts' group commits, and returns the new deliveries' ids and the
// originals', in the same order. After a failure, the ids returned are
// those replayed before it.
func (s *Store) ReplayDeliveries(ctx context.Context, f record.DeliveryFilter) (ids, originals []int64, err error) {
	limit := f.Limit
	if limit <= 0 || limit > record.MaxReplay {
		limit = record.MaxReplay
	}
	for len(ids) < limit {
		f.Limit = min(bulkChunk, limit-len(ids))
		where, args := filterDeliveries(f, "")
		from := "deliveries"
		if f.State == "" && f.DeliveryID == "" && f.ID == 0 {
			from += s.engine.newestFirst() // no index gives the newest rows in order
		}
		var chunk, of []int64
		err := s.bulk(ctx, func(tx *Tx) error {
			var pairs [][2]int64 // new id, original
			now := time.Now().UnixMicro()
			rows, err := tx.Query(ctx, `INSERT INTO deliveries
				(plugin, endpoint, mode, method, path, query, client_addr, request_id, delivery_id, replay_of,
				 state, attempts, max_attempts, run_at, received_at)
				SELECT plugin, endpoint, 'queued', method, path, query, client_addr, request_id, delivery_id, id,
				 'pending', 0, CASE WHEN max_attempts < 1 THEN 1 ELSE max_attempts END, ?, ?
				FROM `+from+where+` ORDER BY id DESC LIMIT ? RETURNING id, replay_of`, append(append([]any{now, now}, args...), f.Limit)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, orig int64
				if err := rows.Scan(&id, &orig); err != nil {
					rows.Close()
					return err
				}
				pairs = append(pairs, [2]int64{id, orig})
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			// RETURNING promises no order: newest original first.
			slices.SortFunc(pairs, func(a, b [2]int64) int { return cmp.Compare(b[1], a[1]) })
			chunk, of = chunk[:0], of[:0]
			for _, p := range pairs {
				chunk, of = append(chunk, p[0]), append(of, p[1])
			}
			for i, id := range chunk {
				if _, err := tx.Exec(ctx, `INSERT INTO delivery_payloads (id, headers, body, codec)
					SELECT ?, headers, body, codec FROM delivery_payloads WHERE id = ?`, id, of[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return ids, originals, fmt.Errorf("replaying deliveries: %w", err)
		}
		ids, originals = append(ids, chunk...), append(originals, of...)
		if len(chunk) < f.Limit {
			break
		}
		// The next chunk: the originals older than this one's oldest.
		f.Before = of[len(of)-1]
	}
	return ids, originals, nil
}

// RetryDead puts the dead-lettered deliveries f selects (its Limit aside)
// back in the queue with a fresh set of attempts, in chunks committed
// outside the webhook inserts' group commits, and returns how many. Each
// is retried once, even if it dies again before the last chunk. After a
// failure, the count is of those retried before it.
func (s *Store) RetryDead(ctx context.Context, f record.DeliveryFilter) (int64, error) {
	f.State, f.Limit = record.StateDead, 0
	where, args := filterDeliveries(f, "")
	if where == "" {
		where = " WHERE id > ?"
	} else {
		where += " AND id > ?"
	}
	var total, after int64
	for {
		var n int64
		err := s.bulk(ctx, func(tx *Tx) error {
			n = 0
			rows, err := tx.Query(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, run_at = ?, last_error = ''
				WHERE id IN (SELECT id FROM deliveries`+where+` ORDER BY id LIMIT ?) RETURNING id`,
				append(append([]any{time.Now().UnixMicro()}, args...), after, bulkChunk)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				n, after = n+1, max(after, id)
			}
			return errors.Join(rows.Err(), rows.Close())
		})
		if err != nil {
			return total, fmt.Errorf("retrying dead deliveries: %w", err)
		}
		total += n
		if n < bulkChunk {
			return total, nil
		}
	}
}
