package github_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/plugins/github"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
	"github.com/hookpoint/hookpoint/verify"
)

const (
	testSecret = "It's a Secret to Everybody"
	testChat   = "inbox-group_ops"
)

// setup provisions the plugin on a fake host.
func setup(t *testing.T, chatKey string) *sdktest.Host {
	t.Helper()
	h := sdktest.NewHost(t, github.ID)
	p := &github.Plugin{Config: github.Config{WebhookSecret: sdk.NewSecret(testSecret), NotificationChatKey: chatKey}}
	sdktest.Provision(t, h, p)
	return h
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign returns the X-Hub-Signature-256 value GitHub sends for body.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// delivery builds a signed JSON delivery of event with body.
func delivery(event string, body []byte) *sdk.Request {
	return &sdk.Request{
		Method: http.MethodPost,
		Header: http.Header{
			"Content-Type":        {"application/json"},
			"X-Github-Event":      {event},
			"X-Github-Delivery":   {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
			"X-Hub-Signature-256": {sign(testSecret, body)},
		},
		Body: body,
	}
}

// get walks a decoded JSON value along keys.
func get(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("fixture: %v is not an object at %q", keys, k)
		}
		v = m[k]
	}
	return v
}

func decodeFixture(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// onlyMessage returns the one message sent, failing otherwise.
func onlyMessage(t *testing.T, h *sdktest.Host) sdktest.SentMessage {
	t.Helper()
	sent := h.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1: %+v", len(sent), sent)
	}
	if sent[0].ChatKey != testChat {
		t.Errorf("message sent to %q, want %q", sent[0].ChatKey, testChat)
	}
	return sent[0]
}

func answer(t *testing.T, resp *sdk.Response) map[string]any {
	t.Helper()
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		t.Fatalf("answer %q is not JSON: %v", resp.Body, err)
	}
	return m
}

func TestPushNotification(t *testing.T) {
	t.Parallel()
	body := fixture(t, "push.json")
	fx := decodeFixture(t, body)
	repo := get(t, fx, "repository", "full_name").(string)
	pusher := get(t, fx, "pusher", "name").(string)
	commits := len(get(t, fx, "commits").([]any))
	latest := firstLine(get(t, fx, "head_commit", "message").(string))

	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("push", body))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	want := map[string]any{"status": "success", "message": "Event 'push' received and acknowledged."}
	if got := answer(t, resp); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer = %v, want %v", got, want)
	}
	text := onlyMessage(t, h).Msg.Text
	for _, line := range []string{
		"📦 Push to " + repo,
		"Pusher: " + pusher,
		"Branch: master (new)",
		fmt.Sprintf("Commits: %d", commits),
		"Latest: " + latest,
	} {
		if !strings.Contains(text, line+"\n") && !strings.HasSuffix(text, line) {
			t.Errorf("message %q lacks line %q", text, line)
		}
	}
	if !strings.HasPrefix(text, "📦 Push to Codertocat/Hello-World\nPusher: Codertocat\n") {
		t.Errorf("message %q does not start with the repo and pusher", text)
	}
	if strings.Contains(h.Logs(), testSecret) || strings.Contains(h.Logs(), "sha256=") || strings.Contains(h.Logs(), "Initial commit") {
		t.Errorf("logs contain the secret, a signature or payload content:\n%s", h.Logs())
	}
}

func TestPushTagDeleted(t *testing.T) {
	t.Parallel()
	body := fixture(t, "push.tag-deleted.json")
	fx := decodeFixture(t, body)
	if get(t, fx, "deleted") != true || len(get(t, fx, "commits").([]any)) != 0 {
		t.Fatal("fixture is not a deletion without commits")
	}
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("push", body))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	want := fmt.Sprintf("📦 Push to %s\nPusher: %s\nref %s deleted",
		get(t, fx, "repository", "full_name"), get(t, fx, "pusher", "name"), get(t, fx, "ref"))
	if got := onlyMessage(t, h).Msg.Text; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// giteaRequest rebuilds a captured Gitea delivery, with its real headers
