package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// Rows deferred one by one go in as multi-row statements on PostgreSQL;
// every row arrives, in the order deferred, around other statements
// deferred between them.
func TestDeferredRowsKeepOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.Open(t, d)
		var want []string
		err := s.Do(ctx, func(tx *store.Tx) error {
			want = want[:0] // the write may run again
			for i := range 11 {
				if i == 7 {
					// A statement of another kind between the rows.
					if err := tx.Defer(ctx, `INSERT INTO inbox_messages (chat_key, plugin, text, attachments, created_at) VALUES ('inbox-other', 'a.b', 'other', '[]', 0)`); err != nil {
						return err
					}
				}
				text := fmt.Sprint("m", i)
				want = append(want, text)
				if err := store.SaveInboxMessageTx(ctx, tx, record.Message{ChatKey: "inbox-rows", Plugin: "a.b", Text: text}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.InboxMessages(ctx, "inbox-rows", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Text)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("messages %v, want %v", got, want)
		}
		if other, _ := s.InboxMessages(ctx, "inbox-other", 0, 10); len(other) != 1 {
			t.Fatalf("%d messages from the statement between the rows, want 1", len(other))
		}
	})
}
