package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// Inbox messages and their files survive the store's closing and
// opening again, and page by id.
func TestInboxRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		url := storetest.URL(t, d)
		if d == store.SQLite {
			url = filepath.Join(t.TempDir(), "db", "hookpoint.db") // in a directory Open creates
		}
		ctx := context.Background()
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if _, err := s.AddInboxMessage(ctx, record.Message{ChatKey: "inbox-a", Plugin: "x.y", Text: "msg"}); err != nil {
				t.Fatal(err)
			}
		}
		id, err := s.AddInboxMessage(ctx, record.Message{ChatKey: "inbox-b", Plugin: "x.y", Text: "with file",
			Attachments: []record.Attachment{{Name: "r.txt", ContentType: "text/plain", Data: []byte("data")}}})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()

		// Reopen: the schema migration must not run twice and data must survive.
		s, err = store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		page1, err := s.InboxMessages(ctx, "inbox-a", 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		page2, err := s.InboxMessages(ctx, "inbox-a", page1[len(page1)-1].ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page1) != 3 || len(page2) != 2 || page2[0].ID <= page1[2].ID {
			t.Errorf("pages of %d and %d messages", len(page1), len(page2))
		}
		b, err := s.InboxMessages(ctx, "inbox-b", 0, 10)
		if err != nil || len(b) != 1 || len(b[0].Attachments) != 1 || b[0].Attachments[0].Size != 4 {
			t.Fatalf("inbox-b = %+v, %v", b, err)
		}
		f, err := s.InboxFile(ctx, id, 0)
		if err != nil || string(f.Data) != "data" || f.Name != "r.txt" {
			t.Errorf("file = %+v, %v", f, err)
		}
		if _, err := s.InboxFile(ctx, id, 1); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("missing file err = %v", err)
		}
		chats, err := s.InboxChats(ctx)
		if err != nil || len(chats) != 2 || chats[0].Messages != 5 {
			t.Errorf("chats = %+v, %v", chats, err)
		}
	})
}
