package store_test

import (
	"context"
	"testing"

	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// The queue's statements are planned as index lookups on PostgreSQL; the
// setting lasts only for their transaction, and never reaches the
// connection's later statements (listings, counts).
func TestIndexLookupsLastOnlyTheirTransaction(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.Postgres)
	setting := `SELECT current_setting('enable_hashjoin')`
	after := func(when string) {
		t.Helper()
		// The pool hands back the connection just used: it is idle.
		for range 4 {
			var v string
			if err := s.Reader().QueryRowContext(ctx, setting).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != "on" {
				t.Fatalf("after %s: enable_hashjoin = %s on a later statement", when, v)
			}
		}
	}

	var inside string
	err := s.QueryAlone(ctx, func(rows store.Rows) error {
		defer rows.(interface{ Close() }).Close()
		for rows.Next() {
			if err := rows.Scan(&inside); err != nil {
				return err
			}
		}
		return rows.Err()
	}, setting)
	if err != nil || inside != "off" {
		t.Fatalf("QueryAlone: enable_hashjoin = %q, %v; want off", inside, err)
	}
	after("QueryAlone")

	err = s.Do(ctx, func(tx *store.Tx) error {
		if err := tx.IndexLookups(ctx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, setting).Scan(&inside)
	})
	if err != nil || inside != "off" {
		t.Fatalf("in a transaction: enable_hashjoin = %q, %v; want off", inside, err)
	}
	after("a transaction")
}
