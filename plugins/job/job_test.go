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
	sdktest.Provision(t, h, p)
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
	if m["status"] != "accepted" || m["message"] == "" || m["job"] == "" {
		t.Errorf("answer = %v, want status accepted, a job and a message", m)
	}
	return m
}

func TestWorker(t *testing.T) {
	t.Parallel()
	h := setup(t, "2s")
	ws := h.Workers()
	if len(ws) != 1 || ws[0].Kind != job.TaskKind || ws[0].Retry.MaxAttempts != 5 || ws[0].Timeout < 2*time.Second {
		t.Errorf("workers = %+v, want one %q worker with 5 attempts and a timeout above JOB_DURATION", ws, job.TaskKind)
	}
	if w, _ := h.Mounted(job.Endpoint); w.Mode != sdk.ModeInline {
		t.Errorf("%s mode = %v, want inline: the answer carries the task id", job.Endpoint, w.Mode)
	}
}

func TestJobReportsAfterDuration(t *testing.T) {
	t.Parallel()
	const d = 250 * time.Millisecond
	tests := []struct {
		name   string
		body   string
		taskID string
		args   string
	}{
		{"client task id", `{"task_id": "build-42", "notify_chat_key": "` + chat + `", "extra": [1]}`, "build-42",
			`{"task_id":"build-42","chat_key":"` + chat + `"}`},
		{"no task id: the durable task's id", `{"notify_chat_key": " ` + chat + ` "}`, "job-1",
			`{"chat_key":"` + chat + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, d.String())
			began := time.Now()
			resp, err := sdktest.Serve(t, h, job.Endpoint, start(tt.body))
			answered := time.Since(began)
			got := accepted(t, resp, err)
			if got["task_id"] != tt.taskID || got["job"] != "job-1" {
				t.Errorf("task_id, job = %q, %q; want %q, job-1", got["task_id"], got["job"], tt.taskID)
			}
			if answered >= d {
				t.Errorf("answered after %v, want before the job's %v", answered, d)
			}
			tasks := h.Enqueued()
			if len(tasks) != 1 || tasks[0].ID != got["job"] || tasks[0].Kind != job.TaskKind || string(tasks[0].Args) != tt.args {
				t.Fatalf("enqueued %+v, want one job task with args %s", tasks, tt.args)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("message sent before the job ran: %+v", sent)
			}

			ran := time.Now()
			if err := h.RunTasks(t.Context()); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(ran); took < d {
				t.Errorf("job finished after %v, want at least %v", took, d)
			}
			if p := h.Progress(got["job"]); p != "running" {
				t.Errorf("progress = %q, want running", p)
			}
			sent := h.Sent()
			if len(sent) != 1 || sent[0].ChatKey != chat || sent[0].Msg.Text != "Task "+tt.taskID+" finished." {
				t.Errorf("sent = %+v, want \"Task %s finished.\" to %s", sent, tt.taskID, chat)
			}
			if task, _ := h.Task(got["job"]); task.State != sdktest.TaskDone {
				t.Errorf("task state = %q, want done", task.State)
			}
		})
	}
}

func TestResentStartIsOneJob(t *testing.T) {
	t.Parallel()
	h := setup(t, "0s")
	serve := func(body string) map[string]string {
		t.Helper()
		resp, err := sdktest.Serve(t, h, job.Endpoint, start(body))
		return accepted(t, resp, err)
	}
	body := `{"task_id": "t-1", "notify_chat_key": "` + chat + `"}`
	first, again := serve(body), serve(body)
	if first["task_id"] != "t-1" || again["task_id"] != "t-1" || again["job"] != first["job"] {
		t.Errorf("answers %v and %v, want task_id t-1 and the same job", first, again)
	}
	// Another chat reusing the task id gets a job of its own, and so do
	// requests without a task id.
	other := serve(`{"task_id": "t-1", "notify_chat_key": "inbox-other"}`)
	anon1, anon2 := serve(`{"notify_chat_key": "`+chat+`"}`), serve(`{"notify_chat_key": "`+chat+`"}`)
	jobs := map[string]bool{first["job"]: true, other["job"]: true, anon1["job"]: true, anon2["job"]: true}
	if len(jobs) != 4 || len(h.Enqueued()) != 4 {
		t.Errorf("jobs %v, enqueued %+v; want 4 distinct jobs", jobs, h.Enqueued())
	}
	if err := h.RunTasks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if sent := h.Sent(); len(sent) != 4 {
		t.Errorf("sent %+v, want one message per job", sent)
	}
	// Once the job has finished, the same task id starts a new one.
	if again := serve(body); again["job"] == first["job"] {
		t.Errorf("restart of a finished task reused job %s", again["job"])
	}
}

func TestJobInterruptedRunsAgain(t *testing.T) {
	t.Parallel()
	h := setup(t, "1h")
	resp, err := sdktest.Serve(t, h, job.Endpoint, start(`{"task_id": "t1", "notify_chat_key": "`+chat+`"}`))
	id := accepted(t, resp, err)["job"]

	// Shutdown: the run's context is cancelled.
	ctx, stop := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, stop)
	done := make(chan error, 1)
	go func() { done <- h.RunTask(ctx, id) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("job returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job did not stop when its context was cancelled")
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("interrupted job sent messages: %+v", sent)
	}
	if task, _ := h.Task(id); task.State != sdktest.TaskPending {
		t.Errorf("interrupted job is %q, want pending, to run again", task.State)
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
	id := accepted(t, resp, err)["job"]
	for attempt := 1; attempt <= 5; attempt++ {
		err := h.RunTask(t.Context(), id)
		if !errors.Is(err, down) || sdk.IsPermanent(err) {
			t.Errorf("run %d returned %v, want the retryable %v", attempt, err, down)
		}
	}
	if task, _ := h.Task(id); task.State != sdktest.TaskDead || task.Attempts != 5 {
		t.Errorf("task after 5 failed runs: %q, %d attempts; want dead after 5", task.State, task.Attempts)
	}
}

func TestJobBadArgs(t *testing.T) {
	t.Parallel()
	h := setup(t, "0s")
	var run func(context.Context, *sdk.Task) error
	for _, w := range h.Workers() {
		run = w.Handler
	}
	for _, args := range []string{`{"task_id": 7}`, `{"task_id": "t1"}`} {
		err := run(t.Context(), &sdk.Task{ID: "job-9", Kind: job.TaskKind, Args: json.RawMessage(args), Attempt: 1, MaxAttempts: 5, Logger: h.Logger(),
			Progress: func(context.Context, string) error { return nil }})
		if !sdk.IsPermanent(err) {
			t.Errorf("args %s: %v, want a permanent error", args, err)
		}
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
			if tasks := h.Enqueued(); len(tasks) != 0 {
				t.Errorf("rejected request started a job: %+v", tasks)
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
