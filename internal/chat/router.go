package chat

import (
	"context"
	"fmt"
	"sort"

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

// Send parses chatKey and sends msg through the adapter it names. The
// adapter comes from the chat key alone.
func (r *Router) Send(ctx context.Context, plugin, chatKey string, msg sdk.Message) error {
	key, err := ParseKey(chatKey)
	if err != nil {
		return err
	}
	a, ok := r.adapters[key.Adapter]
	if !ok {
		return &UnknownAdapterError{Key: key, Known: r.Adapters()}
	}
	if err := a.Send(ctx, &Outgoing{Key: key, Plugin: plugin, Message: msg}); err != nil {
		return fmt.Errorf("sending to %s: %w", key, err)
	}
	return nil
}
