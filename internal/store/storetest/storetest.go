// Package storetest opens test databases: a SQLite file in a temporary
// directory, and a fresh schema on a running PostgreSQL server, so one
// test suite runs against both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
)

// DefaultPostgresURL is the server the tests use when TEST_DATABASE_URL
// is unset: the local PostgreSQL with trust authentication.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	pgOnce sync.Once
	pgErr  error
	pgURL  string
)

// PostgresURL returns the URL of the test PostgreSQL server, from
// TEST_DATABASE_URL or DefaultPostgresURL. When no server answers the test
// is skipped, saying so — unless CI is "true", where it fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() {
		pgURL = os.Getenv("TEST_DATABASE_URL")
		if pgURL == "" {
			pgURL = DefaultPostgresURL
		}
		db, err := sql.Open("pgx", pgURL)
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	if pgErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is not reachable (CI runs the PostgreSQL tests): %v", redact(pgURL), pgErr)
		}
		t.Skipf("skipping PostgreSQL test: no server at %s (set TEST_DATABASE_URL): %v", redact(pgURL), pgErr)
	}
	return pgURL
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// NewPostgresSchema creates an empty schema for one test and returns a URL
// whose connections use it; the schema is dropped when the test ends.
func NewPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	schema := "hp_test_" + strings.ToLower(rand.Text()[:12])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// Dialects lists the databases a conformance test runs against.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// URL returns a fresh database URL of the dialect for one test.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.Postgres {
		return NewPostgresSchema(t)
	}
	return filepath.Join(t.TempDir(), "hookpoint.db")
}

// Open opens a fresh database of the dialect, closed when the test ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatalf("opening %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Each runs fn as a subtest per dialect.
func Each(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d.String(), func(t *testing.T) {
			fn(t, d)
		})
	}
}

// SQLitePragma reads a setting of the SQLite connection that commits s's
// writes (PRAGMA name), as a number.
func SQLitePragma(t testing.TB, s *store.Store, name string) int {
	t.Helper()
	var v int
	if err := s.Do(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `PRAGMA `+name).Scan(&v)
	}); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// QueuedDelivery is a queued delivery of plugin t.p's endpoint /e, with
// delivery id id.
func QueuedDelivery(id string) *record.Delivery {
	return &record.Delivery{
		Plugin: "t.p", Endpoint: "/e", Mode: record.ModeQueued, Method: "POST", Path: "/api/plugin/t.p/webhook/e",
		Header: http.Header{"X-Event": {"push"}}, Body: []byte(`{"n":1}`), DeliveryID: id, MaxAttempts: 3,
	}
}

// InsertQueued stores QueuedDelivery(id), pending, and returns its row id.
func InsertQueued(t testing.TB, s *store.Store, id string) int64 {
	t.Helper()
	rowID, res, err := s.InsertDelivery(context.Background(), QueuedDelivery(id), "", time.Time{})
	if err != nil || res != record.Stored {
		t.Fatalf("insert %q: %v %v", id, res, err)
	}
	return rowID
}
