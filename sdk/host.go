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
	// Send stores msg for the chat that chatKey names ("adapter-channel",
	// e.g. "inbox-group_ops"; the adapter is always taken from the key).
	// It never waits on a chat platform. In a queued handler or a task,
	// the message is written in the transaction that records the run's
	// success: a run that fails or is retried sends nothing twice.
	// Anywhere else (an inline handler, Provision, a goroutine of the
	// plugin's) it is stored durably before Send returns. It returns an
	// error, and stores nothing, for a malformed chat key, an adapter
	// that is not configured, or a failed write.
	Send(ctx context.Context, chatKey string, msg Message) error
	// Worker registers the handler of a task kind; call it in Provision.
	Worker(w Worker) error
	// Enqueue stores a task for the plugin's worker of args.Kind() and
	// returns the task's id, in every context; CancelTask and the admin
	// API know it by that id. The task survives restarts and is retried
	// by the worker's retry policy. In a queued handler or a task, the
	// task is written in the transaction that records the run's success:
	// a run that fails enqueues nothing, and the id it was given names no
	// task. Anywhere else the task is stored before Enqueue returns. With
	// opts.UniqueKey, while a task of the same kind and key is pending or
	// running, Enqueue returns that task's id and stores nothing.
	Enqueue(ctx context.Context, args TaskArgs, opts *EnqueueOpts) (string, error)
	// CancelTask cancels a task of the plugin: a pending one does not
	// run; a running one has its context cancelled, with cause
	// ErrTaskCancelled, and is not retried. It reports whether the task
	// was pending or running; false for one that has finished or does
	// not exist.
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
