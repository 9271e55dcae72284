package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/outbox"
	"github.com/hookpoint/hookpoint/internal/ratelimit"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Sender prepares and sends chat messages on behalf of a plugin;
// *chat.Router implements it.
type Sender interface {
	Prepare(plugin, chatKey string, msg sdk.Message) (*chat.Outgoing, error)
	Send(ctx context.Context, plugin, chatKey string, msg sdk.Message) error
}

// TaskStore stores durable tasks; *store.Store implements it.
type TaskStore interface {
	Enqueue(ctx context.Context, t record.NewTask) (int64, bool, error)
	CancelTask(ctx context.Context, plugin string, id int64) (record.Cancel, error)
	// ReserveTaskID returns the id of a task stored later, with a run.
	ReserveTaskID(ctx context.Context) (int64, error)
	// PendingTask finds a pending or running task by its unique key.
	PendingTask(ctx context.Context, plugin, kind, uniqueKey string) (int64, bool, error)
}

// WorkerSpec is a registered task worker with its policy resolved.
type WorkerSpec struct {
	sdk.Worker
	Policy sdk.RetryPolicy
}

// host is the sdk.Host given to one plugin.
type host struct {
	inst      *Instance
	baseURL   string
	maxBody   int64
	overrides map[string]config.Webhook
	sender    Sender
	tasks     TaskStore
	notify    func()
	cancelRun func(id int64) // cancels a task this process runs, at once

	mu     sync.Mutex
	sealed bool
}

func (h *host) ID() string           { return h.inst.Info.ID }
func (h *host) Logger() *slog.Logger { return h.inst.Logger }
func (h *host) DataDir() string      { return h.inst.DataDir }
func (h *host) WebhookURL(ep string) string {
	return WebhookURL(h.baseURL, h.inst.Info.ID, ep)
}

// WebhookURL returns {baseURL}/api/plugin/{id}/webhook{endpoint}.
func WebhookURL(baseURL, id, endpoint string) string {
	return baseURL + "/api/plugin/" + id + "/webhook" + endpoint
}

func (h *host) Send(ctx context.Context, chatKey string, msg sdk.Message) error {
	if h.sender == nil {
		return errors.New("no chat adapters are configured")
	}
	if ob := outbox.From(ctx); ob != nil {
		out, err := h.sender.Prepare(h.inst.Info.ID, chatKey, msg)
		if err != nil {
			return err
		}
		ob.AddMessage(out.Record())
		return nil
	}
	return h.sender.Send(ctx, h.inst.Info.ID, chatKey, msg)
}

func (h *host) Worker(w sdk.Worker) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sealed {
		return fmt.Errorf("worker %s: workers can only be registered during Provision", w.Kind)
	}
	if w.Kind == "" || w.Handler == nil {
		return errors.New("a worker needs a Kind and a Handler")
	}
	if _, dup := h.inst.workers[w.Kind]; dup {
		return fmt.Errorf("worker %s is registered twice", w.Kind)
	}
	h.inst.workers[w.Kind] = &WorkerSpec{Worker: w, Policy: w.Retry.WithDefaults()}
	return nil
}

func (h *host) Enqueue(ctx context.Context, args sdk.TaskArgs, opts *sdk.EnqueueOpts) (string, error) {
	kind := args.Kind()
	w := h.inst.workers[kind]
	if w == nil {
		return "", fmt.Errorf("enqueueing %s: plugin %s has no worker of that kind", kind, h.inst.Info.ID)
	}
	if h.tasks == nil {
		return "", errors.New("enqueueing: no task store")
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "", fmt.Errorf("encoding %s task arguments: %w", kind, err)
	}
	if opts == nil {
		opts = &sdk.EnqueueOpts{}
	}
	t := record.NewTask{Plugin: h.inst.Info.ID, Kind: kind, Args: b, UniqueKey: opts.UniqueKey, MaxAttempts: w.Policy.MaxAttempts}
	if opts.MaxAttempts > 0 {
		t.MaxAttempts = opts.MaxAttempts
	}
	if opts.Delay > 0 {
		t.RunAt = time.Now().Add(opts.Delay)
	}
	if ob := outbox.From(ctx); ob != nil {
		return h.enqueueInRun(ctx, ob, t)
	}
	id, _, err := h.tasks.Enqueue(ctx, t)
	if err != nil {
		return "", err
	}
	if h.notify != nil {
		h.notify()
	}
	return strconv.FormatInt(id, 10), nil
}

