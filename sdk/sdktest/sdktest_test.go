package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
)

// tokenVerifier accepts requests whose X-Token header is "ok"; a failure
// carries a status, as verify's errors do.
type tokenVerifier struct{}

type statusError struct{ status int }

func (e *statusError) Error() string { return http.StatusText(e.status) }
func (e *statusError) Status() int   { return e.status }

func (tokenVerifier) Verify(r *http.Request, body []byte) error {
	if r.Header.Get("X-Token") != "ok" {
		return &statusError{http.StatusUnauthorized}
	}
	if r.URL.Query().Get("q") == "" || string(body) != "hello" {
		return &statusError{http.StatusBadRequest}
	}
	return nil
}

func echo(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	req.Logger.Info("handled")
	return sdk.Text(http.StatusAccepted, req.Method+" "+req.Path+" "+req.DeliveryID)
}

func TestHostWebhook(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	ok := sdk.Webhook{Endpoint: "/a/b", Public: true, Handler: sdk.HandlerFunc(echo)}
	if err := h.Webhook(ok); err != nil {
		t.Fatalf("Webhook(%q) = %v", ok.Endpoint, err)
	}
	tests := []struct {
		name string
		w    sdk.Webhook
	}{
		{"duplicate", ok},
		{"no slash", sdk.Webhook{Endpoint: "a", Public: true, Handler: ok.Handler}},
		{"dot dot", sdk.Webhook{Endpoint: "/a/../b", Public: true, Handler: ok.Handler}},
		{"empty segment", sdk.Webhook{Endpoint: "/a//b", Public: true, Handler: ok.Handler}},
		{"no handler", sdk.Webhook{Endpoint: "/c", Public: true}},
		{"no verifier, not public", sdk.Webhook{Endpoint: "/d", Handler: ok.Handler}},
		{"nil verifier", sdk.Webhook{Endpoint: "/e", Verify: []sdk.Verifier{nil}, Handler: ok.Handler}},
		{"not a method", sdk.Webhook{Endpoint: "/f", Public: true, Methods: []string{"PO ST"}, Handler: ok.Handler}},
	}
	for _, tt := range tests {
		if err := h.Webhook(tt.w); err == nil {
			t.Errorf("%s: Webhook(%q) = nil, want an error", tt.name, tt.w.Endpoint)
		}
	}
	if got := len(h.Webhooks()); got != 1 {
		t.Errorf("len(Webhooks()) = %d, want 1", got)
	}
	if _, found := h.Mounted("/a/b"); !found {
		t.Error(`Mounted("/a/b") not found`)
	}
	if got, want := h.WebhookURL("/a/b"), "http://hookpoint.test/api/plugin/dev.kit/webhook/a/b"; got != want {
		t.Errorf("WebhookURL = %q, want %q", got, want)
	}
	if fi, err := os.Stat(h.DataDir()); err != nil || !fi.IsDir() {
		t.Errorf("DataDir %q is not a directory: %v", h.DataDir(), err)
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	err := h.Webhook(sdk.Webhook{
		Endpoint:     "/hook",
		Methods:      []string{http.MethodGet, http.MethodPost},
		MaxBodyBytes: 10,
		Verify:       []sdk.Verifier{tokenVerifier{}},
		Handler:      sdk.HandlerFunc(echo),
	})
	if err != nil {
		t.Fatal(err)
	}
	good := http.Header{"X-Token": {"ok"}, "X-Github-Delivery": {"d-1"}}
	q := map[string][]string{"q": {"1"}}
	tests := []struct {
		name   string
		req    *sdk.Request
		status int
		body   string
	}{
		{"verified post", &sdk.Request{Header: good, Query: q, Body: []byte("hello")}, 202, "POST /api/plugin/dev.kit/webhook/hook d-1"},
		{"head implied by get", &sdk.Request{Method: "HEAD", Header: good, Query: q, Body: []byte("hello")}, 202, "HEAD /api/plugin/dev.kit/webhook/hook d-1"},
		{"method not allowed", &sdk.Request{Method: "PUT", Header: good, Query: q, Body: []byte("hello")}, 405, ""},
		{"verifier error", &sdk.Request{Query: q, Body: []byte("hello")}, 401, ""},
		{"verifier sees query and body", &sdk.Request{Header: good, Body: []byte("hello")}, 400, ""},
		{"body too large", &sdk.Request{Header: good, Query: q, Body: []byte("hello world")}, 413, ""},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp, err := sdktest.Serve(t, h, "/hook", tt.req)
				if got := sdktest.Status(resp, err); got != tt.status {
					t.Fatalf("status = %d (err %v), want %d", got, err, tt.status)
				}
				if tt.body != "" && string(resp.Body) != tt.body {
					t.Errorf("body = %q, want %q", resp.Body, tt.body)
				}
				var he *sdk.HTTPError
				if tt.status == 405 && (!errors.As(err, &he) || he.Header.Get("Allow") != "GET, POST, HEAD") {
					t.Errorf("405 error %v has no Allow: GET, POST, HEAD header", err)
				}
			})
		}
	})
	// The parallel cases above have finished here.
	if logs := h.Logs(); !strings.Contains(logs, "msg=handled plugin=dev.kit request_id=test-") {
		t.Errorf("logs = %q, want handler records tagged with the plugin and request id", logs)
	}
}

