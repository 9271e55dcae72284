package gitlab_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/plugins/gitlab"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
	"github.com/hookpoint/hookpoint/verify"
)

const (
	testToken = "gitlab-secret-token"
	testChat  = "inbox-group_ops"
)

// setup provisions the plugin on a fake host.
func setup(t *testing.T, chatKey string) *sdktest.Host {
	t.Helper()
	h := sdktest.NewHost(t, gitlab.ID)
	p := &gitlab.Plugin{Config: gitlab.Config{WebhookToken: sdk.NewSecret(testToken), NotificationChatKey: chatKey}}
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

// delivery builds a GitLab delivery of event with body, carrying the
// headers GitLab sends.
func delivery(event string, body []byte) *sdk.Request {
	return &sdk.Request{
		Method: http.MethodPost,
		Header: http.Header{
			"Content-Type":          {"application/json"},
			"User-Agent":            {"GitLab/17.5.0"},
			"X-Gitlab-Event":        {event},
			"X-Gitlab-Event-Uuid":   {"3e4b4e5a-9a3c-4d39-a4f4-3c2f1a0f7b11"},
			"X-Gitlab-Webhook-Uuid": {"6a3f0f0e-0c47-4b6f-8d5f-2c3d4e5f6a7b"},
			"X-Gitlab-Instance":     {"https://gitlab.example.com"},
			"X-Gitlab-Token":        {testToken},
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

func str(t *testing.T, v any, keys ...string) string {
	t.Helper()
	s, ok := get(t, v, keys...).(string)
	if !ok {
		t.Fatalf("fixture: %v is not a string", keys)
	}
	return s
}

func decodeFixture(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// serve sends a delivery and returns the one message it sent.
func serve(t *testing.T, event, name string) (string, map[string]any) {
	t.Helper()
	body := fixture(t, name)
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, gitlab.Endpoint, delivery(event, body))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	want := map[string]any{"status": "success", "message": "Event '" + event + "' received and acknowledged."}
	if got := answer(t, resp); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer = %v, want %v", got, want)
	}
	if logs := h.Logs(); strings.Contains(logs, testToken) {
		t.Errorf("logs contain the token:\n%s", logs)
	}
	return onlyMessage(t, h).Msg.Text, decodeFixture(t, body)
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

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// commitByID returns the fixture's commit with id.
func commitByID(t *testing.T, fx map[string]any, id string) map[string]any {
	t.Helper()
	for _, c := range get(t, fx, "commits").([]any) {
		if c := c.(map[string]any); c["id"] == id {
			return c
		}
	}
	t.Fatalf("fixture has no commit %s", id)
	return nil
}

func TestPush(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventPush, "push.json")
	after := str(t, fx, "after")
	head := commitByID(t, fx, after)
	total := int(get(t, fx, "total_commits_count").(float64))
	if listed := len(get(t, fx, "commits").([]any)); total <= listed {
		t.Fatalf("fixture total_commits_count %d does not exceed the %d listed commits", total, listed)
	}
	want := strings.Join([]string{
		"📦 Push to " + str(t, fx, "project", "path_with_namespace"),
		"By: " + str(t, fx, "user_name"),
		"Branch: " + strings.TrimPrefix(str(t, fx, "ref"), "refs/heads/"),
		fmt.Sprintf("Commits: %d", total),
		"Latest: " + firstLine(head["message"].(string)),
		head["url"].(string),
	}, "\n")
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

func TestTagPush(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventTagPush, "tag_push.json")
	tag := strings.TrimPrefix(str(t, fx, "ref"), "refs/tags/")
	head := commitByID(t, fx, str(t, fx, "after"))
	want := strings.Join([]string{
		"🏷️ Tag " + tag + " pushed to " + str(t, fx, "project", "path_with_namespace"),
		"By: " + str(t, fx, "user_name"),
		"Commit: " + head["title"].(string),
		str(t, fx, "project", "web_url") + "/-/tags/" + tag,
	}, "\n")
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

func TestMergeRequest(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventMergeRequest, "merge_request.open.json")
	if get(t, fx, "object_attributes", "action") != "open" {
		t.Fatal("fixture is not an open action")
	}
	want := fmt.Sprintf("🔀 Merge request !%v opened in %s\nTitle: %s\nBranches: %s → %s\nBy: %s\n%s",
		get(t, fx, "object_attributes", "iid"), str(t, fx, "project", "path_with_namespace"),
		str(t, fx, "object_attributes", "title"),
		str(t, fx, "object_attributes", "source_branch"), str(t, fx, "object_attributes", "target_branch"),
		str(t, fx, "user", "name"), str(t, fx, "object_attributes", "url"))
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

func TestIssue(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventIssue, "issue.open.json")
	if get(t, fx, "object_attributes", "action") != "open" {
		t.Fatal("fixture is not an open action")
	}
	want := fmt.Sprintf("📝 Issue #%v opened in %s\nTitle: %s\nBy: %s\n%s",
		get(t, fx, "object_attributes", "iid"), str(t, fx, "project", "path_with_namespace"),
		str(t, fx, "object_attributes", "title"), str(t, fx, "user", "name"),
		str(t, fx, "object_attributes", "url"))
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

func TestPipeline(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventPipeline, "pipeline.json")
	attrs := get(t, fx, "object_attributes").(map[string]any)
	if attrs["status"] != "success" || attrs["tag"] != false {
		t.Fatalf("fixture is not a successful branch pipeline: %v", attrs)
	}
	counts := map[string]int{}
	for _, b := range get(t, fx, "builds").([]any) {
		counts[b.(map[string]any)["status"].(string)]++
	}
	duration := time.Duration(attrs["duration"].(float64)) * time.Second
	want := strings.Join([]string{
		fmt.Sprintf("✅ Pipeline #%v success in %s", attrs["id"], str(t, fx, "project", "path_with_namespace")),
		"Branch: " + attrs["ref"].(string),
		"By: " + str(t, fx, "user", "name"),
		fmt.Sprintf("Jobs: %d success, %d skipped, %d created", counts["success"], counts["skipped"], counts["created"]),
		"Duration: " + duration.String(),
		fmt.Sprintf("%s/-/pipelines/%v", str(t, fx, "project", "web_url"), attrs["id"]),
	}, "\n")
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

// TestPipelineNotFinal changes the fixture's status to one GitLab sends
// while the pipeline runs: it is acknowledged without a message.
func TestPipelineNotFinal(t *testing.T) {
	t.Parallel()
	fx := decodeFixture(t, fixture(t, "pipeline.json"))
	get(t, fx, "object_attributes").(map[string]any)["status"] = "running"
	body, err := json.Marshal(fx)
	if err != nil {
		t.Fatal(err)
	}
	h := setup(t, testChat)
	resp, err := sdktest.Serve(t, h, gitlab.Endpoint, delivery(gitlab.EventPipeline, body))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if got := answer(t, resp); got["status"] != "success" || got["notified"] != false {
		t.Errorf("answer = %v, want status success, notified false", got)
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("running pipeline sent messages: %+v", sent)
	}
}

func TestRelease(t *testing.T) {
	t.Parallel()
	text, fx := serve(t, gitlab.EventRelease, "release.create.json")
	if get(t, fx, "action") != "create" {
		t.Fatal("fixture is not a create action")
	}
	want := fmt.Sprintf("🚀 Release %s created in %s\nTag: %s\n%s",
		str(t, fx, "name"), str(t, fx, "project", "path_with_namespace"), str(t, fx, "tag"), str(t, fx, "url"))
	if text != want {
		t.Errorf("message =\n%s\nwant\n%s", text, want)
	}
}

func TestUnhandledEventsIgnored(t *testing.T) {
	t.Parallel()
	tests := []struct{ event, fixture string }{
		{"Note Hook", "note.issue.json"},
		{"Job Hook", "job.json"},
		{"Confidential Issue Hook", "issue.open.json"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			t.Parallel()
			h := setup(t, testChat)
			resp, err := sdktest.Serve(t, h, gitlab.Endpoint, delivery(tt.event, fixture(t, tt.fixture)))
			if got := sdktest.Status(resp, err); got != http.StatusOK {
				t.Fatalf("status = %d (%v), want 200", got, err)
			}
			if got := answer(t, resp); got["status"] != "ignored" || got["event"] != tt.event {
				t.Errorf("answer = %v, want status ignored, event %q", got, tt.event)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("unhandled event sent messages: %+v", sent)
			}
			if !strings.Contains(h.Logs(), "level=INFO") || !strings.Contains(h.Logs(), "ignoring unhandled GitLab event") {
				t.Errorf("no info record for the ignored event:\n%s", h.Logs())
			}
		})
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
		{"missing token", func() *sdk.Request {
			r := delivery(gitlab.EventPush, push)
			r.Header.Del("X-Gitlab-Token")
			return r
		}, http.StatusBadRequest, verify.ErrMissing},
		{"wrong token", func() *sdk.Request {
			r := delivery(gitlab.EventPush, push)
			r.Header.Set("X-Gitlab-Token", "wrong token")
			return r
		}, http.StatusForbidden, verify.ErrMismatch},
		{"token with a suffix", func() *sdk.Request {
			r := delivery(gitlab.EventPush, push)
			r.Header.Set("X-Gitlab-Token", testToken+"x")
			return r
		}, http.StatusForbidden, verify.ErrMismatch},
		{"GET", func() *sdk.Request {
			r := delivery(gitlab.EventPush, push)
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed, nil},
		{"missing event header", func() *sdk.Request {
			r := delivery(gitlab.EventPush, push)
			r.Header.Del("X-Gitlab-Event")
			return r
		}, http.StatusBadRequest, nil},
		{"invalid JSON", func() *sdk.Request { return delivery(gitlab.EventPush, []byte(`{"ref": `)) }, http.StatusBadRequest, nil},
		{"JSON array", func() *sdk.Request { return delivery(gitlab.EventPush, []byte(`[1, 2]`)) }, http.StatusBadRequest, nil},
		{"wrong field type", func() *sdk.Request {
			return delivery(gitlab.EventPush, []byte(`{"total_commits_count": "many"}`))
		}, http.StatusBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, testChat)
			resp, err := sdktest.Serve(t, h, gitlab.Endpoint, tt.req())
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q shows the token", err)
			}
			if sent := h.Sent(); len(sent) != 0 {
				t.Errorf("rejected delivery sent messages: %+v", sent)
			}
		})
	}
}

func TestTokenRotation(t *testing.T) {
	t.Parallel()
	const oldToken, newToken = "old-token", "new-token"
	body := fixture(t, "push.json")
	tests := []struct {
		name     string
		previous string
		token    string // the delivery carries this
		status   int
	}{
		{"new token, no previous", "", newToken, http.StatusOK},
		{"old token, no previous", "", oldToken, http.StatusForbidden},
		{"new token during rotation", oldToken, newToken, http.StatusOK},
		{"old token during rotation", oldToken, oldToken, http.StatusOK},
		{"unknown token during rotation", oldToken, "other", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := sdktest.NewHost(t, gitlab.ID)
			p := &gitlab.Plugin{Config: gitlab.Config{
				WebhookToken:         sdk.NewSecret(newToken),
				PreviousWebhookToken: sdk.NewSecret(tt.previous),
				NotificationChatKey:  testChat,
			}}
			sdktest.Provision(t, h, p)
			req := delivery(gitlab.EventPush, body)
			req.Header.Set("X-Gitlab-Token", tt.token)
			resp, err := sdktest.Serve(t, h, gitlab.Endpoint, req)
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.status == http.StatusOK]; len(h.Sent()) != want {
				t.Errorf("sent %d messages, want %d", len(h.Sent()), want)
			}
		})
	}
}

