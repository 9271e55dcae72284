// Package chat is the chat core: chat keys, the adapter interface and the
// router that picks an adapter from a chat key.
package chat

import (
	"fmt"
	"strings"
	"unicode"
)

// Key is a parsed chat key "{adapter}-{channel}", e.g.
// "onebot_v11-group_123456" or "telegram-group_-1002768666191".
type Key struct {
	Adapter string
	Channel string
}

// String returns the key in its "{adapter}-{channel}" form.
func (k Key) String() string { return k.Adapter + "-" + k.Channel }

// ParseKey splits a chat key on its first "-": the adapter name is
// everything before it, the channel everything after, so channels may
// themselves contain "-", ":", "@" or "!".
func ParseKey(s string) (Key, error) {
	adapter, channel, ok := strings.Cut(s, "-")
	if !ok {
		return Key{}, &KeyError{Key: s, Reason: `want "{adapter}-{channel}", e.g. "inbox-group_ops"`}
	}
	if adapter == "" {
		return Key{}, &KeyError{Key: s, Reason: "adapter name is empty"}
	}
	for _, r := range adapter {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return Key{}, &KeyError{Key: s, Reason: fmt.Sprintf("adapter name %q must match [a-z0-9_]+", adapter)}
		}
	}
	if channel == "" {
		return Key{}, &KeyError{Key: s, Reason: "channel is empty"}
	}
	if len(s) > 512 {
		return Key{}, &KeyError{Key: s[:32] + "…", Reason: "longer than 512 bytes"}
	}
	for _, r := range channel {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' {
			return Key{}, &KeyError{Key: s, Reason: "channel contains a space, control character or slash"}
		}
	}
	return Key{Adapter: adapter, Channel: channel}, nil
}

// KeyError reports a malformed chat key.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("malformed chat key %q: %s", e.Key, e.Reason)
}

// UnknownAdapterError reports a chat key whose adapter is not configured.
type UnknownAdapterError struct {
	Key   Key
	Known []string
}

func (e *UnknownAdapterError) Error() string {
	return fmt.Sprintf("chat key %q: no chat adapter %q (configured: %s)", e.Key, e.Key.Adapter, strings.Join(e.Known, ", "))
}
