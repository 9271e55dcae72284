package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store"
)

// walDescriptors counts this process's open descriptors on the file at
// path.
func walDescriptors(t *testing.T, path string) int {
	t.Helper()
	links, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, l := range links {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", l.Name())); err == nil && strings.TrimSuffix(target, " (deleted)") == path {
			n++
		}
	}
	return n
}

// The write-ahead log's descriptor that the store opens to start its
// writeback is closed with the store: opening and closing a store does
// not leak descriptors.
func TestWALWritebackClosesWithStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hookpoint.db")
	wal := path + "-wal"
	for round := 0; round < 3; round++ {
		s, err := store.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, _, err := s.InsertDelivery(ctx, queued([]byte(`{"n":1}`), ""), "me", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if n := walDescriptors(t, wal); n == 0 {
			t.Fatalf("round %d: no descriptor on the log while the store is open", round)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if n := walDescriptors(t, wal); n != 0 {
			t.Fatalf("round %d: %d descriptors on the log after Close", round, n)
		}
	}
}
