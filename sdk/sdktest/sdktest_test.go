package sdktest_test

import (
	"context"
	"errors"
	"net/http"
	"os"
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
		{"root only", sdk.Webhook{Endpoint: "/", Public: true, Handler: ok.Handler}},
		{"no handler", sdk.Webhook{Endpoint: "/c", Public: true}},
		{"no verifier, not public", sdk.Webhook{Endpoint: "/d", Handler: ok.Handler}},
		{"nil verifier", sdk.Webhook{Endpoint: "/e", Verify: []sdk.Verifier{nil}, Handler: ok.Handler}},
		{"lower-case method", sdk.Webhook{Endpoint: "/f", Public: true, Methods: []string{"post"}, Handler: ok.Handler}},
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

func TestHostGo(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, "dev.kit")
	id := h.Go("quick", func(ctx context.Context) error { return nil })
	if id != "quick-1" {
		t.Errorf("task id = %q, want quick-1", id)
	}
	h.Go("slow", func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
			return errors.New("not cancelled")
		}
	})
	h.Cancel()
	if err := h.Wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait() = %v, want context.Canceled", err)
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
