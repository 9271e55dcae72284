// Package job is the built-in job plugin, hookpoint.job: the seed's
// fourth example. A POST starts a slow job in the background and is
// answered 202 at once; when the job ends, it sends "Task <id> finished."
// to the chat the request named. Clients authenticate with
// "Authorization: Bearer <API_TOKEN>".
//
// Jobs run through [sdk.Host.Go]: they are cancelled at shutdown, and a
// job still waiting then is not finished later.
package job

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

func init() { sdk.Register(Plugin{}) }

// ID is the plugin key.
const ID = "hookpoint.job"

// Endpoint is the webhook endpoint below the plugin's webhook root.
const Endpoint = "/start_job"

// DefaultDuration is the default of Config.Duration.
const DefaultDuration = 2 * time.Second

// maxTaskIDRunes caps the client-chosen task id.
const maxTaskIDRunes = 200

// Config is the plugin's config section.
type Config struct {
	// APIToken is the bearer token clients must send.
	APIToken sdk.Secret `json:"API_TOKEN" title:"API token" desc:"Clients must send Authorization: Bearer <API_TOKEN>." required:"true"`
	// Duration is how long a job works, as a Go duration ("2s",
	// "1m30s"). Defaults to "2s"; empty also means the default.
	Duration string `json:"JOB_DURATION" title:"Job duration" desc:"How long each job runs before it reports, e.g. 2s or 1m30s." default:"2s"`
}

// Plugin is the job plugin.
type Plugin struct {
	Config Config

	host     sdk.Host
	duration time.Duration
}

// PluginInfo describes the plugin.
func (Plugin) PluginInfo() sdk.Info {
	return sdk.Info{
		ID:          ID,
		Name:        "Background job",
		Description: "Starts a slow job in the background, answers 202 at once and reports to a chat when the job is done.",
		Version:     "0.1.0",
		New:         func() sdk.Plugin { return new(Plugin) },
	}
}

// PluginConfig returns the config the host decodes into.
func (p *Plugin) PluginConfig() any { return &p.Config }

// Validate checks the token and parses JOB_DURATION.
func (p *Plugin) Validate() error {
	var errs []error
	if !p.Config.APIToken.IsSet() {
		errs = append(errs, errors.New("API_TOKEN is required"))
	}
	d, err := parseDuration(p.Config.Duration)
	if err != nil {
		errs = append(errs, err)
	}
	p.duration = d
	return errors.Join(errs...)
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return DefaultDuration, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("JOB_DURATION: %w", err)
	}
	if d < 0 {
		return 0, fmt.Errorf("JOB_DURATION must not be negative, got %s", s)
	}
	return d, nil
}

// Provision mounts the /start_job webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	if err := p.Validate(); err != nil {
		return err
	}
	v, err := verify.Bearer(p.Config.APIToken.Reveal())
	if err != nil {
		return fmt.Errorf("building bearer token verifier: %w", err)
	}
	p.host = h
	return h.Webhook(sdk.Webhook{
		Endpoint:    Endpoint,
		Name:        "Start Long Job",
		Description: `Starts a background job from {"task_id": ..., "notify_chat_key": ...}; the chat hears when it is done.`,
		Methods:     []string{http.MethodPost},
		Verify:      []sdk.Verifier{v},
		Handler:     sdk.HandlerFunc(p.serveStart),
	})
}

// StartRequest is the body of a start request.
type StartRequest struct {
	// TaskID names the task in the answer and the chat message; empty
	// means the id of the background task.
	TaskID string `json:"task_id"`
	// NotifyChatKey is the chat told when the task is done.
	NotifyChatKey string `json:"notify_chat_key"`
}

func (p *Plugin) serveStart(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	var sr StartRequest
	if err := req.DecodeJSON(&sr); err != nil {
		return nil, err
	}
	chat := strings.TrimSpace(sr.NotifyChatKey)
	if chat == "" {
		return nil, sdk.Error(http.StatusBadRequest, "notify_chat_key is required")
	}
	if utf8.RuneCountInString(sr.TaskID) > maxTaskIDRunes {
		return nil, sdk.Errorf(http.StatusBadRequest, "task_id is longer than %d characters", maxTaskIDRunes)
	}

	// The task needs the id Go returns when the client sent none; it
	// arrives through named, which Go's caller fills right after.
	named := make(chan string, 1)
	log := req.Logger
	d := p.duration
	id := p.host.Go("job", func(ctx context.Context) error {
		var taskID string
		select {
		case taskID = <-named:
		case <-ctx.Done():
			return ctx.Err()
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			log.Info("job cancelled", "task_id", taskID)
			return ctx.Err()
		}
		if err := p.host.Send(ctx, chat, sdk.Message{Text: fmt.Sprintf("Task %s finished.", taskID)}); err != nil {
			return fmt.Errorf("notifying %s of task %s: %w", chat, taskID, err)
		}
		log.Info("job finished", "task_id", taskID, "chat_key", chat)
		return nil
	})
	taskID := sr.TaskID
	if taskID == "" {
		taskID = id
	}
	named <- taskID
	log.Info("job started", "task_id", taskID, "background_task", id, "duration", d)
	return sdk.JSON(http.StatusAccepted, map[string]string{
		"status":  "accepted",
		"task_id": taskID,
		"message": "Job accepted and running in the background.",
	})
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