func TestHostSend(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	if err := h.Send(t.Context(), "inbox-a", sdk.Message{Text: "one"}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("adapter down")
	h.SendFunc = func(ctx context.Context, chatKey string, msg sdk.Message) error { return boom }
	if err := h.Send(t.Context(), "inbox-a", sdk.Message{Text: "two"}); !errors.Is(err, boom) {
		t.Fatalf("Send with failing SendFunc = %v, want %v", err, boom)
	}
	sent := h.Sent()
	if len(sent) != 1 || sent[0].ChatKey != "inbox-a" || sent[0].Msg.Text != "one" {
		t.Errorf("Sent() = %+v, want only the first message", sent)
	}
}

// note is the arguments of the test worker.
type note struct {
	Chat string `json:"chat"`
	Text string `json:"text"`
}

func (note) Kind() string { return "note" }

type unregistered struct{}

func (unregistered) Kind() string { return "nobody" }

type unencodable struct{ F func() }

func (unencodable) Kind() string { return "note" }

func TestHostWorker(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	handler := func(context.Context, *sdk.Task) error { return nil }
	if err := h.Worker(sdk.Worker{Kind: "note", Handler: handler}); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]sdk.Worker{
		"duplicate":  {Kind: "note", Handler: handler},
		"no kind":    {Handler: handler},
		"no handler": {Kind: "other"},
	} {
		if err := h.Worker(w); err == nil {
			t.Errorf("%s: Worker(%+v) = nil, want an error", name, w)
		}
	}
	if ws := h.Workers(); len(ws) != 1 || ws[0].Kind != "note" {
		t.Errorf("Workers() = %+v, want the note worker only", ws)
	}
	ctx := t.Context()
	if _, err := h.Enqueue(ctx, unregistered{}, nil); err == nil {
		t.Error("Enqueue of a kind with no worker = nil, want an error")
	}
	if _, err := h.Enqueue(ctx, unencodable{F: func() {}}, nil); err == nil {
		t.Error("Enqueue of args that do not encode = nil, want an error")
	}
	if _, err := h.Enqueue(ctx, nil, nil); err == nil {
		t.Error("Enqueue(nil) = nil, want an error")
	}
	if got := h.Enqueued(); len(got) != 0 {
		t.Errorf("failed Enqueues stored %+v", got)
	}
}

