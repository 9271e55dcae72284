package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/chat/inbox"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/ingest"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/server"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
)

// tokenVerifier accepts requests whose X-Token header is "good".
type tokenVerifier struct{}

type verifyError struct{ status int }

func (e *verifyError) Error() string { return "x-token: token is wrong" }
func (e *verifyError) Status() int   { return e.status }

func (tokenVerifier) Verify(r *http.Request, body []byte) error {
	switch r.Header.Get("x-token") {
	case "":
		return &verifyError{status: 400}
	case "good":
		return nil
	default:
		return &verifyError{status: 403}
	}
}

type testPlugin struct {
	cfg struct {
		Secret sdk.Secret `json:"SECRET"`
		Spare  sdk.Secret `json:"SPARE"` // left unset
	}
}

func (p *testPlugin) PluginInfo() sdk.Info { return sdk.Info{ID: "dev.sample_webhook"} }
func (p *testPlugin) PluginConfig() any    { return &p.cfg }

func (p *testPlugin) Provision(h sdk.Host) error {
	mounts := []sdk.Webhook{
		{Endpoint: "/myevent", Name: "My event", Description: "Echoes what it got.", Public: true, Handler: sdk.HandlerFunc(echo)},
		{Endpoint: "/only-post", Public: true, Methods: []string{"POST"}, Handler: sdk.HandlerFunc(echo)},
		{Endpoint: "/small", Public: true, MaxBodyBytes: 16, Handler: sdk.HandlerFunc(echo)},
		{Endpoint: "/verified", Verify: []sdk.Verifier{tokenVerifier{}}, Handler: sdk.HandlerFunc(echo)},
		{Endpoint: "/panic", Public: true, Handler: sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) {
			var m map[string]int
			//lint:ignore SA5000 the handler must panic for real
			m["boom"]++ // nil map write: a real panic
			return nil, nil
		})},
		{Endpoint: "/fail", Public: true, Handler: sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) {
			return nil, fmt.Errorf("database password %s rejected", p.cfg.Secret)
		})},
		{Endpoint: "/teapot", Public: true, Handler: sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) {
			return nil, sdk.Error(http.StatusTeapot, "no coffee")
		})},
		{Endpoint: "/notify", Public: true, Handler: sdk.HandlerFunc(func(ctx context.Context, r *sdk.Request) (*sdk.Response, error) {
			if err := h.Send(ctx, r.Query.Get("chat"), sdk.Message{Text: string(r.Body)}); err != nil {
				return nil, sdk.Errorf(http.StatusBadRequest, "%v", err)
			}
			return sdk.JSON(http.StatusAccepted, map[string]string{"status": "sent"})
		})},
		{Endpoint: "/bad-status", Public: true, Handler: sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) {
			return &sdk.Response{Status: 700}, nil
		})},
		{Endpoint: "/nil", Public: true, Handler: sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) { return nil, nil })},
		{Endpoint: "/partner", Verify: []sdk.Verifier{partnerVerifier{}, tokenVerifier{}}, SensitiveHeaders: []string{"X-Own-Key"}, Handler: sdk.HandlerFunc(echo)},
	}
	for _, w := range mounts {
		if err := h.Webhook(w); err != nil {
			return err
		}
	}
	return nil
}

func echo(_ context.Context, r *sdk.Request) (*sdk.Response, error) {
	return sdk.JSON(http.StatusCreated, map[string]any{
		"method": r.Method, "endpoint": r.Endpoint, "body": string(r.Body), "query": r.Query.Get("q"),
		"header": r.Header.Values("x-multi"), "client": r.ClientAddr, "delivery": r.DeliveryID,
	})
}

type disabledPlugin struct {
	cfg struct {
		Token sdk.Secret `json:"TOKEN" title:"Token" required:"true"`
	}
}

func (disabledPlugin) PluginInfo() sdk.Info { return sdk.Info{ID: "dev.off"} }
func (p *disabledPlugin) PluginConfig() any { return &p.cfg }

type testBundle struct {
	srv   *httptest.Server
	store *store.Store
}

