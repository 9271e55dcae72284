package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hookpoint/hookpoint/internal/store"
)

// synchronous reads the SQLite write connection's synchronous setting:
// 1 is NORMAL, 2 is FULL.
func synchronous(t *testing.T, s *store.Store) int {
	t.Helper()
	var v int
	if err := s.Do(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `PRAGMA synchronous`).Scan(&v)
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// Commits wait for the disk only when asked to (store.FullSync); the
// setting holds on the connection that commits, whatever opened it.
func TestSQLiteSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		opts []store.Option
		want int
	}{
		{"default", nil, 1},
		{"full", []store.Option{store.FullSync()}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "hookpoint.db"), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := synchronous(t, s); got != tt.want {
				t.Errorf("PRAGMA synchronous = %d, want %d", got, tt.want)
			}
		})
	}
}