// and signature (Gitea sends X-GitHub-Event and X-Hub-Signature-256).
func giteaRequest(t *testing.T, name string) (*sdk.Request, map[string]any) {
	t.Helper()
	var capture struct {
		Method   string     `json:"method"`
		Headers  [][]string `json:"headers"`
		BodyFile string     `json:"body_file"`
	}
	if err := json.Unmarshal(fixture(t, "gitea-live/"+name), &capture); err != nil {
		t.Fatal(err)
	}
	req := &sdk.Request{Method: capture.Method, Header: http.Header{}}
	for _, kv := range capture.Headers {
		req.Header.Add(kv[0], kv[1])
	}
	req.Body = fixture(t, "gitea-live/"+capture.BodyFile)
	return req, decodeFixture(t, req.Body)
}

func TestGiteaPushCaptures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		capture string
		lines   func(fx map[string]any) []string
	}{
		{
			// Gitea lists commits newest first; the head commit is the merge.
			name:    "merge push with two commits",
			capture: "push.merge.request.json",
			lines: func(fx map[string]any) []string {
				commits := fx["commits"].([]any)
				return []string{
					"Pusher: " + fx["pusher"].(map[string]any)["login"].(string),
					"Branch: main",
					fmt.Sprintf("Commits: %d", len(commits)),
					"Latest: " + firstLine(fx["head_commit"].(map[string]any)["message"].(string)),
				}
			},
		},
		{
			name:    "tag push without commits",
			capture: "push.tag.request.json",
			lines: func(fx map[string]any) []string {
				return []string{
					"Tag: v0.1.0",
					"Commits: 0",
					"Latest: " + firstLine(fx["head_commit"].(map[string]any)["message"].(string)),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, fx := giteaRequest(t, tt.capture)
			h := sdktest.NewHost(t, github.ID)
			p := &github.Plugin{Config: github.Config{WebhookSecret: sdk.NewSecret("gitea-local-secret"), NotificationChatKey: testChat}}
			if err := p.Provision(h); err != nil {
				t.Fatal(err)
			}
			resp, err := sdktest.Serve(t, h, github.Endpoint, req)
			if got := sdktest.Status(resp, err); got != http.StatusOK {
				t.Fatalf("status = %d (%v), want 200", got, err)
			}
			text := onlyMessage(t, h).Msg.Text
			if want := "📦 Push to " + get(t, fx, "repository", "full_name").(string) + "\n"; !strings.HasPrefix(text, want) {
				t.Errorf("message %q does not start with %q", text, want)
			}
			for _, line := range tt.lines(fx) {
				if !strings.Contains(text+"\n", line+"\n") {
					t.Errorf("message %q lacks line %q", text, line)
				}
			}
		})
	}
}

func TestIssues(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"issues.opened.json", "issues.closed.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := fixture(t, name)
			fx := decodeFixture(t, body)
			h := setup(t, testChat)
			resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("issues", body))
			if got := sdktest.Status(resp, err); got != http.StatusOK {
				t.Fatalf("status = %d (%v), want 200", got, err)
			}
			want := fmt.Sprintf("📝 Issue #%v %s in %s\nTitle: %s\nBy: %s\n%s",
				get(t, fx, "issue", "number"), get(t, fx, "action"), get(t, fx, "repository", "full_name"),
				get(t, fx, "issue", "title"), get(t, fx, "sender", "login"), get(t, fx, "issue", "html_url"))
			if got := onlyMessage(t, h).Msg.Text; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	body := fixture(t, "ping.json")
	fx := decodeFixture(t, body)
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("ping", body))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	got := answer(t, resp)
	if got["zen"] != fx["zen"] || got["hook_id"] != fx["hook_id"] || got["status"] != "success" {
		t.Errorf("answer = %v, want zen %q and hook_id %v", got, fx["zen"], fx["hook_id"])
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("ping sent messages: %+v", sent)
	}
}

func TestUnhandledEventIgnored(t *testing.T) {
	t.Parallel()
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("star", fixture(t, "star.created.json")))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if got := answer(t, resp); got["status"] != "ignored" || got["event"] != "star" {
		t.Errorf("answer = %v, want status ignored, event star", got)
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("unhandled event sent messages: %+v", sent)
	}
	if !strings.Contains(h.Logs(), "level=INFO") || !strings.Contains(h.Logs(), "event=star") {
		t.Errorf("no info record for the ignored event:\n%s", h.Logs())
	}
}

func TestFormEncodedDelivery(t *testing.T) {
	t.Parallel()
	payload := fixture(t, "push.json")
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	req := delivery("push", body) // GitHub signs the raw (form) body
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, github.Endpoint, req)
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if text := onlyMessage(t, h).Msg.Text; !strings.Contains(text, "Latest: Initial commit") {
		t.Errorf("message %q lacks the latest commit", text)
	}
}