func TestNoChatKey(t *testing.T) {
	t.Parallel()
	h := setup(t, "")
	resp, err := sdktest.Serve(t, h, gitlab.Endpoint, delivery(gitlab.EventPush, fixture(t, "push.json")))
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
	h := sdktest.NewHost(t, gitlab.ID)
	down := errors.New("adapter down")
	h.SendFunc = func(context.Context, string, sdk.Message) error { return down }
	p := &gitlab.Plugin{Config: gitlab.Config{WebhookToken: sdk.NewSecret(testToken), NotificationChatKey: testChat}}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	resp, err := sdktest.Serve(t, h, gitlab.Endpoint, delivery(gitlab.EventPush, fixture(t, "push.json")))
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
	w, _ := h.Mounted(gitlab.Endpoint)
	if w.Mode != sdk.ModeQueued || w.Check == nil {
		t.Fatalf("webhook mode %v, check set %v; want queued with a check", w.Mode, w.Check != nil)
	}
	push := fixture(t, "push.json")
	for _, req := range []*sdk.Request{delivery(gitlab.EventPush, push), delivery("Wiki Page Hook", []byte("not JSON"))} {
		if err := w.Check(req); err != nil {
			t.Errorf("Check(%s) = %v, want nil", req.Header.Get("X-Gitlab-Event"), err)
		}
	}
	noEvent := delivery(gitlab.EventPush, push)
	noEvent.Header.Del("X-Gitlab-Event")
	malformed := map[string]*sdk.Request{
		"missing event header": noEvent,
		"invalid JSON":         delivery(gitlab.EventPush, []byte(`{"ref": `)),
		"JSON array":           delivery(gitlab.EventPipeline, []byte(`[1]`)),
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
	wrong := delivery(gitlab.EventMergeRequest, []byte(`{"object_attributes": "x"}`))
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
		if i.ID == gitlab.ID {
			info = i
		}
	}
	if info.New == nil || info.EnabledByDefault {
		t.Fatalf("plugin %s not registered as disabled by default: %+v", gitlab.ID, info)
	}
	p := info.New().(*gitlab.Plugin)
	raw := `{"GITLAB_WEBHOOK_TOKEN": "s3cr3t", "GITLAB_WEBHOOK_PREVIOUS_TOKEN": "0ld", "NOTIFICATION_CHAT_KEY": "inbox-x"}`
	if err := json.Unmarshal([]byte(raw), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	if p.Config.WebhookToken.Reveal() != "s3cr3t" || p.Config.PreviousWebhookToken.Reveal() != "0ld" || p.Config.NotificationChatKey != "inbox-x" {
		t.Errorf("config keys not decoded: %+v", p.Config)
	}
	if s := fmt.Sprintf("%v %+v", p.Config, p.Config); strings.Contains(s, "s3cr3t") || strings.Contains(s, "0ld") {
		t.Errorf("printing the config shows a token: %s", s)
	}

	empty := &gitlab.Plugin{}
	if err := empty.Validate(); err == nil {
		t.Error("Validate with no token = nil, want an error")
	}
	if err := empty.Provision(sdktest.NewHost(t, gitlab.ID)); !errors.Is(err, verify.ErrNoSecret) {
		t.Errorf("Provision with no token = %v, want verify.ErrNoSecret", err)
	}
}
