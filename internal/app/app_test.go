package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/app"
	"github.com/hookpoint/hookpoint/internal/config"
	_ "github.com/hookpoint/hookpoint/plugins/all"
)

const (
	ghSecret = "It's a Secret to Everybody"
	apiToken = "example-api-token"
	devChat  = "inbox-group_dev"
)

// syncBuffer collects the server log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testBundle struct {
	app  *app.App
	url  string // http://127.0.0.1:port
	addr string
	stop func() // stops serving and closes the app, once
	logs *syncBuffer
	data string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupWith(t, "", t.TempDir())
}

// baseConfig enables every built-in plugin; extra YAML goes before it.
const baseConfig = `
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: "` + ghSecret + `"
      NOTIFICATION_CHAT_KEY: ` + devChat + `
  hookpoint.resource:
    config: {API_TOKEN: ` + apiToken + `}
  hookpoint.report:
    config: {API_TOKEN: ` + apiToken + `}
  hookpoint.job:
    config: {API_TOKEN: ` + apiToken + `, JOB_DURATION: 1s}
`

// setupWith starts the app with extra top-level config before baseConfig,
// keeping its data in dir.
func setupWith(t *testing.T, extra, dir string) *testBundle {
	t.Helper()
	return startApp(t, extra+baseConfig, dir)
}

// startApp starts the app with the given config, keeping its data in dir.
func startApp(t *testing.T, yaml, dir string) *testBundle {
	t.Helper()
	cfgPath := filepath.Join(dir, "hookpoint.yaml")
	os.WriteFile(cfgPath, []byte(yaml), 0o600)
	cfg, err := config.Load(cfgPath, config.Overrides{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, app.NewLogger(config.Log{Level: "debug", Format: "json"}, logs))
	if err != nil {
		t.Fatal(err)
	}
	// Serve through App.Serve, so the tests see the real http.Server
	// settings (timeouts, header limits).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	addr := ln.Addr().String()
	return &testBundle{app: a, url: "http://" + addr, addr: addr, stop: stop, logs: logs, data: cfg.DataDir}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "plugins", "github", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(ghSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (b *testBundle) do(t *testing.T, method, path string, body []byte, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, b.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	json.Unmarshal(raw, &a.body)
	return a
}

// waitIdle waits until no delivery or task is pending or running: every
// acknowledged delivery has been handled.
func (b *testBundle) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err1 := b.app.Store().CountDeliveries(context.Background())
		tk, err2 := b.app.Store().CountTasks(context.Background())
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if d["pending"]+d["running"]+tk["pending"]+tk["running"] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not idle after 20s: deliveries %v tasks %v", d, tk)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (b *testBundle) messages(t *testing.T, chat string) []string {
	t.Helper()
	a := b.do(t, "GET", "/api/admin/chats/"+chat+"/messages?limit=1000", nil, nil)
	if a.status != 200 {
		t.Fatalf("messages: %d %s", a.status, a.raw)
	}
	var out struct {
		Messages []struct {
			Text   string `json:"text"`
			Plugin string `json:"plugin"`
		} `json:"messages"`
	}
	json.Unmarshal([]byte(a.raw), &out)
	texts := make([]string, len(out.Messages))
	for i, m := range out.Messages {
		texts[i] = m.Text
	}
	return texts
}

const githubHook = "/api/plugin/hookpoint.github/webhook/github"

func TestGitHubPushEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := fixture(t, "push.json")
	var push struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		Pusher struct {
			Name string `json:"name"`
		} `json:"pusher"`
		Commits    []json.RawMessage `json:"commits"`
		HeadCommit struct {
			Message string `json:"message"`
		} `json:"head_commit"`
	}
	if err := json.Unmarshal(body, &push); err != nil {
		t.Fatal(err)
	}
	a := b.do(t, "POST", githubHook, body, map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": "push",
		"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-Hub-Signature-256": sign(body),
	})
	if a.status != 202 || a.body["status"] != "accepted" || a.body["delivery_id"] == "" {
		t.Fatalf("push: %d %s", a.status, a.raw)
	}
	b.waitIdle(t)
	d := b.do(t, "GET", "/api/admin/deliveries/"+a.body["delivery_id"].(string), nil, nil)
	if d.body["state"] != "done" || d.body["response_status"] != float64(200) || d.body["body"] != string(body) {
		t.Errorf("recorded delivery: %s", d.raw)
	}
	if hs, _ := d.body["headers"].(map[string]any); fmt.Sprint(hs["X-Hub-Signature-256"]) != "[[redacted]]" || fmt.Sprint(hs["X-Github-Event"]) != "[push]" {
		t.Errorf("stored headers: %v", d.body["headers"])
	}
	msgs := b.messages(t, devChat)
	if len(msgs) != 1 {
		t.Fatalf("inbox has %d messages, want 1", len(msgs))
	}
	firstLine := strings.SplitN(push.HeadCommit.Message, "\n", 2)[0]
	for _, want := range []string{push.Repository.FullName, push.Pusher.Name, firstLine} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("message %q lacks %q", msgs[0], want)
		}
	}
	if !strings.Contains(msgs[0], "Commits: "+strconv.Itoa(len(push.Commits))) {
		t.Errorf("message %q lacks the commit count %d", msgs[0], len(push.Commits))
	}
	if strings.Contains(b.logs.String(), ghSecret) || strings.Contains(b.logs.String(), sign(body)) {
		t.Error("log contains the secret or the signature")
	}
}

