package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
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

// openWithProbes opens a PostgreSQL store with the table probeBatch
// writes to.
func openWithProbes(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t, store.Postgres)
	if err := s.Do(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE probes (tx TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// On PostgreSQL the queue's completions are committed in the transactions
// of the request path's delivery inserts, and a completion that fails does
// not fail the deliveries committed with it.
func TestInsertsShareTransactionsWithCompletions(t *testing.T) {
	ctx := context.Background()
	s := openWithProbes(t)
	// round writes n deliveries and n probes at once, the probes failing if
	// fail, and returns how many probes failed.
	round := func(t *testing.T, n int, fail bool) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		failed := 0
		for i := range n {
			wg.Go(func() {
				if _, res, err := s.InsertDelivery(ctx, queued([]byte(`{}`), ""), "me", time.Now()); err != nil || res != record.Stored {
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

// If resolving a redelivery fails after the pipeline it shared has
// committed, only the redelivery fails: the batch's other deliveries and
// completions are committed, and are not written a second time.
func TestPartlyCommittedPipelineIsNotWrittenAgain(t *testing.T) {
	ctx := context.Background()
	// Set first, so that it is restored after the store is closed.
	injected := errors.New("injected fault")
	t.Cleanup(store.SetResolveFault(func() error { return injected }))
	s := openWithProbes(t)
	if _, res, err := s.InsertDelivery(ctx, queued([]byte(`{}`), "seen-1"), "me", time.Now()); err != nil || res != record.Stored {
		t.Fatalf("first delivery: %v, %v", res, err)
	}

	// Hold the committer in a transaction while the writes queue up, so
	// that they are committed as one batch.
	entered, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.Do(ctx, func(*store.Tx) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	const news, probes = 8, 4
	var wg sync.WaitGroup
	var redeliveryErr error
	wg.Go(func() {
		_, _, redeliveryErr = s.InsertDelivery(ctx, queued([]byte(`{}`), "seen-1"), "me", time.Now())
	})
	for i := range news {
		wg.Go(func() {
			if _, res, err := s.InsertDelivery(ctx, queued([]byte(`{}`), fmt.Sprint("new-", i)), "me", time.Now()); err != nil || res != record.Stored {
				t.Errorf("new delivery %d: result %v, error %v; want inserted", i, res, err)
			}
		})
	}
	for i := range probes {
		wg.Go(func() {
			if err := s.DoBatched(ctx, probeBatch{}, &probe{}); err != nil {
				t.Errorf("probe %d: %v", i, err)
			}
		})
	}
	for deadline := time.Now().Add(5 * time.Second); store.QueuedWrites(s) < 1+news+probes; {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", store.QueuedWrites(s), 1+news+probes)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(redeliveryErr, injected) {
		t.Fatalf("redelivery: error %v, want the injected fault", redeliveryErr)
	}
	var rows, probeRows, shared int
	if err := s.Reader().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM deliveries),
		(SELECT count(*) FROM probes),
		(SELECT count(*) FROM probes p WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.xmin::text = p.tx))`).Scan(&rows, &probeRows, &shared); err != nil {
		t.Fatal(err)
	}
	if rows != 1+news || probeRows != probes {
		t.Fatalf("%d deliveries and %d probes stored, want %d and %d: committed writes were written again", rows, probeRows, 1+news, probes)
	}
	if shared != probes {
		t.Fatalf("%d of %d probes shared the deliveries' transaction: the batch was not one pipeline", shared, probes)
	}
}
