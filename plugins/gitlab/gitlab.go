// Package gitlab is the built-in GitLab plugin, hookpoint.gitlab. It
// checks X-Gitlab-Token against GITLAB_WEBHOOK_TOKEN (and, during a
// rotation, GITLAB_WEBHOOK_PREVIOUS_TOKEN), turns push, tag push, merge
// request, issue, pipeline and release events into chat messages for
// NOTIFICATION_CHAT_KEY, and acknowledges every other event without
// acting on it.
//
// Its webhook is served at
// {BASE_URL}/api/plugin/hookpoint.gitlab/webhook/gitlab. GitLab sends
// JSON only and names the event in X-Gitlab-Event ("Push Hook", ...).
//
// The webhook is queued ([sdk.ModeQueued]): a delivery that carries the
// token and whose payload decodes is stored and answered 202 at once, well
// within GitLab's timeout; a malformed one is refused with a 400 before it
// is stored. The notification is then sent from the durable queue,
// retried while the chat cannot take it.
package gitlab

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
const ID = "hookpoint.gitlab"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/gitlab"

// MaxBodyBytes is GitLab's webhook payload cap, 25 MB: GitLab does not
// send larger payloads (gitlab-org/gitlab merge request 38687).
const MaxBodyBytes = 25 << 20

// Config is the plugin's config section.
type Config struct {
	// WebhookToken is the secret token set on the GitLab webhook.
	WebhookToken sdk.Secret `json:"GITLAB_WEBHOOK_TOKEN" title:"Webhook secret token" desc:"The secret token set on the GitLab webhook; deliveries must carry it in X-Gitlab-Token." required:"true"`
	// PreviousWebhookToken is the token being rotated out. While it is
	// set, deliveries carrying either token are accepted.
	PreviousWebhookToken sdk.Secret `json:"GITLAB_WEBHOOK_PREVIOUS_TOKEN" title:"Previous webhook secret token" desc:"During token rotation, the old token: deliveries carrying it are accepted too. Remove it once every GitLab webhook uses the new token."`
	// NotificationChatKey is the chat that receives notifications. Empty
	// means events are acknowledged and logged but nothing is sent.
	NotificationChatKey string `json:"NOTIFICATION_CHAT_KEY" title:"Notification chat" desc:"chat_key that receives push, tag, merge request, issue, pipeline and release notifications, e.g. inbox-group_ops. Empty: events are only logged."`
}

// Plugin is the GitLab plugin.
type Plugin struct {
	Config Config

	host sdk.Host
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          ID,
		Name:        "GitLab",
		Description: "Receives GitLab webhooks and posts push, merge request, issue and pipeline notifications to a chat.",
		Version:     "0.1.0",
		New:         func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks that the webhook token is set.
func (p *Plugin) Validate() error {
	if !p.Config.WebhookToken.IsSet() {
		return errors.New("GITLAB_WEBHOOK_TOKEN is required")
	}
	return nil
}

// tokens returns the accepted tokens: the current one, then the previous
// one if set.
func (p *Plugin) tokens() []string {
	tokens := []string{p.Config.WebhookToken.Reveal()}
	if p.Config.PreviousWebhookToken.IsSet() {
		tokens = append(tokens, p.Config.PreviousWebhookToken.Reveal())
	}
	return tokens
}

// Provision mounts the /gitlab webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	v, err := verify.GitLab(p.tokens()...)
	if err != nil {
		return fmt.Errorf("building GitLab token verifier: %w", err)
	}
	p.host = h
	if p.Config.NotificationChatKey == "" {
		h.Logger().Warn("NOTIFICATION_CHAT_KEY is not set; GitLab events will be acknowledged but not sent to any chat")
	}
	return h.Webhook(sdk.Webhook{
		Endpoint:     Endpoint,
		Name:         "GitLab Webhook Handler",
		Description:  "Receives GitLab events and notifies NOTIFICATION_CHAT_KEY of pushes, tags, merge requests, issues, pipelines and releases.",
		Methods:      []string{http.MethodPost},
		MaxBodyBytes: MaxBodyBytes,
		Verify:       []sdk.Verifier{v},
		Mode:         sdk.ModeQueued,
		Check:        check,
		Handler:      sdk.HandlerFunc(p.serveGitLab),
	})
}

// check refuses, before the delivery is stored, what the handler would
// refuse for sure: a delivery with no event header, or a handled event
// whose payload is not one JSON object. It scans the payload without
// decoding it; decoding is the queued handler's work, and a payload of
// the wrong shape (which GitLab does not send) is dead-lettered there with
// the decoder's error.
func check(req *sdk.Request) error {
	event := req.Header.Get(HeaderEvent)
	if event == "" {
		return sdk.Error(http.StatusBadRequest, "missing "+HeaderEvent+" header")
	}
	if _, ok := events[event]; !ok {
		return nil
	}
	return sdk.CheckJSONObject(req.Body)
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
	r, err = handle(req.Body)
	if err != nil {
		return event, reply{}, false, err
	}
	return event, r, true, nil
}

// serveGitLab handles one verified delivery. A failure to send is
// returned as a plain error, so the queue retries the delivery.
func (p *Plugin) serveGitLab(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	event, r, handled, err := parse(req)
	if err != nil {
		return nil, err
	}
	// Attributes, not Logger.With: each path logs once, and With formats
	// them for a logger that would log once.
	log, attrs := req.Logger, []any{"event", event, "delivery_id", req.DeliveryID}
	if !handled {
		log.Info("ignoring unhandled GitLab event", attrs...)
		return sdk.JSON(http.StatusOK, map[string]string{"status": "ignored", "event": event})
	}
	attrs = append(attrs, r.logAttrs...)
	if r.text != "" {
		chat := p.Config.NotificationChatKey
		if chat == "" {
			log.Warn("GitLab event not sent: NOTIFICATION_CHAT_KEY is not set", attrs...)
		} else {
			if err := p.host.Send(ctx, chat, sdk.Message{Text: r.text}); err != nil {
				return nil, fmt.Errorf("sending %s notification to %s: %w", event, chat, err)
			}
			log.Info("GitLab event sent to chat", append(attrs, "chat_key", chat)...)
		}
	} else {
		log.Info("GitLab event received", attrs...)
	}
	body := map[string]any{
		"status":  "success",
		"message": fmt.Sprintf("Event '%s' received and acknowledged.", event),
	}
	maps.Copy(body, r.extra)
	return sdk.JSON(http.StatusOK, body)
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
