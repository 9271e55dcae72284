package sdktest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
)

// BaseURL is the base URL that [Host.WebhookURL] uses.
const BaseURL = "http://hookpoint.test"

// SentMessage is a message recorded by [Host.Send].
type SentMessage struct {
	// ChatKey is the chat the message was sent to.
	ChatKey string
	// Msg is the message.
	Msg sdk.Message
}

// Host is a fake [sdk.Host] for plugin unit tests. Create it with
// [NewHost]; set SendFunc, if needed, before the plugin is provisioned.
// Its methods are safe for concurrent use.
//
// Durable tasks ([Host.Worker], [Host.Enqueue]) are kept in memory and
// run only when the test calls [Host.RunTasks] or [Host.RunTask].
type Host struct {
	// SendFunc, when set, is called by Send before the message is
	// recorded. An error it returns is returned by Send and the message
	// is not recorded; use it to inject delivery failures or to observe
	// sends as they happen.
	SendFunc func(ctx context.Context, chatKey string, msg sdk.Message) error

	t       testing.TB
	id      string
	dataDir string
	logger  *slog.Logger
	logs    *lockedBuffer

	mu       sync.Mutex
	webhooks []sdk.Webhook
	sent     []SentMessage
	workers  []sdk.Worker
	tasks    []*taskRecord
	taskSeq  int
	progress map[string]string
	running  map[string]*taskRun // by task id
}

// NewHost returns a fake host for the plugin id ("author.module"). Its
// data directory is DATA_DIR/plugin_data/<id> below t.TempDir(), created
// here as the server creates it before Provision. Log records go to the
// test's output (shown on failure or with -v) and to [Host.Logs].
func NewHost(t testing.TB, id string) *Host {
	t.Helper()
	if _, _, err := sdk.ParseID(id); err != nil {
		t.Fatalf("sdktest.NewHost: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "plugin_data", id)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatalf("sdktest.NewHost: creating data directory: %v", err)
	}
	logs := &lockedBuffer{}
	handler := slog.NewTextHandler(io.MultiWriter(logs, t.Output()), &slog.HandlerOptions{Level: slog.LevelDebug})
	return &Host{
		t:        t,
		id:       id,
		dataDir:  dir,
		logger:   slog.New(handler).With("plugin", id),
		logs:     logs,
		progress: map[string]string{},
		running:  map[string]*taskRun{},
	}
}

// ID returns the plugin id given to [NewHost].
func (h *Host) ID() string { return h.id }

// Logger returns a logger tagged with the plugin id.
func (h *Host) Logger() *slog.Logger { return h.logger }

// Logs returns everything logged so far through the host's logger, in
// slog's text format. Tests can check it for expected warnings, and for
// secrets or bodies that must never appear.
func (h *Host) Logs() string { return h.logs.String() }

// DataDir returns the plugin's data directory.
func (h *Host) DataDir() string { return h.dataDir }

// SetDataDir makes the host use dir as the plugin's data directory, for
// instance another host's, to test that state survives a restart. Call
// it before the plugin is provisioned.
func (h *Host) SetDataDir(dir string) { h.dataDir = dir }

// Webhook records w. Like the server's loader, it refuses a webhook that
// [sdk.Webhook.Validate] refuses, and an endpoint already mounted.
func (h *Host) Webhook(w sdk.Webhook) error {
	if err := w.Validate(); err != nil {
		return fmt.Errorf("plugin %s: %w", h.id, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.webhooks {
		if m.Endpoint == w.Endpoint {
			return fmt.Errorf("plugin %s: webhook endpoint %q is already mounted", h.id, w.Endpoint)
		}
	}
	h.webhooks = append(h.webhooks, w)
	return nil
}

// Mounted returns the webhook mounted at endpoint.
func (h *Host) Mounted(endpoint string) (sdk.Webhook, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range h.webhooks {
		if w.Endpoint == endpoint {
			return w, true
		}
	}
	return sdk.Webhook{}, false
}

// Webhooks returns the mounted webhooks in the order they were mounted.
func (h *Host) Webhooks() []sdk.Webhook {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sdk.Webhook(nil), h.webhooks...)
}

// WebhookURL returns BaseURL + "/api/plugin/<id>/webhook" + endpoint.
func (h *Host) WebhookURL(endpoint string) string {
	return BaseURL + webhookPath(h.id, endpoint)
}

func webhookPath(id, endpoint string) string {
	return "/api/plugin/" + id + "/webhook" + endpoint
}

// Send calls SendFunc, if set, and records the message unless SendFunc
// failed. It fails without recording if ctx is already done. Called
// from a task run by [Host.RunTask], the message is recorded only if the
// run succeeds, as the server commits it with the run.
func (h *Host) Send(ctx context.Context, chatKey string, msg sdk.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if h.SendFunc != nil {
		if err := h.SendFunc(ctx, chatKey, msg); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := SentMessage{ChatKey: chatKey, Msg: msg}
	if run := h.runOf(ctx); run != nil {
		if run.over {
			return fmt.Errorf("sdktest: Send called after task %s returned", run.id)
		}
		run.sent = append(run.sent, m)
		return nil
	}
	h.sent = append(h.sent, m)
	return nil
}

// Sent returns the messages sent so far, oldest first.
func (h *Host) Sent() []SentMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]SentMessage(nil), h.sent...)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ sdk.Host = (*Host)(nil)

// Provision loads p on h as the server does: Validate, if p is an
// [sdk.Validator], then Provision. An error from either fails the test.
func Provision(t testing.TB, h *Host, p sdk.Provisioner) {
	t.Helper()
	if v, ok := p.(sdk.Validator); ok {
		if err := v.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	}
	if err := p.Provision(h); err != nil {
		t.Fatalf("Provision: %v", err)
	}
}
