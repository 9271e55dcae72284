package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// probeBatch is a PipelineBatch standing in for the queue's completions:
// each item records the id of the transaction it committed in, or, if it
// is a failing probe, fails that transaction.
type probeBatch struct{}

type probe struct{ fail bool }

func (probeBatch) Run(ctx context.Context, tx *store.Tx, items []any) error {
	return probeBatch{}.Pipeline(ctx, tx, items)
}

func (probeBatch) Pipeline(ctx context.Context, tx *store.Tx, items []any) error {
	for _, it := range items {
		q := `INSERT INTO probes (tx) VALUES (pg_current_xact_id()::xid::text)`
		if it.(*probe).fail {
			q = `SELECT 1 / 0`
		}
		if err := tx.Defer(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// On PostgreSQL the queue's completions are committed in the transactions
// of the request path's delivery inserts, and a completion that fails does
// not fail the deliveries committed with it.
func TestInsertsShareTransactionsWithCompletions(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.Postgres)
	if err := s.Do(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE probes (tx TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// round writes n deliveries and n probes at once, the probes failing if
	// fail, and returns how many probes failed.
	round := func(t *testing.T, n int, fail bool) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		failed := 0
		for i := range n {
			wg.Go(func() {
				if _, res, err := s.InsertDelivery(ctx, queued([]byte(`{}`), ""), "me", time.Now()); err != nil || res != store.Inserted {
					t.Errorf("delivery %d: result %v, error %v; want inserted", i, res, err)
				}
			})
			wg.Go(func() {
				if err := s.DoBatched(ctx, probeBatch{}, &probe{fail: fail}); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return failed
	}
	if failed := round(t, 64, false); failed != 0 {
		t.Fatalf("%d probes failed", failed)
	}
	var shared int
	if err := s.Reader().QueryRowContext(ctx, `SELECT count(*) FROM probes p WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.xmin::text = p.tx)`).Scan(&shared); err != nil {
		t.Fatal(err)
	}
	if shared == 0 {
		t.Fatal("no probe committed in the transaction of a delivery insert: each got a transaction of its own")
	}
	for r := range 10 {
		t.Run(fmt.Sprint("failing round ", r), func(t *testing.T) {
			if failed := round(t, 16, true); failed != 16 {
				t.Fatalf("%d of 16 failing probes failed", failed)
			}
		})
	}
	var n int
	if err := s.Reader().QueryRowContext(ctx, `SELECT count(*) FROM deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := 64 + 10*16; n != want {
		t.Fatalf("%d deliveries stored, want %d", n, want)
	}
}