func TestGitHubRejectsUnsignedAndForged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := fixture(t, "push.json")
	forged := bytes.Replace(body, []byte(`"ref"`), []byte(`"REF"`), 1)
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		status int
		detail string
	}{
		{"no signature", body, map[string]string{"X-GitHub-Event": "push"}, 400, "X-Hub-Signature-256"},
		{"wrong secret", body, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + strings.Repeat("ab", 32)}, 403, "signature"},
		{"body changed after signing", forged, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign(body)}, 403, "signature"},
		{"lower-case header name still verified", forged, map[string]string{"x-github-event": "push", "x-hub-signature-256": sign(body)}, 403, "signature"},
		{"not hex", body, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=zz"}, 400, ""},
		{"GET", nil, nil, 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "POST"
			if tt.name == "GET" {
				method = "GET"
			}
			a := b.do(t, method, githubHook, tt.body, tt.header)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.raw)
			}
			detail, _ := a.body["detail"].(string)
			if detail == "" || !strings.Contains(detail, tt.detail) {
				t.Errorf("detail %q, want one mentioning %q", detail, tt.detail)
			}
			if strings.Contains(a.raw, ghSecret) || strings.Contains(a.raw, sign(body)[7:]) {
				t.Errorf("answer leaks the secret or expected signature: %s", a.raw)
			}
		})
	}
	if msgs := b.messages(t, devChat); len(msgs) != 0 {
		t.Errorf("rejected requests produced messages: %q", msgs)
	}
}

func TestGitHubOtherEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, ev := range []struct{ event, file string }{{"ping", "ping.json"}, {"issues", "issues.opened.json"}, {"star", "star.created.json"}} {
		body := fixture(t, ev.file)
		a := b.do(t, "POST", githubHook, body, map[string]string{"X-GitHub-Event": ev.event, "X-Hub-Signature-256": sign(body)})
		if a.status/100 != 2 {
			t.Errorf("%s: %d %s", ev.event, a.status, a.raw)
		}
	}
	b.waitIdle(t)
	msgs := b.messages(t, devChat)
	var issue struct {
		Issue struct {
			Title string `json:"title"`
		} `json:"issue"`
	}
	json.Unmarshal(fixture(t, "issues.opened.json"), &issue)
	if len(msgs) != 1 || !strings.Contains(msgs[0], issue.Issue.Title) {
		t.Errorf("want exactly one message, for the issue %q; got %q", issue.Issue.Title, msgs)
	}
}

func TestResourceExample(t *testing.T) {
	t.Parallel()
	b := setup(t)
	auth := map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "application/json"}
	const hook = "/api/plugin/hookpoint.resource/webhook/resource"
	if a := b.do(t, "GET", hook, nil, nil); a.status != 401 || a.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %v", a.status, a.header)
	}
	a := b.do(t, "POST", hook, []byte(`{"name":"printer"}`), auth)
	id, _ := a.body["id"].(string)
	if a.status != 201 || id == "" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	if a := b.do(t, "GET", hook, nil, auth); a.status != 200 || !strings.Contains(a.raw, id) {
		t.Errorf("get: %d %s", a.status, a.raw)
	}
	if a := b.do(t, "PUT", hook, nil, auth); a.status != 405 || !strings.Contains(a.header.Get("Allow"), "DELETE") {
		t.Errorf("put: %d Allow=%q", a.status, a.header.Get("Allow"))
	}
	if a := b.do(t, "DELETE", hook+"?id="+id, nil, auth); a.status != 200 || a.body["status"] != "deleted" {
		t.Errorf("delete: %d %s", a.status, a.raw)
	}
	if a := b.do(t, "POST", hook, []byte(`{"name":`), auth); a.status != 400 {
		t.Errorf("truncated JSON: %d", a.status)
	}
}