func setup(t testing.TB, token string) *testBundle {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Plugins = map[string]config.Plugin{"dev.sample_webhook": {Config: map[string]any{"SECRET": "hunter2"}}}
	st, err := store.OpenSQLite(ctx, filepath.Join(cfg.DataDir, store.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	router, _ := chat.NewRouter(inbox.New(st))
	set, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Sender: router, Registry: []sdk.Info{
		{ID: "dev.sample_webhook", New: func() sdk.Plugin { return &testPlugin{} }},
		{ID: "dev.off", New: func() sdk.Plugin { return &disabledPlugin{} }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(server.Config{Plugins: set, Inbox: st, AdminToken: sdk.NewSecret(token), Operator: st,
		Ingest: ingest.New(ingest.Config{Store: st, Owner: "test"})})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testBundle{srv: srv, store: st}
}

type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, method, url string, body string, header http.Header) result {
	t.Helper()
	return doRaw(t, method, url, body, header)
}

func TestWebhookRouting(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	base := b.srv.URL + "/api/plugin/dev.sample_webhook/webhook"
	tests := []struct {
		name      string
		method    string
		url       string
		body      string
		header    http.Header
		status    int
		detailHas string
		allow     string
		checkEcho bool
	}{
		{name: "post", method: "POST", url: base + "/myevent?q=1", body: `{"a":1}`, status: 201, checkEcho: true},
		{name: "any method by default", method: "PATCH", url: base + "/myevent", status: 201},
		{name: "method not allowed", method: "GET", url: base + "/only-post", status: 405, allow: "POST", detailHas: "GET is not allowed"},
		{name: "unknown plugin", method: "POST", url: b.srv.URL + "/api/plugin/dev.nope/webhook/x", status: 404, detailHas: `unknown plugin "dev.nope"`},
		{name: "disabled plugin", method: "POST", url: b.srv.URL + "/api/plugin/dev.off/webhook/x", status: 404, detailHas: "disabled"},
		{name: "unknown endpoint", method: "POST", url: base + "/nope", status: 404, detailHas: `no webhook endpoint "/nope"`},
		{name: "trailing slash is another endpoint", method: "POST", url: base + "/myevent/", status: 404},
		{name: "no webhook segment", method: "POST", url: b.srv.URL + "/api/plugin/dev.sample_webhook/other", status: 404},
		{name: "body over limit", method: "POST", url: base + "/small", body: strings.Repeat("x", 17), status: 413, detailHas: "16 bytes"},
		{name: "body at limit", method: "POST", url: base + "/small", body: strings.Repeat("x", 16), status: 201},
		{name: "verifier missing header", method: "POST", url: base + "/verified", status: 400, detailHas: "x-token"},
		{name: "verifier wrong token", method: "POST", url: base + "/verified", header: http.Header{"X-Token": {"bad"}}, status: 403},
		{name: "verifier ok", method: "POST", url: base + "/verified", header: http.Header{"X-Token": {"good"}}, status: 201},
		{name: "panic is 500 with id", method: "POST", url: base + "/panic", status: 500, detailHas: "internal error"},
		{name: "error is 500 with id", method: "POST", url: base + "/fail", status: 500, detailHas: "internal error"},
		{name: "http error", method: "POST", url: base + "/teapot", status: 418, detailHas: "no coffee"},
		{name: "nil response", method: "POST", url: base + "/nil", status: 200},
		{name: "status out of range is 500 with id", method: "POST", url: base + "/bad-status", status: 500, detailHas: "internal error"},
		{name: "dot segments", method: "POST", url: base + "/../../admin/plugins", status: 400, detailHas: "malformed path"},
		{name: "encoded dots", method: "POST", url: base + "/%2e%2e/x", status: 400, detailHas: "malformed path"},
		{name: "encoded slash", method: "POST", url: base + "%2fmyevent", status: 400},
		{name: "double slash", method: "POST", url: base + "//myevent", status: 400},
		{name: "healthz", method: "GET", url: b.srv.URL + "/healthz", status: 200},
		{name: "unknown path", method: "GET", url: b.srv.URL + "/nope", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := doRaw(t, tt.method, tt.url, tt.body, tt.header)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if r.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if tt.status >= 400 {
				detail, _ := r.body["detail"].(string)
				if detail == "" || !strings.Contains(detail, tt.detailHas) {
					t.Errorf("detail = %q, want one containing %q", detail, tt.detailHas)
				}
			}
			if tt.status == 500 {
				if id, _ := r.body["error_id"].(string); id == "" || id != r.header.Get("X-Request-Id") {
					t.Errorf("error_id = %q, request id %q", id, r.header.Get("X-Request-Id"))
				}
				if strings.Contains(r.raw, "hunter2") || strings.Contains(r.raw, "nil map") {
					t.Errorf("500 body leaks details: %s", r.raw)
				}
			}
			if tt.allow != "" && r.header.Get("Allow") != tt.allow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.allow)
			}
			if tt.checkEcho {
				if r.body["body"] != tt.body || r.body["endpoint"] != "/myevent" || r.body["query"] != "1" || r.body["client"] != "127.0.0.1" {
					t.Errorf("handler saw %v", r.body)
				}
			}
		})
	}
}