// enqueueInRun records t in the outbox of a queued run, to be stored when
// the run commits, and returns the id it will have: one reserved for it,
// or that of the pending task its unique key names.
func (h *host) enqueueInRun(ctx context.Context, ob *outbox.Outbox, t record.NewTask) (string, error) {
	if t.UniqueKey != "" {
		id, found, err := h.tasks.PendingTask(ctx, t.Plugin, t.Kind, t.UniqueKey)
		if err != nil {
			return "", err
		}
		if found {
			return strconv.FormatInt(id, 10), nil
		}
	}
	id, err := h.tasks.ReserveTaskID(ctx)
	if err != nil {
		return "", err
	}
	t.ID = id
	ob.AddTask(t)
	return strconv.FormatInt(id, 10), nil
}

func (h *host) CancelTask(ctx context.Context, id string) (bool, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return false, fmt.Errorf("task id %q is not a number", id)
	}
	if h.tasks == nil {
		return false, errors.New("cancelling: no task store")
	}
	c, err := h.tasks.CancelTask(ctx, h.inst.Info.ID, n)
	if c == record.CancelRequested && h.cancelRun != nil {
		h.cancelRun(n)
	}
	return c == record.Cancelled || c == record.CancelRequested, err
}

func (h *host) Webhook(w sdk.Webhook) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sealed {
		return fmt.Errorf("webhook %s: webhooks can only be mounted during Provision", w.Endpoint)
	}
	if err := w.Validate(); err != nil {
		return err
	}
	if _, dup := h.inst.endpoints[w.Endpoint]; dup {
		return fmt.Errorf("endpoint %s is mounted twice", w.Endpoint)
	}
	limit := h.maxBody
	if w.MaxBodyBytes > 0 {
		limit = w.MaxBodyBytes
	}
	o := h.overrides[w.Endpoint]
	if o.MaxBodyBytes > 0 {
		limit = o.MaxBodyBytes
	}
	idHeader := w.DeliveryIDHeader
	if o.DeliveryIDHeader != "" {
		idHeader = o.DeliveryIDHeader
	}
	policy := w.Retry
	if o.Retry.MaxAttempts > 0 {
		policy.MaxAttempts = o.Retry.MaxAttempts
	}
	if o.Retry.MinBackoff > 0 {
		policy.MinBackoff = o.Retry.MinBackoff
	}
	if o.Retry.MaxBackoff > 0 {
		policy.MaxBackoff = o.Retry.MaxBackoff
	}
	ep := &Endpoint{
		Plugin:           h.inst,
		Path:             w.Endpoint,
		Name:             w.Name,
		Description:      w.Description,
		Methods:          w.AllowedMethods(),
		MaxBodyBytes:     limit,
		Verify:           w.Verify,
		Public:           w.Public,
		Mode:             w.Mode,
		Retry:            policy.WithDefaults(),
		Handler:          w.Handler,
		Check:            w.Check,
		URL:              h.WebhookURL(w.Endpoint),
		Limiter:          ratelimit.New(o.RateLimit),
		DeliveryIDHeader: idHeader,
		SensitiveHeaders: w.SensitiveHeaders,
	}
	h.inst.endpoints[w.Endpoint] = ep
	h.inst.order = append(h.inst.order, ep)
	return nil
}

func (h *host) seal() {
	h.mu.Lock()
	h.sealed = true
	h.mu.Unlock()
}

var _ sdk.Host = (*host)(nil)
