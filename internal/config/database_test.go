package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/store"
)

// A database value is classified when the config is loaded: a bad one
// fails there, naming the key (or the flag) it came from.
func TestLoadDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir", "hookpoint.db")
	tests := []struct {
		name, yaml, flag string
		dialect          store.Dialect
		wantErr          []string
	}{
		{"upper-case postgres URL", "database:\n  url: POSTGRES://hp@db/hookpoint\n", "", store.Postgres, nil},
		{"key=value", "database:\n  url: host=db dbname=hookpoint user=hp\n", "", store.Postgres, nil},
		{"sqlite: in an existing directory", "database:\n  url: sqlite:" + filepath.Join(dir, "x.db") + "\n", "", store.SQLite, nil},
		{"default in a missing data directory", "data_dir: " + filepath.Join(dir, "later") + "\n", "", store.SQLite, nil},
		{"mysql", "database:\n  url: mysql://hp:pw@db/hookpoint\n", "", 0, []string{"database.url", `"mysql"`, "postgres://", "sqlite:PATH"}},
		{"mysql by flag", "", "mysql://hp@db/hookpoint", 0, []string{"--database", `"mysql"`}},
		{"missing directory", "database:\n  url: " + missing + "\n", "", 0, []string{"database.url", "does not exist"}},
		{"missing directory by flag", "", "sqlite:" + missing, 0, []string{"--database", "does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tt.yaml), 0o600)
			c, err := config.Load(path, config.Overrides{Database: tt.flag})
			if tt.wantErr != nil {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v, want one containing %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			loc, err := c.Database.Location()
			if err != nil || loc.Dialect != tt.dialect {
				t.Errorf("location %v, %v; want %v", loc, err, tt.dialect)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Error("loading the config created the missing directory")
	}
}