// doRaw sends the URL exactly as given (no client-side path cleaning).
func doRaw(t *testing.T, method, rawURL, body string, header http.Header) result {
	t.Helper()
	req, err := http.NewRequest(method, "http://placeholder/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	host, path, _ := strings.Cut(strings.TrimPrefix(rawURL, "http://"), "/")
	req.URL.Host = host
	req.Host = host
	req.URL.Opaque = "//" + host + "/" + strings.SplitN(path, "?", 2)[0]
	if _, q, ok := strings.Cut(path, "?"); ok {
		req.URL.RawQuery = q
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	json.Unmarshal(raw, &r.body)
	return r
}

// A handler's status that HTTP cannot carry is answered as a 500, and the
// delivery's record says why.
func TestOutOfRangeStatusIsRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	if r := do(t, "POST", b.srv.URL+"/api/plugin/dev.sample_webhook/webhook/bad-status", "x", nil); r.status != 500 {
		t.Fatalf("status %d", r.status)
	}
	ds, err := b.store.Deliveries(context.Background(), record.DeliveryFilter{Endpoint: "/bad-status", Limit: 1})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %v, %v", ds, err)
	}
	if d := ds[0]; d.ResponseStatus != 500 || !strings.Contains(d.LastError, "status 700") {
		t.Errorf("delivery recorded status %d, error %q; want 500 and why", d.ResponseStatus, d.LastError)
	}
}

func TestHandlerSeesMultiValueHeadersAndDeliveryID(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	r := do(t, "POST", b.srv.URL+"/api/plugin/dev.sample_webhook/webhook/myevent", "x", http.Header{
		"X-Multi": {"1", "2"}, "X-Github-Delivery": {"abc-123"},
	})
	if h, _ := r.body["header"].([]any); len(h) != 2 {
		t.Errorf("handler saw X-Multi = %v", r.body["header"])
	}
	if r.body["delivery"] != "abc-123" {
		t.Errorf("delivery id = %v", r.body["delivery"])
	}
}

func TestServerSurvivesPanics(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	for i := 0; i < 20; i++ {
		if r := do(t, "POST", b.srv.URL+"/api/plugin/dev.sample_webhook/webhook/panic", "", nil); r.status != 500 {
			t.Fatalf("status %d", r.status)
		}
	}
	if r := do(t, "POST", b.srv.URL+"/api/plugin/dev.sample_webhook/webhook/myevent", "ok", nil); r.status != 201 {
		t.Fatalf("after panics: status %d", r.status)
	}
}

func TestSendToInboxAndReadMessages(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	notify := b.srv.URL + "/api/plugin/dev.sample_webhook/webhook/notify?chat="
	for i := 0; i < 250; i++ {
		if r := do(t, "POST", notify+"inbox-group_ops", fmt.Sprintf("msg %d", i), nil); r.status != 202 {
			t.Fatalf("send %d: %d %s", i, r.status, r.raw)
		}
	}
	do(t, "POST", notify+"inbox-telegram_-100", "other chat", nil)
	r := do(t, "POST", notify+"nodash", "x", nil)
	if r.status != 400 || !strings.Contains(r.raw, "malformed chat key") {
		t.Errorf("malformed key: %d %s", r.status, r.raw)
	}
	r = do(t, "POST", notify+"telegram-group_-1002768666191", "x", nil)
	if r.status != 400 || !strings.Contains(r.raw, `no chat adapter \"telegram\"`) {
		t.Errorf("unknown adapter: %d %s", r.status, r.raw)
	}

	// Page through all messages 100 at a time with the cursor.
	var texts []string
	cursor := ""
	for page := 0; page < 10; page++ {
		url := b.srv.URL + "/api/admin/chats/inbox-group_ops/messages?limit=100"
		if cursor != "" {
			url += "&after=" + cursor
		}
		var out struct {
			Messages []struct {
				ID        int64  `json:"id"`
				ChatKey   string `json:"chat_key"`
				Text      string `json:"text"`
				Plugin    string `json:"plugin"`
				CreatedAt string `json:"created_at"`
			} `json:"messages"`
			NextCursor string `json:"next_cursor"`
		}
		r := do(t, "GET", url, "", nil)
		if err := json.Unmarshal([]byte(r.raw), &out); err != nil || r.status != 200 {
			t.Fatalf("messages: %d %s", r.status, r.raw)
		}
		for _, m := range out.Messages {
			if m.ChatKey != "inbox-group_ops" || m.Plugin != "dev.sample_webhook" || m.CreatedAt == "" || m.ID == 0 {
				t.Fatalf("message %+v", m)
			}
			texts = append(texts, m.Text)
		}
		if cursor = out.NextCursor; cursor == "" {
			break
		}
	}
	if len(texts) != 250 || texts[0] != "msg 0" || texts[249] != "msg 249" {
		t.Errorf("read %d messages, first %q", len(texts), texts[0])
	}
	r = do(t, "GET", b.srv.URL+"/api/admin/chats/inbox-group_ops/messages?limit=100000", "", nil)
	if msgs, _ := r.body["messages"].([]any); len(msgs) != 250 {
		t.Errorf("limit=100000 returned %d messages", len(msgs))
	}
	for _, bad := range []string{"?limit=0", "?limit=100001", "?limit=x", "?after=-1"} {
		if r := do(t, "GET", b.srv.URL+"/api/admin/chats/inbox-group_ops/messages"+bad, "", nil); r.status != 400 {
			t.Errorf("%s: status %d", bad, r.status)
		}
	}
	r = do(t, "GET", b.srv.URL+"/api/admin/chats", "", nil)
	if chats, _ := r.body["chats"].([]any); len(chats) != 2 {
		t.Errorf("chats = %s", r.raw)
	}
}

func TestAdminAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, "admin-token-xyz")
	url := b.srv.URL + "/api/admin/plugins"
	if r := do(t, "GET", url, "", nil); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %v", r.status, r.header)
	}
	if r := do(t, "GET", url, "", http.Header{"Authorization": {"Bearer wrong"}}); r.status != 401 {
		t.Errorf("wrong token: %d", r.status)
	}
	r := do(t, "GET", url, "", http.Header{"Authorization": {"Bearer admin-token-xyz"}})
	if r.status != 200 {
		t.Fatalf("right token: %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, "hunter2") || strings.Contains(r.raw, "admin-token-xyz") {
		t.Errorf("plugin listing leaks a secret: %s", r.raw)
	}
	var out struct {
		Plugins []struct {
			ID           string         `json:"id"`
			State        string         `json:"state"`
			Config       map[string]any `json:"config"`
			ConfigFields []plugin.Field `json:"config_fields"`
			Webhooks     []struct {
				URL, Name, Description string
				Methods                []string
				Public                 bool
				Verification           []string
			} `json:"webhooks"`
		} `json:"plugins"`
	}
	json.Unmarshal([]byte(r.raw), &out)
	if len(out.Plugins) != 2 || out.Plugins[0].ID != "dev.sample_webhook" || out.Plugins[1].State != "disabled" {
		t.Fatalf("plugins = %+v", out.Plugins)
	}
	if f := out.Plugins[1].ConfigFields; len(f) != 1 || f[0].Key != "TOKEN" || !f[0].Required || !f[0].Secret {
		t.Errorf("config fields of the disabled plugin = %+v", f)
	}
	p := out.Plugins[0]
	if p.Config["SECRET"] != sdk.Masked {
		t.Errorf("config = %v, want SECRET masked", p.Config)
	}
	if spare, ok := p.Config["SPARE"]; !ok || spare != nil {
		t.Errorf("config = %v, want the unset SPARE as null, not masked", p.Config)
	}
	w := p.Webhooks[0]
	if w.URL != "http://localhost:8080/api/plugin/dev.sample_webhook/webhook/myevent" || w.Name != "My event" || w.Description != "Echoes what it got." || !w.Public {
		t.Errorf("webhook = %+v", w)
	}
	if len(p.Webhooks[3].Verification) != 1 || p.Webhooks[3].Public {
		t.Errorf("verified webhook = %+v", p.Webhooks[3])
	}
	if r := do(t, "POST", url, "", http.Header{"Authorization": {"Bearer admin-token-xyz"}}); r.status != 405 {
		t.Errorf("POST plugins: %d", r.status)
	}
	if r := do(t, "GET", b.srv.URL+"/api/admin/nope", "", http.Header{"Authorization": {"Bearer admin-token-xyz"}}); r.status != 404 || r.body["detail"] == nil {
		t.Errorf("unknown admin path: %d %s", r.status, r.raw)
	}
}

func TestAdminWithoutTokenIsLoopbackOnly(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	if r := do(t, "GET", b.srv.URL+"/api/admin/plugins", "", nil); r.status != 200 {
		t.Errorf("loopback without token: %d", r.status)
	}
	// A request that reaches the handler from a non-loopback peer.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/admin/plugins", nil)
	req.RemoteAddr = "203.0.113.9:4242"
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	b.srv.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != 403 {
		t.Errorf("remote client without token: %d", rec.Code)
	}
}