func TestRejected(t *testing.T) {
	t.Parallel()
	push := fixture(t, "push.json")
	tests := []struct {
		name   string
		req    func() *sdk.Request
		status int
		kind   error // verify error kind, if any
	}{
		{"missing signature", func() *sdk.Request {
			r := delivery("push", push)
			r.Header.Del("X-Hub-Signature-256")
			return r
		}, http.StatusBadRequest, verify.ErrMissing},
		{"signed with another secret", func() *sdk.Request {
			r := delivery("push", push)
			r.Header.Set("X-Hub-Signature-256", sign("wrong secret", push))
			return r
		}, http.StatusForbidden, verify.ErrMismatch},
		{"body changed after signing", func() *sdk.Request {
			r := delivery("push", push)
			r.Body = []byte(strings.Replace(string(push), "Codertocat", "Mallory", 1))
			return r
		}, http.StatusForbidden, verify.ErrMismatch},
		{"GET", func() *sdk.Request {
			r := delivery("push", push)
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed, nil},
		{"missing event header", func() *sdk.Request {
			r := delivery("push", push)
			r.Header.Del("X-GitHub-Event")
			return r
		}, http.StatusBadRequest, nil},
		{"invalid JSON", func() *sdk.Request { return delivery("push", []byte(`{"ref": `)) }, http.StatusBadRequest, nil},
		{"JSON array", func() *sdk.Request { return delivery("push", []byte(`[1, 2]`)) }, http.StatusBadRequest, nil},
		{"wrong field type", func() *sdk.Request { return delivery("push", []byte(`{"commits": "many"}`)) }, http.StatusBadRequest, nil},
		{"form without payload", func() *sdk.Request {
			r := delivery("push", []byte("other=1"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, http.StatusBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, testChat)
			resp, err := sdktest.Serve(t, h, github.Endpoint, tt.req())
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("rejected delivery sent messages: %+v", sent)
			}
		})
	}
}

func TestNoChatKey(t *testing.T) {
	t.Parallel()
	h := setup(t, "")
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("push", fixture(t, "push.json")))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("sent messages without a chat key: %+v", sent)
	}
	if !strings.Contains(h.Logs(), "level=WARN") || !strings.Contains(h.Logs(), "NOTIFICATION_CHAT_KEY") {
		t.Errorf("no warning about the missing chat key:\n%s", h.Logs())
	}
}

func TestSendFailure(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, github.ID)
	down := errors.New("adapter down")
	h.SendFunc = func(context.Context, string, sdk.Message) error { return down }
	p := &github.Plugin{Config: github.Config{WebhookSecret: sdk.NewSecret(testSecret), NotificationChatKey: testChat}}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	resp, err := sdktest.Serve(t, h, github.Endpoint, delivery("push", fixture(t, "push.json")))
	if got := sdktest.Status(resp, err); got != http.StatusInternalServerError || !errors.Is(err, down) {
		t.Fatalf("status = %d (%v), want 500 wrapping %v", got, err, down)
	}
	if sdk.IsPermanent(err) {
		t.Errorf("send failure %v is permanent; want it retried", err)
	}
}

