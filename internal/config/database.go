package config

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hookpoint/hookpoint/internal/store"
)

// Location returns where the database is, as store.ParseLocation reads
// URL.
func (d *Database) Location() (store.Location, error) { return store.ParseLocation(d.URL) }

// check validates the database location. An explicit SQLite file must be
// in a directory that exists: a typo must not create a database somewhere
// unexpected. The default one's directory, the data directory, is created
// when the database is opened.
func (d *Database) check(explicit bool) error {
	loc, err := d.Location()
	if err != nil {
		return err
	}
	if !explicit || loc.Dialect != store.SQLite {
		return nil
	}
	dir := filepath.Dir(loc.Path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("the SQLite file's directory %s does not exist; create it, or give another path", dir)
	}
	return nil
}
