// Package github is the built-in GitHub plugin, hookpoint.github: the
// seed's first example. It verifies X-Hub-Signature-256 (against
// GITHUB_WEBHOOK_SECRET and, during a rotation, also
// GITHUB_WEBHOOK_PREVIOUS_SECRET), turns push and issues events into chat
// messages for NOTIFICATION_CHAT_KEY, and acknowledges ping and every
// other event without acting on it.
//
// Its webhook is served at
// {BASE_URL}/api/plugin/hookpoint.github/webhook/github and accepts both
// of GitHub's content types, application/json and
// application/x-www-form-urlencoded (JSON in the payload field).
//
// The webhook is queued ([sdk.ModeQueued]): a delivery that passes the
// signature check and whose payload decodes is stored and answered 202
// at once; a malformed one is refused with a 400 before it is stored.
// The notification is then sent from the durable queue, retried while the
// chat cannot take it.
package github

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

func init() { sdk.Register(Plugin{}) }

// ID is the plugin key.
const ID = "hookpoint.github"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/github"

// MaxBodyBytes is GitHub's documented payload cap, 25 MB.
const MaxBodyBytes = 25 << 20

// Config is the plugin's config section.
type Config struct {
	// WebhookSecret is the secret set on the GitHub webhook.
	WebhookSecret sdk.Secret `json:"GITHUB_WEBHOOK_SECRET" title:"Webhook secret" desc:"The secret set on the GitHub webhook; deliveries must carry a matching X-Hub-Signature-256." required:"true"`
	// PreviousWebhookSecret is the secret being rotated out. While it is
	// set, deliveries signed with either secret are accepted.
	PreviousWebhookSecret sdk.Secret `json:"GITHUB_WEBHOOK_PREVIOUS_SECRET" title:"Previous webhook secret" desc:"During secret rotation, the old secret: deliveries signed with it are accepted too. Remove it once GitHub uses the new secret."`
	// NotificationChatKey is the chat that receives notifications. Empty
	// means events are acknowledged and logged but nothing is sent.
	NotificationChatKey string `json:"NOTIFICATION_CHAT_KEY" title:"Notification chat" desc:"chat_key that receives push and issue notifications, e.g. inbox-group_ops. Empty: events are only logged."`
}

// Plugin is the GitHub plugin.
type Plugin struct {
	Config Config

	host sdk.Host
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:               ID,
		Name:             "GitHub",
		Description:      "Receives GitHub webhooks and posts push and issue notifications to a chat.",
		Version:          "0.1.0",
		EnabledByDefault: true,
		New:              func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks that the webhook secret is set.
func (p *Plugin) Validate() error {
	if !p.Config.WebhookSecret.IsSet() {
		return errors.New("GITHUB_WEBHOOK_SECRET is required")
	}
	return nil
}

// Provision mounts the /github webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	secrets := []string{p.Config.WebhookSecret.Reveal()}
	if p.Config.PreviousWebhookSecret.IsSet() {
		secrets = append(secrets, p.Config.PreviousWebhookSecret.Reveal())
	}
	v, err := verify.GitHub(secrets...)
	if err != nil {
		return fmt.Errorf("building GitHub signature verifier: %w", err)
	}
	p.host = h
	if p.Config.NotificationChatKey == "" {
		h.Logger().Warn("NOTIFICATION_CHAT_KEY is not set; GitHub events will be acknowledged but not sent to any chat")
	}
	return h.Webhook(sdk.Webhook{
		Endpoint:     Endpoint,
		Name:         "GitHub Webhook Handler",
		Description:  "Receives GitHub events and notifies NOTIFICATION_CHAT_KEY of pushes and issues.",
		Methods:      []string{http.MethodPost},
		MaxBodyBytes: MaxBodyBytes,
		Verify:       []sdk.Verifier{v},
		Mode:         sdk.ModeQueued,
		Check:        check,
		Handler:      sdk.HandlerFunc(p.serveGitHub),
	})
}

// check refuses, before the delivery is stored, what the handler would
// refuse for sure: a delivery with no event header, or a handled event
// whose payload is not one JSON object. It scans the payload without
// decoding it; decoding is the queued handler's work, and a payload of
// the wrong shape (which GitHub does not send) is dead-lettered there with
// the decoder's error.
func check(req *sdk.Request) error {
	event := req.Header.Get(HeaderEvent)
	if event == "" {
		return sdk.Error(http.StatusBadRequest, "missing "+HeaderEvent+" header")
	}
	if _, ok := events[event]; !ok {
		return nil
	}
	payload, err := payloadBytes(req)
	if err != nil {
		return err
	}
	return sdk.CheckJSONObject(payload)
}

// parse reads a delivery's event and, for a handled event, decodes its
// payload. It has no side effects. A malformed delivery is a 4xx
// [*sdk.HTTPError], which fails a queued delivery for good.
func parse(req *sdk.Request) (event string, r reply, handled bool, err error) {
	event = req.Header.Get(HeaderEvent)
	if event == "" {
		return "", reply{}, false, sdk.Error(http.StatusBadRequest, "missing "+HeaderEvent+" header")
	}
	handle, ok := events[event]
	if !ok {
		return event, reply{}, false, nil
	}
	payload, err := payloadBytes(req)
	if err != nil {
		return event, reply{}, false, err
	}
	r, err = handle(payload)
	if err != nil {
		return event, reply{}, false, err
	}
	return event, r, true, nil
}

// serveGitHub handles one verified delivery. A failure to send is
// returned as a plain error, so the queue retries the delivery.
func (p *Plugin) serveGitHub(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	event, r, handled, err := parse(req)
	if err != nil {
		return nil, err
	}
	// Attributes, not Logger.With: each path logs once, and With formats
	// them for a logger that would log once.
	log, attrs := req.Logger, []any{"event", event, "delivery_id", req.DeliveryID}
	if !handled {
		log.Info("ignoring unhandled GitHub event", attrs...)
		return sdk.JSON(http.StatusOK, map[string]string{"status": "ignored", "event": event})
	}
	attrs = append(attrs, r.logAttrs...)
	if r.text != "" {
		chat := p.Config.NotificationChatKey
		if chat == "" {
			log.Warn("GitHub event not sent: NOTIFICATION_CHAT_KEY is not set", attrs...)
		} else {
			if err := p.host.Send(ctx, chat, sdk.Message{Text: r.text}); err != nil {
				return nil, fmt.Errorf("sending %s notification to %s: %w", event, chat, err)
			}
			log.Info("GitHub event sent to chat", append(attrs, "chat_key", chat)...)
		}
	} else {
		log.Info("GitHub event received", attrs...)
	}
	body := map[string]any{
		"status":  "success",
		"message": fmt.Sprintf("Event '%s' received and acknowledged.", event),
	}
	maps.Copy(body, r.extra)
	return sdk.JSON(http.StatusOK, body)
}

// payloadBytes returns the JSON payload of a delivery: the body, or the
// payload field of a form-encoded one.
func payloadBytes(req *sdk.Request) ([]byte, error) {
	if req.ContentType() != "application/x-www-form-urlencoded" {
		return req.Body, nil
	}
	form, err := req.Form()
	if err != nil {
		return nil, err
	}
	payload := form.Get("payload")
	if payload == "" {
		return nil, sdk.Error(http.StatusBadRequest, "form-encoded delivery has no payload field")
	}
	return []byte(payload), nil
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
