package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// queued returns a queued delivery to the test endpoint.
func queued(body []byte, deliveryID string) *record.Delivery {
	return &record.Delivery{Plugin: "a.b", Endpoint: "/hook", Mode: record.ModeQueued, Method: "POST",
		Path: "/api/plugin/a.b/webhook/hook", Header: http.Header{}, Body: body, DeliveryID: deliveryID, MaxAttempts: 3}
}

// Bodies come back byte for byte whether they were stored compressed
// (a JSON push), or as received (random bytes, a short body).
func TestBodiesRoundTrip(t *testing.T) {
	push, err := os.ReadFile(filepath.Join("..", "..", "plugins", "github", "testdata", "push.json"))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	rand.Read(random)
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		for _, c := range []struct {
			name       string
			body       []byte
			compressed bool
		}{
			{"json push", push, true},
			{"random", random, false},
			{"short", []byte(`{"a":1}`), false},
			{"empty", []byte{}, false},
		} {
			del := queued(c.body, "")
			del.Header.Set("X-A", "1")
			id, _, err := s.InsertDelivery(ctx, del, "me", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Delivery(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Body) != string(c.body) {
				t.Errorf("%s: body read back differs (%d bytes, want %d)", c.name, len(got.Body), len(c.body))
			}
			replays, _, err := s.ReplayDeliveries(ctx, record.DeliveryFilter{ID: id})
			if err != nil || len(replays) != 1 {
				t.Fatalf("%s: replay = %v, %v", c.name, replays, err)
			}
			if r, err := s.Delivery(ctx, replays[0]); err != nil || string(r.Body) != string(c.body) {
				t.Errorf("%s: replay's body differs: %v", c.name, err)
			}
			var stored int
			if err := s.Reader().QueryRowContext(ctx, s.Q(`SELECT length(body) FROM delivery_payloads WHERE id = ?`), id).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if c.compressed && stored*3 > len(c.body) {
				t.Errorf("%s: stored %d bytes of %d; want it compressed at least 3×", c.name, stored, len(c.body))
			}
			if !c.compressed && stored != len(c.body) {
				t.Errorf("%s: stored %d bytes of %d; want it as received", c.name, stored, len(c.body))
			}
		}
	})
}

// Committed writes reach the SQLite database file in the background, long
// before the log reaches its own checkpoint threshold, with the store open.
func TestCheckpointsInBackground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookpoint.db")
	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 2048)
	for i := 0; i < 200; i++ {
		rand.Read(body)
		if _, _, err := s.InsertDelivery(ctx, queued(body, ""), "me", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= before.Size()+200*2048 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes (was %d) 5 s after 400 KB of bodies were committed: not checkpointed", fi.Size(), before.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A payload that cannot be read back (a damaged database) leaves its
// delivery readable, marked Damaged, so that the queue dead-letters it
// instead of stalling on it.
func TestDamagedPayloadIsReported(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		id, _, err := s.InsertDelivery(ctx, queued([]byte("ok"), ""), "me", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reader().ExecContext(ctx, s.Q(`UPDATE delivery_payloads SET codec = 's2', body = ? WHERE id = ?`), []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, id); err != nil {
			t.Fatal(err)
		}
		got, err := s.Delivery(ctx, id)
		if err != nil {
			t.Fatalf("reading a delivery with a damaged body: %v", err)
		}
		if got.Damaged == nil || len(got.Body) != 0 {
			t.Errorf("damaged = %v, body %q; want an error and no body", got.Damaged, got.Body)
		}
	})
}

// Deliveries inserted at once (one group commit) with repeated delivery
// ids are stored once each: one Stored per id, the rest Duplicates of
// it; deliveries without an id are all stored.
func TestConcurrentInsertsDedupe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		type res struct {
			deliveryID string
			id         int64
			result     record.Receipt
			err        error
		}
		const ids, copies, anonymous = 10, 5, 20
		out := make(chan res, ids*copies+anonymous)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < ids*copies+anonymous; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				did := ""
				if i < ids*copies {
					did = fmt.Sprint("same-", i%ids)
				}
				<-start
				id, r, err := s.InsertDelivery(ctx, queued([]byte(did), did), "me", time.Now())
				out <- res{did, id, r, err}
			}()
		}
		close(start)
		wg.Wait()
		close(out)
		first := map[string]int64{}
		var dups []res
		anon := map[int64]bool{}
		for r := range out {
			switch {
			case r.err != nil:
				t.Fatal(r.err)
			case r.deliveryID == "":
				if r.result != record.Stored || anon[r.id] {
					t.Errorf("delivery without id: result %v, id %d (seen: %v)", r.result, r.id, anon[r.id])
				}
				anon[r.id] = true
			case r.result == record.Stored:
				if _, ok := first[r.deliveryID]; ok {
					t.Errorf("%s inserted twice", r.deliveryID)
				}
				first[r.deliveryID] = r.id
			default:
				dups = append(dups, r)
			}
		}
		if len(first) != ids || len(dups) != ids*(copies-1) || len(anon) != anonymous {
			t.Fatalf("%d inserted, %d duplicates, %d without id; want %d, %d, %d", len(first), len(dups), len(anon), ids, ids*(copies-1), anonymous)
		}
		for _, r := range dups {
			if r.result != record.Duplicate || r.id != first[r.deliveryID] {
				t.Errorf("%s: %v of %d, want Duplicate of %d", r.deliveryID, r.result, r.id, first[r.deliveryID])
			}
		}
		for did, id := range first {
			got, err := s.Delivery(ctx, id)
			if err != nil || got.DeliveryID != did || string(got.Body) != did {
				t.Errorf("delivery %d = %+v, %v; want %s with its body", id, got, err, did)
			}
		}
		for id := range anon {
			if _, err := s.Delivery(ctx, id); err != nil {
				t.Errorf("delivery %d: %v", id, err)
			}
		}
	})
}
