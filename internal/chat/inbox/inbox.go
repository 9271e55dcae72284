// Package inbox is the built-in chat adapter: it keeps messages in
// Hookpoint's own database, where the admin API shows them, so a fresh
// install works with no chat account.
package inbox

import (
	"context"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/record"
)

// Name is the adapter part of inbox chat keys ("inbox-group_ops").
const Name = "inbox"

// Saver stores inbox messages; *store.Store implements it.
type Saver interface {
	AddInboxMessage(ctx context.Context, m record.Message) (int64, error)
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
	_, err := a.saver.AddInboxMessage(ctx, out.Record())
	return err
}

var _ chat.Adapter = (*Adapter)(nil)
