package store_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// A backlog of expired deliveries larger than one pruning transaction is
// deleted whole, with its payloads, and nothing newer goes with it.
func TestPruneDeletesBacklogInChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		const old, recent = 2500, 3
		err := s.Do(ctx, func(tx *store.Tx) error {
			for i := 0; i < old+recent; i++ {
				received := int64(1000 + i)
				if i >= old {
					received = time.Now().UnixMicro()
				}
				if _, err := tx.Exec(ctx, `INSERT INTO deliveries (plugin, endpoint, mode, method, path, state, max_attempts, run_at, received_at)
					VALUES ('a.b', '/hook', 'queued', 'POST', '/p', 'done', 1, 0, ?)`, received); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO delivery_payloads (id, headers, body) SELECT id, '{}', ? FROM deliveries`, []byte("{}"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cutoff := time.Now().Add(-time.Hour)
		n, err := s.PruneDeliveries(ctx, cutoff, cutoff)
		if err != nil || n != old {
			t.Fatalf("pruned %d (%v), want %d", n, err, old)
		}
		counts, err := s.CountDeliveries(ctx)
		if err != nil || counts[record.StateDone] != recent {
			t.Errorf("left %v (%v), want the %d recent deliveries", counts, err, recent)
		}
		// Their headers and bodies go with them, chunk by chunk.
		var payloads int
		if err := s.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_payloads`).Scan(&payloads); err != nil || payloads != recent {
			t.Errorf("%d payloads left (%v), want the %d recent deliveries'", payloads, err, recent)
		}
	})
}

// Finished tasks created before the cutoff are deleted; pending ones and
// newer ones stay.
func TestPruneTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		for _, state := range []record.State{record.StateDone, record.StateDead, record.StateCancelled, record.StatePending} {
			for _, created := range []int64{1000, time.Now().UnixMicro()} {
				id, _, err := s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Do(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, `UPDATE tasks SET state = ?, created_at = ? WHERE id = ?`, state, created, id)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n, err := s.PruneTasks(ctx, time.Now().Add(-time.Hour)); err != nil || n != 3 {
			t.Fatalf("pruned %d (%v), want the 3 old finished tasks", n, err)
		}
		counts, err := s.CountTasks(ctx)
		want := map[record.State]int64{record.StateDone: 1, record.StateDead: 1, record.StateCancelled: 1, record.StatePending: 2}
		if err != nil || !maps.Equal(counts, want) {
			t.Errorf("left %v (%v), want %v", counts, err, want)
		}
	})
}
