package resource_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hookpoint/hookpoint/plugins/resource"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
	"github.com/hookpoint/hookpoint/verify"
)

const token = "example-shared-token"

func provision(t *testing.T, h *sdktest.Host) {
	t.Helper()
	p := &resource.Plugin{Config: resource.Config{APIToken: sdk.NewSecret(token)}}
	sdktest.Provision(t, h, p)
}

func setup(t *testing.T) *sdktest.Host {
	t.Helper()
	h := sdktest.NewHost(t, resource.ID)
	provision(t, h)
	return h
}

// call sends an authorised request and returns the status and JSON answer.
func call(t *testing.T, h *sdktest.Host, method, query, body string) (int, map[string]any) {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	req := &sdk.Request{
		Method: method,
		Query:  q,
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}},
		Body:   []byte(body),
	}
	resp, err := sdktest.Serve(t, h, resource.Endpoint, req)
	status := sdktest.Status(resp, err)
	if err != nil {
		return status, nil
	}
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		t.Fatalf("%s answer %q is not JSON: %v", method, resp.Body, err)
	}
	return status, m
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	h := setup(t)

	status, got := call(t, h, "GET", "", "")
	if status != 200 || got["status"] != "available" || fmt.Sprint(got["data"]) != "[]" {
		t.Fatalf("GET on empty store = %d %v, want 200 available []", status, got)
	}

	status, got = call(t, h, "POST", "", `{"name": "sensor-1", "temp": 21.5}`)
	id, _ := got["id"].(string)
	if status != http.StatusCreated || got["status"] != "created" || id == "" {
		t.Fatalf("POST = %d %v, want 201 created with an id", status, got)
	}
	status, got = call(t, h, "GET", "", "")
	data, _ := got["data"].([]any)
	if status != 200 || len(data) != 1 {
		t.Fatalf("GET = %d %v, want one resource", status, got)
	}
	r := data[0].(map[string]any)
	if r["id"] != id || fmt.Sprint(r["data"]) != "map[name:sensor-1 temp:21.5]" || r["created_at"] == "" {
		t.Errorf("listed resource = %v, want id %s and the posted object", r, id)
	}
	if status, _ := call(t, h, "HEAD", "", ""); status != 200 {
		t.Errorf("HEAD = %d, want 200", status)
	}

	status, got = call(t, h, "DELETE", "id="+url.QueryEscape(id), "")
	if status != 200 || got["status"] != "deleted" || got["id"] != id {
		t.Errorf("DELETE = %d %v, want 200 deleted %s", status, got, id)
	}
	if status, _ := call(t, h, "DELETE", "id="+url.QueryEscape(id), ""); status != http.StatusNotFound {
		t.Errorf("second DELETE = %d, want 404", status)
	}
}

func TestRejected(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tests := []struct {
		name   string
		req    *sdk.Request
		status int
	}{
		{"no token", &sdk.Request{Method: "GET"}, http.StatusUnauthorized},
		{"wrong token", &sdk.Request{Method: "GET", Header: http.Header{"Authorization": {"Bearer nope"}}}, http.StatusUnauthorized},
		{"PUT", &sdk.Request{Method: "PUT", Header: http.Header{"Authorization": {"Bearer " + token}}}, http.StatusMethodNotAllowed},
		{"invalid JSON", authed("POST", "", `{"name": `), http.StatusBadRequest},
		{"empty body", authed("POST", "", ``), http.StatusBadRequest},
		{"JSON array", authed("POST", "", `[1, 2]`), http.StatusBadRequest},
		{"JSON null", authed("POST", "", `null`), http.StatusBadRequest},
		{"trailing garbage", authed("POST", "", `{"a": 1} x`), http.StatusBadRequest},
		{"DELETE without id", authed("DELETE", "", ""), http.StatusBadRequest},
		{"DELETE unknown id", authed("DELETE", "nope", ""), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := sdktest.Serve(t, h, resource.Endpoint, tt.req)
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			var ve *verify.Error
			if tt.status == http.StatusUnauthorized && (!errors.As(err, &ve) || !strings.HasPrefix(ve.Challenge, "Bearer")) {
				t.Errorf("401 error %v carries no Bearer challenge", err)
			}
		})
	}
	if _, got := call(t, h, "GET", "", ""); fmt.Sprint(got["data"]) != "[]" {
		t.Errorf("rejected requests stored resources: %v", got["data"])
	}
}

func authed(method, id, body string) *sdk.Request {
	q := url.Values{}
	if id != "" {
		q.Set("id", id)
	}
	return &sdk.Request{Method: method, Query: q, Header: http.Header{"Authorization": {"Bearer " + token}}, Body: []byte(body)}
}

func TestSurvivesRestart(t *testing.T) {
	t.Parallel()
	first := setup(t)
	_, a := call(t, first, "POST", "", `{"n": 1}`)
	_, b := call(t, first, "POST", "", `{"n": 2}`)
	call(t, first, "DELETE", "id="+url.QueryEscape(a["id"].(string)), "")

	second := sdktest.NewHost(t, resource.ID)
	second.SetDataDir(first.DataDir())
	provision(t, second)
	_, got := call(t, second, "GET", "", "")
	data := got["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["id"] != b["id"] {
		t.Errorf("after restart data = %v, want only %v", data, b["id"])
	}
}

func TestConcurrentPosts(t *testing.T) {
	t.Parallel()
	h := setup(t)
	const n = 20
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Not call: t.Fatal must not run outside the test goroutine.
			resp, err := sdktest.Serve(t, h, resource.Endpoint, authed("POST", "", fmt.Sprintf(`{"i": %d}`, i)))
			var got struct{ ID string }
			if err != nil || json.Unmarshal(resp.Body, &got) != nil {
				t.Errorf("POST %d = %v", i, err)
			}
			ids <- got.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	b, err := os.ReadFile(filepath.Join(h.DataDir(), resource.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	var stored []resource.Resource
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || len(stored) != n {
		t.Errorf("%d distinct ids, %d stored, want %d", len(seen), len(stored), n)
	}
}

func TestCorruptStore(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, resource.ID)
	if err := os.WriteFile(filepath.Join(h.DataDir(), resource.StoreFile), []byte("{oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &resource.Plugin{Config: resource.Config{APIToken: sdk.NewSecret(token)}}
	if err := p.Provision(h); err == nil {
		t.Error("Provision with a corrupt store = nil, want an error")
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	p := &resource.Plugin{}
	if err := json.Unmarshal([]byte(`{"API_TOKEN": "t"}`), p.PluginConfig()); err != nil || p.Config.APIToken.Reveal() != "t" {
		t.Fatalf("decoding API_TOKEN: %v, %+v", err, p.Config)
	}
	empty := &resource.Plugin{}
	if err := empty.Validate(); err == nil {
		t.Error("Validate with no token = nil, want an error")
	}
	if err := empty.Provision(sdktest.NewHost(t, resource.ID)); !errors.Is(err, verify.ErrNoSecret) {
		t.Errorf("Provision with no token = %v, want verify.ErrNoSecret", err)
	}
}
