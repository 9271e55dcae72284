package store_test

import (
	"context"
	"testing"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// A deferred statement commits with its transaction; one that fails fails
// the write, and the write's other statements are rolled back with it.
func TestDeferredStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		err := s.Do(ctx, func(tx *store.Tx) error {
			for _, text := range []string{"one", "two"} {
				if err := store.SaveInboxMessageTx(ctx, tx, record.Message{ChatKey: "inbox-d", Plugin: "a.b", Text: text}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := s.InboxMessages(ctx, "inbox-d", 0, 10)
		if err != nil || len(msgs) != 2 || msgs[0].Text != "one" || msgs[1].Text != "two" {
			t.Fatalf("messages = %+v, %v; want one, two", msgs, err)
		}

		err = s.Do(ctx, func(tx *store.Tx) error {
			if _, err := store.AddInboxMessageTx(ctx, tx, record.Message{ChatKey: "inbox-d", Plugin: "a.b", Text: "rolled back"}); err != nil {
				return err
			}
			return tx.Defer(ctx, `INSERT INTO no_such_table (x) VALUES (?)`, 1)
		})
		if err == nil {
			t.Fatal("a failing deferred statement did not fail its write")
		}
		if msgs, _ := s.InboxMessages(ctx, "inbox-d", 0, 10); len(msgs) != 2 {
			t.Errorf("%d messages after the failed write, want 2", len(msgs))
		}
	})
}
