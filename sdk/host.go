package sdk

import (
	"context"
	"log/slog"
)

// Host is what a plugin receives from Hookpoint in Provision.
type Host interface {
	// ID returns the plugin key, "author.module".
	ID() string
	// Logger returns the plugin's logger; every record carries the plugin
	// key.
	Logger() *slog.Logger
	// DataDir returns the plugin's data directory,
	// DATA_DIR/plugin_data/author.module, created before Provision.
	DataDir() string
	// Webhook mounts a webhook endpoint. It fails on an invalid or
	// duplicate endpoint.
	Webhook(w Webhook) error
	// WebhookURL returns the full URL of an endpoint of this plugin.
	WebhookURL(endpoint string) string
	// Send sends a message to a chat. The adapter is chosen from the chat
	// key ("adapter-channel", e.g. "inbox-group_ops").
	Send(ctx context.Context, chatKey string, msg Message) error
	// Go runs fn in the background and returns a task id at once. The
	// context fn receives is cancelled when the server shuts down, and
	// shutdown waits for fn to return.
	Go(name string, fn func(ctx context.Context) error) string
}

// Message is a message sent to a chat.
type Message struct {
	// Text is the message text.
	Text string
	// Attachments are files or images sent with the text, where the
	// adapter supports them.
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}