func TestReportUploadExample(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const hook = "/api/plugin/hookpoint.report/webhook/upload_report"
	upload := func(filename, contentType, content string) answer {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("report_name", "nightly")
		mw.WriteField("target_chat", "inbox-group_reports")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="report_file"; filename="`+filename+`"`)
		h.Set("Content-Type", contentType)
		w, _ := mw.CreatePart(h)
		w.Write([]byte(content))
		mw.Close()
		return b.do(t, "POST", hook, buf.Bytes(), map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": mw.FormDataContentType()})
	}
	a := upload("../../etc/report.txt", "text/plain", "all systems nominal\nline 2")
	if a.status != 200 || a.body["filename"] != "report.txt" || a.body["size"] != float64(26) {
		t.Fatalf("upload: %d %s", a.status, a.raw)
	}
	saved, err := os.ReadFile(filepath.Join(b.data, "plugin_data", "hookpoint.report", "uploads", "report.txt"))
	if err != nil || string(saved) != "all systems nominal\nline 2" {
		t.Errorf("saved file: %q, %v", saved, err)
	}
	msgs := b.messages(t, "inbox-group_reports")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "nightly") || !strings.Contains(msgs[0], "all systems nominal") {
		t.Errorf("messages = %q", msgs)
	}
	if a := upload("x.png", "image/png", "\x89PNG"); a.status != 400 {
		t.Errorf("image upload: %d %s", a.status, a.raw)
	}
}

func TestJobExample(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const hook = "/api/plugin/hookpoint.job/webhook/start_job"
	auth := map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "application/json"}
	start := time.Now()
	a := b.do(t, "POST", hook, []byte(`{"task_id":"t-1","notify_chat_key":"inbox-group_jobs"}`), auth)
	if a.status != 202 || a.body["task_id"] != "t-1" {
		t.Fatalf("start: %d %s", a.status, a.raw)
	}
	if time.Since(start) >= time.Second {
		t.Errorf("202 took %v, the job's whole duration", time.Since(start))
	}
	if msgs := b.messages(t, "inbox-group_jobs"); len(msgs) != 0 {
		t.Errorf("message before the job finished: %q", msgs)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := b.messages(t, "inbox-group_jobs")
		if len(msgs) == 1 && strings.Contains(msgs[0], "t-1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no job message within 10s: %q", msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a := b.do(t, "POST", hook, []byte(`{"task_id":"t-2"}`), auth); a.status != 400 || !strings.Contains(a.raw, "notify_chat_key") {
		t.Errorf("no chat key: %d %s", a.status, a.raw)
	}
}

// TestJobSurvivesRestart stops the server while a job runs: the run is
// cancelled at the shutdown timeout and handed back to the queue, and the
// restarted server finishes it.
func TestJobSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func(duration string) *testBundle {
		b := startApp(t, `
server:
  shutdown_timeout: 300ms
plugins:
  hookpoint.job:
    config: {API_TOKEN: `+apiToken+`, JOB_DURATION: `+duration+`}
`, dir)
		return b
	}
	b := start("1h")
	a := b.do(t, "POST", "/api/plugin/hookpoint.job/webhook/start_job", []byte(`{"task_id":"long","notify_chat_key":"inbox-jobs"}`),
		map[string]string{"Authorization": "Bearer " + apiToken})
	if a.status != 202 {
		t.Fatalf("start: %d %s", a.status, a.raw)
	}
	job := a.body["job"].(string)
	// Wait until the job runs.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tk := b.do(t, "GET", "/api/admin/tasks/"+job, nil, nil)
		if tk.body["state"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not running: %s", tk.raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := time.Now()
	b.stop()
	if took := time.Since(stopped); took > 5*time.Second {
		t.Errorf("shutdown took %v with a one-hour job running", took)
	}

	b2 := start("10ms")
	b2.waitIdle(t)
	tk := b2.do(t, "GET", "/api/admin/tasks/"+job, nil, nil)
	if tk.body["state"] != "done" || tk.body["attempts"] != float64(1) {
		t.Errorf("after restart: %s", tk.raw)
	}
	if msgs := b2.messages(t, "inbox-jobs"); len(msgs) != 1 || !strings.Contains(msgs[0], "long") {
		t.Errorf("messages = %q", msgs)
	}
}
