package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookpoint/hookpoint/internal/app"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// database.sqlite_sync: full reaches the connection that commits.
func TestOpenStoreFullSync(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "hookpoint.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+dir+"\ndatabase:\n  sqlite_sync: full\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, config.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v := storetest.SQLitePragma(t, st, "synchronous"); v != 2 {
		t.Errorf("PRAGMA synchronous = %d, want 2 (FULL)", v)
	}
}
