package app_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// startupDatabase waits for the startup log line and returns the
// database it names.
func startupDatabase(t *testing.T, b *testBundle) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(b.logs.String()) {
			var rec struct {
				Msg      string `json:"msg"`
				Database string `json:"database"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "hookpoint listening" {
				return rec.Database
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no startup line in:\n%s", b.logs.String())
	return ""
}

// The startup log names the database in use: the SQLite file, or the
// PostgreSQL server without its password.
func TestStartupLogsTheDatabase(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		file := filepath.Join(dir, "explicit.db")
		b := startApp(t, "database:\n  url: sqlite:"+file+"\n", dir)
		if got := startupDatabase(t, b); got != "sqlite "+file {
			t.Errorf("database = %q, want %q", got, "sqlite "+file)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		pg := storetest.NewPostgresSchema(t)
		// An upper-case scheme and a password (trust authentication
		// ignores it) must connect, and the password must not be logged.
		pg = strings.Replace(pg, "postgres://postgres@", "POSTGRES://postgres:pw-never-logged@", 1)
		if !strings.Contains(pg, "pw-never-logged") {
			t.Skipf("TEST_DATABASE_URL has another shape: %s", strings.SplitN(pg, "@", 2)[1])
		}
		b := startApp(t, "database:\n  url: "+pg+"\n", t.TempDir())
		got := startupDatabase(t, b)
		if !strings.HasPrefix(got, "postgres host=") || !strings.Contains(got, "dbname=") || strings.Contains(b.logs.String(), "pw-never-logged") {
			t.Errorf("database = %q; log:\n%s", got, b.logs.String())
		}
	})
}