func TestHostEnqueue(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	var ran []string
	err := h.Worker(sdk.Worker{Kind: "note", Handler: func(ctx context.Context, task *sdk.Task) error {
		ran = append(ran, task.ID)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	later, err := h.Enqueue(ctx, note{Chat: "inbox-a", Text: "later"}, &sdk.EnqueueOpts{Delay: time.Hour, UniqueKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	now, _ := h.Enqueue(ctx, note{Text: "now"}, nil)
	again, _ := h.Enqueue(ctx, note{Text: "ignored"}, &sdk.EnqueueOpts{UniqueKey: "k"})
	if later != "note-1" || now != "note-2" || again != later {
		t.Errorf("ids = %q, %q, %q; want note-1, note-2 and note-1 again (unique key)", later, now, again)
	}
	cancelled, _ := h.Enqueue(ctx, note{Text: "cancelled"}, nil)
	if ok, err := h.CancelTask(ctx, cancelled); !ok || err != nil {
		t.Errorf("CancelTask(pending) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := h.CancelTask(ctx, cancelled); ok || err != nil {
		t.Errorf("CancelTask(cancelled) = %v, %v; want false, nil", ok, err)
	}
	if ok, err := h.CancelTask(ctx, "nope"); ok || err != nil {
		t.Errorf("CancelTask(unknown) = %v, %v; want false, nil", ok, err)
	}

	tasks := h.Enqueued()
	if len(tasks) != 3 {
		t.Fatalf("Enqueued() = %+v, want 3 tasks", tasks)
	}
	first := tasks[0]
	if first.ID != later || first.Kind != "note" || string(first.Args) != `{"chat":"inbox-a","text":"later"}` ||
		first.Opts.Delay != time.Hour || first.Opts.UniqueKey != "k" || first.State != sdktest.TaskPending {
		t.Errorf("first task = %+v", first)
	}
	if tasks[2].State != sdktest.TaskCancelled {
		t.Errorf("cancelled task state = %q", tasks[2].State)
	}

	if err := h.RunTasks(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{now, later}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v: by delay, cancelled task skipped", ran, want)
	}
	for _, task := range h.Enqueued()[:2] {
		if task.State != sdktest.TaskDone || task.Attempts != 1 {
			t.Errorf("task %s: state %q, %d attempts; want done after 1", task.ID, task.State, task.Attempts)
		}
	}
	if err := h.RunTask(ctx, later); err == nil {
		t.Error("RunTask of a done task = nil, want an error")
	}
	if err := h.RunTask(ctx, "nope"); err == nil {
		t.Error("RunTask of an unknown task = nil, want an error")
	}
	// The unique key is free again once its task is done.
	if id, _ := h.Enqueue(ctx, note{}, &sdk.EnqueueOpts{UniqueKey: "k"}); id == later || id == "" {
		t.Errorf("Enqueue after the unique task finished = %q, want a new id", id)
	}
}

func TestHostRunTask(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	transient := errors.New("adapter down")
	var results []error // what successive runs return
	var seen []sdk.Task
	var followUps []string // the ids Enqueue returned in each run
	err := h.Worker(sdk.Worker{
		Kind:  "note",
		Retry: sdk.RetryPolicy{MaxAttempts: 3},
		Handler: func(ctx context.Context, task *sdk.Task) error {
			seen = append(seen, *task)
			var n note
			if err := task.Decode(&n); err != nil {
				return err
			}
			if err := task.Progress(ctx, "sending "+n.Text); err != nil {
				return err
			}
			task.Logger.Info("running")
			if err := h.Send(ctx, n.Chat, sdk.Message{Text: n.Text}); err != nil {
				return err
			}
			id, err := h.Enqueue(ctx, note{Chat: n.Chat, Text: "follow-up"}, nil)
			if id == "" || err != nil {
				return fmt.Errorf("Enqueue in a task = %q, %v; want the new task's id", id, err)
			}
			followUps = append(followUps, id)
			err = results[0]
			results = results[1:]
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	id, _ := h.Enqueue(ctx, note{Chat: "inbox-a", Text: "hi"}, nil)

	results = []error{transient, sdk.Snooze(time.Minute), nil}
	for i, want := range []struct {
		state    sdktest.TaskState
		attempts int
	}{
		{sdktest.TaskPending, 1}, // failed, to be retried
		{sdktest.TaskPending, 1}, // snoozed: no attempt used
		{sdktest.TaskDone, 2},
	} {
		err := h.RunTask(ctx, id)
		var se *sdk.SnoozeError
		if ok := []bool{errors.Is(err, transient), errors.As(err, &se), err == nil}[i]; !ok {
			t.Errorf("run %d = %v, want %v", i+1, err, []any{transient, "a snooze", nil}[i])
		}
		task, _ := h.Task(id)
		if task.State != want.state || task.Attempts != want.attempts {
			t.Errorf("after run %d: state %q, %d attempts; want %q, %d", i+1, task.State, task.Attempts, want.state, want.attempts)
		}
		if i < 2 && (len(h.Sent()) != 0 || len(h.Enqueued()) != 1) {
			t.Errorf("unsuccessful run %d sent %+v or enqueued %+v", i+1, h.Sent(), h.Enqueued())
		}
	}
	if got := []int{seen[0].Attempt, seen[1].Attempt, seen[2].Attempt}; !slices.Equal(got, []int{1, 2, 2}) {
		t.Errorf("attempts seen = %v, want [1 2 2] (a snooze uses no attempt)", got)
	}
	if s := seen[0]; s.ID != id || s.Kind != "note" || s.MaxAttempts != 3 || s.Logger == nil {
		t.Errorf("task = %+v", s)
	}
	if sent := h.Sent(); len(sent) != 1 || sent[0].ChatKey != "inbox-a" || sent[0].Msg.Text != "hi" {
		t.Errorf("Sent() = %+v, want the successful run's message", sent)
	}
	if tasks := h.Enqueued(); len(tasks) != 2 || tasks[1].State != sdktest.TaskPending || !strings.Contains(string(tasks[1].Args), "follow-up") ||
		len(followUps) != 3 || tasks[1].ID != followUps[2] {
		t.Errorf("Enqueued() = %+v, want the follow-up stored by the successful run with the id it was given, %v", tasks, followUps)
	}
	if got := h.Progress(id); got != "sending hi" {
		t.Errorf("Progress = %q", got)
	}
	if logs := h.Logs(); !strings.Contains(logs, "msg=running plugin=dev.kit task=note task_id="+id+" attempt=2") {
		t.Errorf("logs = %q, want task records tagged with the task", logs)
	}
}

func TestHostTaskFailures(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	boom := errors.New("boom")
	err := h.Worker(sdk.Worker{
		Kind:    "note",
		Timeout: 50 * time.Millisecond,
		Handler: func(ctx context.Context, task *sdk.Task) error {
			var n note
			if err := task.Decode(&n); err != nil {
				return err
			}
			switch n.Text {
			case "cancel":
				return sdk.Cancel(boom)
			case "bad request":
				return sdk.Error(400, "bad")
			case "wait":
				<-ctx.Done()
				return ctx.Err()
			}
			return boom
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	enqueue := func(text string, opts *sdk.EnqueueOpts) string {
		id, err := h.Enqueue(ctx, note{Text: text}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	cancel := enqueue("cancel", nil)
	bad := enqueue("bad request", nil)
	last := enqueue("fail", &sdk.EnqueueOpts{MaxAttempts: 2})
	wait := enqueue("wait", nil)

	err = h.RunTasks(ctx)
	for _, want := range []error{boom, context.DeadlineExceeded} {
		if !errors.Is(err, want) {
			t.Errorf("RunTasks() = %v, want it to wrap %v", err, want)
		}
	}
	if !strings.Contains(fmt.Sprint(err), "task "+bad+": 400 bad") {
		t.Errorf("RunTasks() = %v, want errors prefixed with their task id", err)
	}
	if err := h.RunTasks(ctx); !errors.Is(err, boom) {
		t.Errorf("second RunTasks() = %v, want the retried task's error", err)
	}
	for id, want := range map[string]sdktest.TaskState{
		cancel: sdktest.TaskDead, bad: sdktest.TaskDead, last: sdktest.TaskDead, wait: sdktest.TaskPending,
	} {
		if task, _ := h.Task(id); task.State != want || task.LastErr == nil {
			t.Errorf("task %s: state %q (last error %v), want %q", id, task.State, task.LastErr, want)
		}
	}

	// A run stopped because the caller's context ended (the server
	// shutting down) stays pending without using an attempt.
	stopped, stop := context.WithCancel(ctx)
	stop()
	before, _ := h.Task(wait)
	if err := h.RunTask(stopped, wait); !errors.Is(err, context.Canceled) {
		t.Errorf("RunTask with a cancelled context = %v, want context.Canceled", err)
	}
	if task, _ := h.Task(wait); task.State != sdktest.TaskPending || task.Attempts != before.Attempts {
		t.Errorf("stopped task: state %q, %d attempts; want pending, %d", task.State, task.Attempts, before.Attempts)
	}
	if err := h.RunTasks(stopped); !errors.Is(err, context.Canceled) {
		t.Errorf("RunTasks with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestServeCheck(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	handled := 0
	err := h.Webhook(sdk.Webhook{
		Endpoint: "/q",
		Verify:   []sdk.Verifier{tokenVerifier{}},
		Mode:     sdk.ModeQueued,
		Check: func(req *sdk.Request) error {
			if req.Header.Get("X-Event") == "" {
				return sdk.Error(http.StatusBadRequest, "missing X-Event")
			}
			return nil
		},
		Handler: sdk.HandlerFunc(func(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
			handled++
			return nil, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	q := map[string][]string{"q": {"1"}}
	for _, tt := range []struct {
		name   string
		header http.Header
		status int
	}{
		{"verifier runs first", http.Header{"X-Event": {"e"}}, http.StatusUnauthorized},
		{"check refuses", http.Header{"X-Token": {"ok"}}, http.StatusBadRequest},
		{"check passes", http.Header{"X-Token": {"ok"}, "X-Event": {"e"}}, http.StatusOK},
	} {
		resp, err := sdktest.Serve(t, h, "/q", &sdk.Request{Header: tt.header, Query: q, Body: []byte("hello")})
		if got := sdktest.Status(resp, err); got != tt.status {
			t.Errorf("%s: status = %d (%v), want %d", tt.name, got, err, tt.status)
		}
	}
	if handled != 1 {
		t.Errorf("handler ran %d times, want once: only after the check passed", handled)
	}
}

func TestServeDeliveryID(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	var got []string
	record := sdk.HandlerFunc(func(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
		got = append(got, req.DeliveryID)
		return nil, nil
	})
	for _, w := range []sdk.Webhook{
		{Endpoint: "/default", Public: true, Mode: sdk.ModeQueued, Handler: record},
		{Endpoint: "/named", Public: true, DeliveryIDHeader: "X-Id", Handler: record},
	} {
		if err := h.Webhook(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Webhook(sdk.Webhook{Endpoint: "/mode", Public: true, Mode: sdk.Mode(7), Handler: record}); err == nil {
		t.Error("Webhook with an unknown mode = nil, want an error")
	}
	hdr := http.Header{"Webhook-Id": {"msg_1"}, "X-Id": {" n-1 "}}
	for _, ep := range []string{"/default", "/named"} {
		if _, err := sdktest.Serve(t, h, ep, &sdk.Request{Header: hdr}); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []string{"msg_1", "n-1"}) {
		t.Errorf("delivery ids = %q, want [msg_1 n-1]", got)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp *sdk.Response
		err  error
		want int
	}{
		{"nil response", nil, nil, 200},
		{"zero status", &sdk.Response{}, nil, 200},
		{"created", &sdk.Response{Status: 201}, nil, 201},
		{"http error", nil, sdk.Error(404, "nope"), 404},
		{"status method", nil, &statusError{403}, 403},
		{"other error", nil, errors.New("boom"), 500},
	}
	for _, tt := range tests {
		if got := sdktest.Status(tt.resp, tt.err); got != tt.want {
			t.Errorf("%s: Status = %d, want %d", tt.name, got, tt.want)
		}
	}
}