func TestQueued(t *testing.T) {
	t.Parallel()
	h := setup(t, testChat)
	w, _ := h.Mounted(github.Endpoint)
	if w.Mode != sdk.ModeQueued || w.Check == nil {
		t.Fatalf("webhook mode %v, check set %v; want queued with a check", w.Mode, w.Check != nil)
	}
	push := fixture(t, "push.json")
	for _, req := range []*sdk.Request{delivery("push", push), delivery("ping", fixture(t, "ping.json")), delivery("star", []byte("not JSON"))} {
		if err := w.Check(req); err != nil {
			t.Errorf("Check(%s) = %v, want nil", req.Header.Get("X-GitHub-Event"), err)
		}
	}
	malformed := map[string]*sdk.Request{
		"missing event header": {Header: http.Header{"Content-Type": {"application/json"}}, Body: push},
		"invalid JSON":         delivery("push", []byte(`{"ref": `)),
		"form without payload": {Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Github-Event": {"push"}}, Body: []byte("a=1")},
	}
	for name, req := range malformed {
		// Refused before it is stored...
		if err := w.Check(req); !sdk.IsPermanent(err) || sdktest.Status(nil, err) != http.StatusBadRequest {
			t.Errorf("%s: Check = %v, want a 400", name, err)
		}
		// ...and failed for good, not retried, should a stored one reach
		// the handler.
		req.Logger = h.Logger()
		if _, err := w.Handler.ServeWebhook(t.Context(), req); !sdk.IsPermanent(err) {
			t.Errorf("%s: handler error %v is not permanent", name, err)
		}
	}
	// A well-formed object of the wrong shape is only found out by
	// decoding it, which is the handler's work: stored, then failed for
	// good with the decoder's complaint.
	wrong := delivery("issues", []byte(`{"issue": []}`))
	wrong.Logger = h.Logger()
	if err := w.Check(wrong); err != nil {
		t.Errorf("wrong field type: Check = %v, want nil (the check does not decode)", err)
	}
	if _, err := w.Handler.ServeWebhook(t.Context(), wrong); !sdk.IsPermanent(err) || !strings.Contains(err.Error(), "cannot unmarshal") {
		t.Errorf("wrong field type: handler error %v, want a permanent decoding error", err)
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("malformed deliveries sent %+v", sent)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	var info sdk.Info
	for _, i := range sdk.Registered() {
		if i.ID == github.ID {
			info = i
		}
	}
	if info.New == nil || !info.EnabledByDefault {
		t.Fatalf("plugin %s not registered as enabled by default: %+v", github.ID, info)
	}
	p := info.New().(*github.Plugin)
	raw := `{"GITHUB_WEBHOOK_SECRET": "s3cr3t", "NOTIFICATION_CHAT_KEY": "inbox-x"}`
	if err := json.Unmarshal([]byte(raw), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	if p.Config.WebhookSecret.Reveal() != "s3cr3t" || p.Config.NotificationChatKey != "inbox-x" {
		t.Errorf("config keys not decoded: %+v", p.Config)
	}
	if s := fmt.Sprintf("%v %+v", p.Config, p.Config); strings.Contains(s, "s3cr3t") {
		t.Errorf("printing the config shows the secret: %s", s)
	}

	empty := &github.Plugin{}
	if err := empty.Validate(); err == nil {
		t.Error("Validate with no secret = nil, want an error")
	}
	if err := empty.Provision(sdktest.NewHost(t, github.ID)); !errors.Is(err, verify.ErrNoSecret) {
		t.Errorf("Provision with no secret = %v, want verify.ErrNoSecret", err)
	}
}

func TestSecretRotation(t *testing.T) {
	t.Parallel()
	const oldSecret, newSecret = "old-secret", "new-secret"
	body := fixture(t, "push.json")
	signed := func(secret string) *sdk.Request {
		r := delivery("push", body)
		r.Header.Set("X-Hub-Signature-256", sign(secret, body))
		return r
	}
	tests := []struct {
		name     string
		previous string
		secret   string // the delivery is signed with this
		status   int
	}{
		{"new secret, no previous", "", newSecret, http.StatusOK},
		{"old secret, no previous", "", oldSecret, http.StatusForbidden},
		{"new secret during rotation", oldSecret, newSecret, http.StatusOK},
		{"old secret during rotation", oldSecret, oldSecret, http.StatusOK},
		{"unknown secret during rotation", oldSecret, "other", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := sdktest.NewHost(t, github.ID)
			p := &github.Plugin{Config: github.Config{
				WebhookSecret:         sdk.NewSecret(newSecret),
				PreviousWebhookSecret: sdk.NewSecret(tt.previous),
				NotificationChatKey:   testChat,
			}}
			sdktest.Provision(t, h, p)
			resp, err := sdktest.Serve(t, h, github.Endpoint, signed(tt.secret))
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.status == http.StatusOK]; len(h.Sent()) != want {
				t.Errorf("sent %d messages, want %d", len(h.Sent()), want)
			}
		})
	}

	p := github.Plugin{}
	raw := `{"GITHUB_WEBHOOK_SECRET": "new", "GITHUB_WEBHOOK_PREVIOUS_SECRET": "old"}`
	if err := json.Unmarshal([]byte(raw), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	if p.Config.PreviousWebhookSecret.Reveal() != "old" {
		t.Errorf("GITHUB_WEBHOOK_PREVIOUS_SECRET not decoded: %q", p.Config.PreviousWebhookSecret.Reveal())
	}
}
