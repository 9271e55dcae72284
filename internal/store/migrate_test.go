package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// A database written by an earlier version keeps its deliveries when the
// schema moves headers and bodies to their own table (migration 003).
func TestMigrationKeepsDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		url := storetest.URL(t, d)
		driver, dsn := "sqlite", url
		if d == store.Postgres {
			driver = "pgx"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1) // the search_path of a PostgreSQL test schema is per connection
		defer db.Close()
		mustExec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", strings.SplitN(q, "\n", 2)[0], err)
			}
		}
		mustExec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`)
		for v, name := range []string{"001_inbox.sql", "002_queue.sql"} {
			body, err := os.ReadFile(filepath.Join("migrations", d.String(), name))
			if err != nil {
				t.Fatal(err)
			}
			mustExec(string(body))
			mustExec(`INSERT INTO schema_migrations (version) VALUES (` + strconv.Itoa(v+1) + `)`)
		}
		mustExec(`INSERT INTO deliveries (plugin, endpoint, mode, method, path, headers, body, delivery_id, state, max_attempts, run_at, received_at)
			VALUES ('a.b', '/hook', 'queued', 'POST', '/api/plugin/a.b/webhook/hook', '{"X-Github-Event":["push"]}', 'old body', 'd-1', 'done', 5, 1, 1)`)
		db.Close()

		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatalf("migrating: %v", err)
		}
		defer s.Close()
		got, err := s.Deliveries(ctx, record.DeliveryFilter{DeliveryID: "d-1"})
		if err != nil || len(got) != 1 {
			t.Fatalf("deliveries after migration = %v, %v", got, err)
		}
		if string(got[0].Body) != "old body" || got[0].Header.Get("X-GitHub-Event") != "push" || got[0].State != record.StateDone {
			t.Errorf("delivery after migration = %+v, body %q", got[0], got[0].Body)
		}
		// The old delivery id still dedupes.
		redelivery := queued([]byte("new"), "d-1")
		redelivery.MaxAttempts = 5
		_, res, err := s.InsertDelivery(ctx, redelivery, "me", time.Now())
		if err != nil || res != record.Duplicate {
			t.Errorf("redelivery after migration: result %v, %v; want Duplicate", res, err)
		}
	})
}
