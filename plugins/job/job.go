// Package job is the built-in job plugin, hookpoint.job: the seed's
// fourth example. A POST starts a slow job in the background and is
// answered 202 at once; when the job ends, it sends "Task <id> finished."
// to the chat the request named. Clients authenticate with
// "Authorization: Bearer <API_TOKEN>".
//
// A job is a durable task (kind "job", see [sdk.Host.Enqueue]): it is
// stored before the answer, survives restarts and is retried, up to 5
// runs, when it fails or is interrupted. The endpoint itself runs inline,
// since its answer carries the task's id. A start request that repeats
// the task_id and chat of a job still pending or running starts nothing
// new and is answered with that job.
package job

import (
	"context"
	"encoding/json"
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

// TaskKind is the kind of the job's durable tasks. It is stored with
// every task and must not change.
const TaskKind = "job"

// MaxAttempts is how many runs a job gets before it is dead-lettered.
const MaxAttempts = 5

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

// Provision registers the job worker and mounts the /start_job webhook.
func (p *Plugin) Provision(h sdk.Host) error {
	if err := p.Validate(); err != nil {
		return err
	}
	v, err := verify.Bearer(p.Config.APIToken.Reveal())
	if err != nil {
		return fmt.Errorf("building bearer token verifier: %w", err)
	}
	p.host = h
	err = h.Worker(sdk.Worker{
		Kind:  TaskKind,
		Retry: sdk.RetryPolicy{MaxAttempts: MaxAttempts},
		// A run lasts JOB_DURATION; the margin covers the message. The
		// server's queue.handler_timeout still bounds every run.
		Timeout: p.duration + 30*time.Second,
		Handler: p.runJob,
	})
	if err != nil {
		return err
	}
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
	// means the id of the durable task.
	TaskID string `json:"task_id"`
	// NotifyChatKey is the chat told when the task is done.
	NotifyChatKey string `json:"notify_chat_key"`
}

// Args are the stored arguments of a job task. The JSON names are stored
// with every task and must not change.
type Args struct {
	// TaskID is the client's task id; empty means the durable task's id.
	TaskID string `json:"task_id,omitempty"`
	// ChatKey is the chat told when the job is done.
	ChatKey string `json:"chat_key"`
}

// Kind returns TaskKind.
func (Args) Kind() string { return TaskKind }

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
	var opts *sdk.EnqueueOpts
	if sr.TaskID != "" {
		// A resent request must not start the job twice. The chat is
		// part of the key, so that another chat reusing the task id
		// still gets its own job and message.
		opts = &sdk.EnqueueOpts{UniqueKey: uniqueKey(chat, sr.TaskID)}
	}
	id, err := p.host.Enqueue(ctx, Args{TaskID: sr.TaskID, ChatKey: chat}, opts)
	if err != nil {
		return nil, fmt.Errorf("starting job: %w", err)
	}
	taskID := sr.TaskID
	if taskID == "" {
		taskID = id
	}
	req.Logger.Info("job started", "task_id", taskID, "job", id, "duration", p.duration)
	return sdk.JSON(http.StatusAccepted, map[string]string{
		"status":  "accepted",
		"task_id": taskID,
		"job":     id,
		"message": "Job accepted and running in the background.",
	})
}

// uniqueKey returns the unique key of a job with a client task id.
func uniqueKey(chat, taskID string) string {
	b, _ := json.Marshal([2]string{chat, taskID}) // strings always encode
	return string(b)
}

// runJob runs one job: it works for JOB_DURATION, then tells the chat.
// Interrupted (shutdown, timeout), it returns the context's error, so the
// job runs again; the message is sent only by a run that succeeds.
func (p *Plugin) runJob(ctx context.Context, t *sdk.Task) error {
	var args Args
	if err := t.Decode(&args); err != nil {
		return err
	}
	if args.ChatKey == "" {
		return sdk.Cancel(errors.New("job has no chat_key"))
	}
	taskID := args.TaskID
	if taskID == "" {
		taskID = t.ID
	}
	log := t.Logger.With("task_id", taskID, "chat_key", args.ChatKey)
	if err := t.Progress(ctx, "running"); err != nil {
		log.Warn("recording job progress", "err", err)
	}
	timer := time.NewTimer(p.duration)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		log.Info("job interrupted; it will run again", "err", ctx.Err())
		return ctx.Err()
	}
	if err := p.host.Send(ctx, args.ChatKey, sdk.Message{Text: fmt.Sprintf("Task %s finished.", taskID)}); err != nil {
		return fmt.Errorf("notifying %s of task %s: %w", args.ChatKey, taskID, err)
	}
	log.Info("job finished")
	return nil
}

var (
	_ sdk.Configurable = (*Plugin)(nil)
	_ sdk.Validator    = (*Plugin)(nil)
	_ sdk.Provisioner  = (*Plugin)(nil)
)
