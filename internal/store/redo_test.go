package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// settingBatch is a RedoableBatch that reads, in its transaction, the
// synchronous_commit that the transaction will commit with.
type settingBatch struct{}

func (settingBatch) Redoable() {}

func (settingBatch) Run(ctx context.Context, tx *store.Tx, items []any) error {
	var v string
	if err := tx.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&v); err != nil {
		return err
	}
	for _, it := range items {
		*it.(*string) = v
	}
	return nil
}

// On PostgreSQL a transaction of redoable writes only commits without
// waiting for the WAL flush; one that holds any other write, group
// committed with them, waits as always.
func TestRedoableCommitsAsync(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.Postgres)
	// run does n writes at once, every other one redoable if mixed, and
	// returns the settings the redoable and the other writes saw.
	run := func(n int, mixed bool) (redo, durable map[string]int) {
		redo, durable = map[string]int{}, map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var v string
				var err error
				isRedo := !mixed || i%2 == 0
				if isRedo {
					err = s.DoBatched(ctx, settingBatch{}, &v)
				} else {
					err = s.Do(ctx, func(tx *store.Tx) error {
						return tx.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&v)
					})
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if isRedo {
					redo[v]++
				} else {
					durable[v]++
				}
			})
		}
		wg.Wait()
		return redo, durable
	}
	if redo, _ := run(50, false); redo["off"] != 50 {
		t.Fatalf("redoable writes alone saw synchronous_commit %v, want off for all 50", redo)
	}
	redo, durable := run(200, true)
	if durable["on"] != 100 {
		t.Fatalf("durable writes saw synchronous_commit %v, want on for all 100", durable)
	}
	if redo["on"] == 0 {
		t.Fatalf("no redoable write shared a transaction with a durable one (%v): the test proved nothing", redo)
	}
}
