package job_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/plugins/job"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
)

const (
	token = "example-shared-token"
	chat  = "inbox-group_ops"
)

func setup(t *testing.T, duration string) *sdktest.Host {
	t.Helper()
	h := sdktest.NewHost(t, job.ID)
	p := &job.Plugin{Config: job.Config{APIToken: sdk.NewSecret(token), Duration: duration}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	return h
}

func start(body string) *sdk.Request {
	return &sdk.Request{
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}},
		Body:   []byte(body),
	}
}

func accepted(t *testing.T, resp *sdk.Response, err error) map[string]string {
	t.Helper()
	if got := sdktest.Status(resp, err); got != http.StatusAccepted {
		t.Fatalf("status = %d (%v), want 202", got, err)
	}
	var m map[string]string
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		t.Fatal(err)
	}
	if m["status"] != "accepted" || m["message"] == "" {
		t.Errorf("answer = %v, want status accepted and a message", m)
	}
	return m
}

func TestJobReportsAfterDuration(t *testing.T) {
	t.Parallel()
	const d = 250 * time.Millisecond
	tests := []struct {
		name   string
		body   string
		taskID string
	}{
		{"client task id", `{"task_id": "build-42", "notify_chat_key": "` + chat + `", "extra": [1]}`, "build-42"},
		{"no task id: the background task's id", `{"notify_chat_key": "` + chat + `"}`, "job-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, d.String())
			began := time.Now()
			resp, err := sdktest.Serve(t, h, job.Endpoint, start(tt.body))
			answered := time.Since(began)
			if got := accepted(t, resp, err); got["task_id"] != tt.taskID {
				t.Errorf("task_id = %q, want %q", got["task_id"], tt.taskID)
			}
			if answered >= d {
				t.Errorf("answered after %v, want before the job's %v", answered, d)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("message sent before the job ended: %+v", sent)
			}
			if err := h.Wait(); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(began); took < d {
				t.Errorf("job finished after %v, want at least %v", took, d)
			}
			sent := h.Sent()
			if len(sent) != 1 || sent[0].ChatKey != chat || sent[0].Msg.Text != "Task "+tt.taskID+" finished." {
				t.Errorf("sent = %+v, want \"Task %s finished.\" to %s", sent, tt.taskID, chat)
			}
		})
	}
}

func TestJobCancelledAtShutdown(t *testing.T) {
	t.Parallel()
	h := setup(t, "1h")
	resp, err := sdktest.Serve(t, h, job.Endpoint, start(`{"task_id": "t1", "notify_chat_key": "`+chat+`"}`))
	accepted(t, resp, err)
	h.Cancel()
	done := make(chan error, 1)
	go func() { done <- h.Wait() }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("job returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job did not stop when its context was cancelled")
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("cancelled job sent messages: %+v", sent)
	}
}

func TestJobSendFailure(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, job.ID)
	down := errors.New("adapter down")
	h.SendFunc = func(context.Context, string, sdk.Message) error { return down }
	p := &job.Plugin{Config: job.Config{APIToken: sdk.NewSecret(token), Duration: "0s"}}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	resp, err := sdktest.Serve(t, h, job.Endpoint, start(`{"task_id": "t1", "notify_chat_key": "`+chat+`"}`))
	accepted(t, resp, err)
	if err := h.Wait(); !errors.Is(err, down) {
		t.Errorf("job returned %v, want %v", err, down)
	}
}

func TestStartRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    *sdk.Request
		status int
		detail string
	}{
		{"no notify_chat_key", start(`{"task_id": "t1"}`), http.StatusBadRequest, "notify_chat_key is required"},
		{"blank notify_chat_key", start(`{"task_id": "t1", "notify_chat_key": " "}`), http.StatusBadRequest, "notify_chat_key is required"},
		{"invalid JSON", start(`{"task_id": `), http.StatusBadRequest, ""},
		{"empty body", start(``), http.StatusBadRequest, ""},
		{"task id not a string", start(`{"task_id": 7, "notify_chat_key": "` + chat + `"}`), http.StatusBadRequest, ""},
		{"task id too long", start(`{"task_id": "` + strings.Repeat("x", 201) + `", "notify_chat_key": "` + chat + `"}`), http.StatusBadRequest, ""},
		{"no token", &sdk.Request{Body: []byte(`{"notify_chat_key": "` + chat + `"}`)}, http.StatusUnauthorized, ""},
		{"GET", &sdk.Request{Method: "GET", Header: http.Header{"Authorization": {"Bearer " + token}}}, http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, "1ms")
			resp, err := sdktest.Serve(t, h, job.Endpoint, tt.req)
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			var he *sdk.HTTPError
			if tt.detail != "" && (!errors.As(err, &he) || he.Detail != tt.detail) {
				t.Errorf("error = %v, want detail %q", err, tt.detail)
			}
			if err := h.Wait(); err != nil || len(h.Sent()) != 0 {
				t.Errorf("rejected request started a job: %v, %+v", err, h.Sent())
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		duration string
		ok       bool
	}{
		{"", true}, {"2s", true}, {"1m30s", true}, {"0s", true},
		{"soon", false}, {"-1s", false}, {"5", false},
	}
	for _, tt := range tests {
		p := &job.Plugin{Config: job.Config{APIToken: sdk.NewSecret(token), Duration: tt.duration}}
		if err := p.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(JOB_DURATION=%q) = %v, want ok=%v", tt.duration, err, tt.ok)
		}
	}
	p := &job.Plugin{}
	if err := json.Unmarshal([]byte(`{"API_TOKEN": "t", "JOB_DURATION": "3s"}`), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	if p.Config.APIToken.Reveal() != "t" || p.Config.Duration != "3s" {
		t.Errorf("config = %+v", p.Config)
	}
	if err := (&job.Plugin{}).Validate(); err == nil || !strings.Contains(err.Error(), "API_TOKEN") {
		t.Errorf("Validate with no token = %v, want an API_TOKEN error", err)
	}
}
