package plugin

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/ratelimit"
	"github.com/hookpoint/hookpoint/sdk"
)

// Sender sends chat messages on behalf of a plugin.
type Sender interface {
	Send(ctx context.Context, plugin, chatKey string, msg sdk.Message) error
}

// host is the sdk.Host given to one plugin.
type host struct {
	inst      *Instance
	baseURL   string
	maxBody   int64
	overrides map[string]config.Webhook
	sender    Sender
	bg        *Background

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
		return fmt.Errorf("no chat adapters are configured")
	}
	return h.sender.Send(ctx, h.inst.Info.ID, chatKey, msg)
}

func (h *host) Go(name string, fn func(ctx context.Context) error) string {
	return h.bg.Go(h.inst.Logger, name, fn)
}

func (h *host) Webhook(w sdk.Webhook) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sealed {
		return fmt.Errorf("webhook %s: webhooks can only be mounted during Provision", w.Endpoint)
	}
	if err := ValidateEndpoint(w.Endpoint); err != nil {
		return err
	}
	if _, dup := h.inst.endpoints[w.Endpoint]; dup {
		return fmt.Errorf("endpoint %s is mounted twice", w.Endpoint)
	}
	if w.Handler == nil {
		return fmt.Errorf("webhook %s has no handler", w.Endpoint)
	}
	methods, err := normalizeMethods(w.Methods)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.Endpoint, err)
	}
	for i, v := range w.Verify {
		if v == nil {
			return fmt.Errorf("webhook %s: verifier %d is nil", w.Endpoint, i)
		}
	}
	if len(w.Verify) == 0 && !w.Public {
		return fmt.Errorf("webhook %s has no verification; give it Verify or declare it Public", w.Endpoint)
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
	ep := &Endpoint{
		Plugin:       h.inst,
		Path:         w.Endpoint,
		Name:         w.Name,
		Description:  w.Description,
		Methods:      methods,
		MaxBodyBytes: limit,
		Verify:       w.Verify,
		Public:       w.Public,
		Handler:      w.Handler,
		URL:          h.WebhookURL(w.Endpoint),
		Limiter:      ratelimit.New(o.RateLimit),

		DeliveryIDHeader: idHeader,
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
