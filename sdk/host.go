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
	// key ("adapter-channel", e.g. "inbox-group_ops"). Called from a
	// queued handler or a task, the message is committed together with
	// the run's success, so a retried run never sends it twice.
	Send(ctx context.Context, chatKey string, msg Message) error
	// Worker registers the handler of a task kind; call it in Provision.
	Worker(w Worker) error
	// Enqueue stores a task for the plugin's worker of args.Kind() and
	// returns its id. The task survives restarts and is retried by the
	// worker's retry policy. Called from a queued handler or a task, the
	// task is stored when the run commits, and the id returned is "".
	Enqueue(ctx context.Context, args TaskArgs, opts *EnqueueOpts) (string, error)
	// CancelTask cancels a pending task of the plugin. It reports whether
	// the task was still pending.
	CancelTask(ctx context.Context, id string) (bool, error)
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
