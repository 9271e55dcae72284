package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

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
			if got := storetest.SQLitePragma(t, s, "synchronous"); got != tt.want { // 1 NORMAL, 2 FULL
				t.Errorf("PRAGMA synchronous = %d, want %d", got, tt.want)
			}
		})
	}
}

// A new database gets 8 KB pages; a database created with SQLite's
// default 4 KB pages keeps them, and is brought up to date and used.
func TestSQLitePageSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fresh := filepath.Join(t.TempDir(), "hookpoint.db")
	s, err := store.OpenSQLite(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	got := storetest.SQLitePragma(t, s, "page_size")
	s.Close()
	if got != 8192 {
		t.Errorf("new database: page_size %d, want 8192", got)
	}

	old := filepath.Join(t.TempDir(), "hookpoint.db")
	db, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA journal_mode = WAL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = store.OpenSQLite(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := storetest.SQLitePragma(t, s, "page_size"); got != 4096 {
		t.Errorf("existing database: page_size %d, want its own 4096", got)
	}
	if _, _, err := s.InsertDelivery(ctx, queued([]byte(`{"a":1}`), "d-1"), "me", time.Now()); err != nil {
		t.Fatalf("existing database: %v", err)
	}
}
