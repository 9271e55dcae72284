// Package inbox is the built-in chat adapter: it keeps messages in
// Hookpoint's own database, where the admin API shows them, so a fresh
// install works with no chat account.
package inbox

import (
	"context"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/store"
)

// Name is the adapter part of inbox chat keys ("inbox-group_ops").
const Name = "inbox"

// Saver stores inbox messages; *store.Store implements it.
type Saver interface {
	AddInboxMessage(ctx context.Context, chatKey, plugin, text string, files []store.InboxFile) (int64, error)
}

// Adapter is the inbox chat adapter.
type Adapter struct {
	saver Saver
}

// New returns an inbox adapter that stores messages with s.
func New(s Saver) *Adapter { return &Adapter{saver: s} }

// Name returns "inbox".
func (a *Adapter) Name() string { return Name }

// Send stores the message, with its attachments.
func (a *Adapter) Send(ctx context.Context, out *chat.Outgoing) error {
	_, err := a.saver.AddInboxMessage(ctx, out.Key.String(), out.Plugin, out.Message.Text, files(out))
	return err
}

// SendTx stores the message inside tx, so that a queued run's messages
// commit with its success.
func (a *Adapter) SendTx(ctx context.Context, tx *store.Tx, out *chat.Outgoing) error {
	return store.SaveInboxMessageTx(ctx, tx, out.Key.String(), out.Plugin, out.Message.Text, files(out))
}

func files(out *chat.Outgoing) []store.InboxFile {
	files := make([]store.InboxFile, len(out.Message.Attachments))
	for i, at := range out.Message.Attachments {
		files[i] = store.InboxFile{
			InboxAttachment: store.InboxAttachment{Name: at.Name, ContentType: at.ContentType},
			Data:            at.Data,
		}
	}
	return files
}

var _ chat.Adapter = (*Adapter)(nil)
