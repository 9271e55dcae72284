package chat

import (
	"context"
	"fmt"
	"sort"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Outgoing is a message on its way to a chat.
type Outgoing struct {
	// Key is the destination.
	Key Key
	// Plugin is the key of the plugin that sends it.
	Plugin string
	// Message is what is sent.
	Message sdk.Message
}

// Record returns the message as it is stored.
func (o *Outgoing) Record() record.Message {
	m := record.Message{ChatKey: o.Key.String(), Plugin: o.Plugin, Text: o.Message.Text}
	for _, at := range o.Message.Attachments {
		m.Attachments = append(m.Attachments, record.Attachment{Name: at.Name, ContentType: at.ContentType, Size: len(at.Data), Data: at.Data})
	}
	return m
}

// Adapter delivers messages to one chat platform.
type Adapter interface {
	// Name is the adapter part of chat keys, e.g. "inbox" or "telegram".
	Name() string
	// Send delivers one message.
	Send(ctx context.Context, out *Outgoing) error
}

// Router sends messages through the adapter that a chat key names.
type Router struct {
	adapters map[string]Adapter
}

// NewRouter returns a Router over adapters; names must be unique.
func NewRouter(adapters ...Adapter) (*Router, error) {
	r := &Router{adapters: map[string]Adapter{}}
	for _, a := range adapters {
		if _, dup := r.adapters[a.Name()]; dup {
			return nil, fmt.Errorf("chat adapter %q configured twice", a.Name())
		}
		r.adapters[a.Name()] = a
	}
	return r, nil
}

// Adapters returns the configured adapter names, sorted.
func (r *Router) Adapters() []string {
	names := make([]string, 0, len(r.adapters))
	for n := range r.adapters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Prepare parses chatKey and checks that its adapter is configured. The
// adapter comes from the chat key alone.
func (r *Router) Prepare(plugin, chatKey string, msg sdk.Message) (*Outgoing, error) {
	key, err := ParseKey(chatKey)
	if err != nil {
		return nil, err
	}
	if _, ok := r.adapters[key.Adapter]; !ok {
		return nil, &UnknownAdapterError{Key: key, Known: r.Adapters()}
	}
	return &Outgoing{Key: key, Plugin: plugin, Message: msg}, nil
}

// Send sends msg to chatKey through the adapter the key names.
func (r *Router) Send(ctx context.Context, plugin, chatKey string, msg sdk.Message) error {
	out, err := r.Prepare(plugin, chatKey, msg)
	if err != nil {
		return err
	}
	return r.Deliver(ctx, out)
}

// Deliver sends a prepared message.
func (r *Router) Deliver(ctx context.Context, out *Outgoing) error {
	if err := r.adapters[out.Key.Adapter].Send(ctx, out); err != nil {
		return fmt.Errorf("sending to %s: %w", out.Key, err)
	}
	return nil
}
