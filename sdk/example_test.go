package sdk_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

// GitHubNotifier is the seed's example, a GitHub webhook that tells a
// chat about pushes, as a Hookpoint plugin.
type GitHubNotifier struct {
	Config struct {
		WebhookSecret       sdk.Secret `json:"GITHUB_WEBHOOK_SECRET" title:"Webhook secret" required:"true"`
		NotificationChatKey string     `json:"NOTIFICATION_CHAT_KEY" title:"Chat to notify" desc:"e.g. onebot_v11-group_123456"`
	}
	host sdk.Host
}

// In your plugin's package: func init() { sdk.Register(GitHubNotifier{}) }

// PluginInfo names the plugin; its webhooks are served under
// {BASE_URL}/api/plugin/my_author.github_notifier/webhook.
func (GitHubNotifier) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          "my_author.github_notifier",
		Name:        "GitHub notifier",
		Description: "Tells a chat about pushes to a GitHub repository.",
		New:         func() sdk.Plugin { return new(GitHubNotifier) },
	}
}

// PluginConfig returns the struct the plugin's config is decoded into.
func (p *GitHubNotifier) PluginConfig() any { return &p.Config }

// Provision mounts the webhook: @plugin.mount_webhook_method(endpoint,
// name, description). The signature is checked over the raw body before
// the handler runs; a request without it is answered 400, a wrong one 403.
func (p *GitHubNotifier) Provision(h sdk.Host) error {
	p.host = h
	signature, err := verify.GitHub(p.Config.WebhookSecret.Reveal())
	if err != nil {
		return err
	}
	return h.Webhook(sdk.Webhook{
		Endpoint:    "/github",
		Name:        "GitHub Webhook Handler",
		Description: "Receives and handles webhook events from GitHub.",
		Methods:     []string{http.MethodPost},
		Verify:      []sdk.Verifier{signature},
		Handler:     sdk.HandlerFunc(p.handleGitHub),
	})
}

// handleGitHub runs for each verified request: it parses the payload and,
// for a push, sends a message to the chat.
func (p *GitHubNotifier) handleGitHub(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	event := req.Header.Get("X-GitHub-Event")
	req.Logger.Info("verified GitHub event", "event", event)
	if event == "push" {
		var push struct {
			Repository struct {
				FullName string `json:"full_name"`
			} `json:"repository"`
			Pusher struct {
				Name string `json:"name"`
			} `json:"pusher"`
			Commits []struct {
				Message string `json:"message"`
			} `json:"commits"`
		}
		if err := req.DecodeJSON(&push); err != nil {
			return nil, err // 400 {"detail": "invalid JSON payload ..."}
		}
		text := fmt.Sprintf("📦 Push to %s\nBy: %s\nCommits: %d", push.Repository.FullName, push.Pusher.Name, len(push.Commits))
		if len(push.Commits) > 0 {
			text += "\nLatest: " + sdk.FirstLine(push.Commits[0].Message, 100)
		}
		if chat := p.Config.NotificationChatKey; chat != "" {
			if err := p.host.Send(ctx, chat, sdk.Message{Text: text}); err != nil {
				return nil, err // 500 with an error id; the details go to the log
			}
		} else {
			req.Logger.Warn("NOTIFICATION_CHAT_KEY is not set; nothing sent")
		}
	}
	return sdk.JSON(http.StatusOK, map[string]string{
		"status":  "success",
		"message": fmt.Sprintf("Event '%s' received and acknowledged.", event),
	})
}

var (
	_ sdk.Configurable = (*GitHubNotifier)(nil)
	_ sdk.Provisioner  = (*GitHubNotifier)(nil)
)

// The plugin of the seed's example: the config keys the server decodes,
// and where its webhook is served.
func Example_plugin() {
	info := GitHubNotifier{}.PluginInfo()
	fmt.Println(info.ID)
	fmt.Println("/api/plugin/" + info.ID + "/webhook/github")
	// Output:
	// my_author.github_notifier
	// /api/plugin/my_author.github_notifier/webhook/github
}
