package store_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// Bulk operations work through sets larger than one of their chunks:
// every matching delivery once, newest first, up to the limit.
func TestBulkOperationsInChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		const n = 600
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < n; i += 8 {
					storetest.InsertQueued(t, s, fmt.Sprint("bulk", i))
				}
			})
		}
		wg.Wait()
		// Webhook deliveries keep arriving meanwhile, as they would: the
		// bulk operation's chunks go between their group commits.
		var stop atomic.Bool
		defer stop.Store(true)
		for w := range 4 {
			go func() {
				for i := 0; !stop.Load(); i++ {
					d := storetest.QueuedDelivery(fmt.Sprint("meanwhile", w, "-", i))
					d.Plugin = "other.p"
					s.InsertDelivery(ctx, d, "", time.Time{})
				}
			}()
		}
		f := record.DeliveryFilter{Plugin: "t.p", State: record.StatePending}
		if got, err := s.CountMatching(ctx, f); err != nil || got != n {
			t.Fatalf("CountMatching = %d, %v; want %d", got, err, n)
		}
		f.Limit = 520
		ids, originals, err := s.ReplayDeliveries(ctx, f)
		if err != nil || len(ids) != 520 || len(originals) != 520 {
			t.Fatalf("replayed %d (%d originals), %v; want 520", len(ids), len(originals), err)
		}
		if !slices.IsSortedFunc(originals, func(a, b int64) int { return int(b - a) }) || len(slices.Compact(slices.Clone(originals))) != 520 {
			t.Errorf("originals are not each once, newest first")
		}
		all, _ := s.Deliveries(ctx, record.DeliveryFilter{Plugin: "t.p", Limit: 2000})
		if len(all) != n+520 {
			t.Errorf("%d deliveries after the replay, want %d", len(all), n+520)
		}
		err = s.Do(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'dead' WHERE replay_of IS NULL AND plugin = 't.p'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Deliveries retried die again at once, as those of a plugin that
		// still fails would: each is retried once all the same.
		var redie sync.WaitGroup
		retried := make(chan struct{})
		die := func() error {
			return s.Do(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE deliveries SET state = 'dead' WHERE replay_of IS NULL AND plugin = 't.p' AND state = 'pending'`)
				return err
			})
		}
		redie.Go(func() {
			for {
				select {
				case <-retried:
					return
				default:
					die()
				}
			}
		})
		got, err := s.RetryDead(ctx, record.DeliveryFilter{Plugin: "t.p"})
		close(retried)
		redie.Wait()
		if err != nil || got != n {
			t.Fatalf("RetryDead = %d, %v; want %d, each once", got, err, n)
		}
		if err := die(); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RetryDead(ctx, record.DeliveryFilter{Plugin: "t.p"}); err != nil || got != n {
			t.Fatalf("RetryDead again = %d, %v; want %d", got, err, n)
		}
		if dead, _ := s.CountMatching(ctx, record.DeliveryFilter{Plugin: "t.p", State: record.StateDead}); dead != 0 {
			t.Errorf("%d dead deliveries left", dead)
		}
	})
}
