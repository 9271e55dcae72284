package app_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func signedPush(t *testing.T, delivery string) ([]byte, map[string]string) {
	t.Helper()
	body := fixture(t, "push.json")
	return body, map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": "push",
		"X-GitHub-Delivery": delivery, "X-Hub-Signature-256": sign(body),
	}
}

func TestRedeliveryIsProcessedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := setupWith(t, "", dir)
	body, h := signedPush(t, "11111111-2222-4333-8444-555555555555")
	first := b.do(t, "POST", githubHook, body, h)
	if first.status != 202 {
		t.Fatalf("first delivery: %d %s", first.status, first.raw)
	}
	for i := 0; i < 3; i++ {
		again := b.do(t, "POST", githubHook, body, h)
		if again.status != 200 || again.body["status"] != "duplicate" || again.body["delivery_id"] != first.body["delivery_id"] {
			t.Fatalf("redelivery %d: %d %s", i, again.status, again.raw)
		}
	}
	h2 := map[string]string{}
	for k, v := range h {
		h2[k] = v
	}
	h2["X-GitHub-Delivery"] = "11111111-2222-4333-8444-666666666666"
	if a := b.do(t, "POST", githubHook, body, h2); a.status != 202 || a.body["status"] != "accepted" {
		t.Fatalf("new delivery id: %d %s", a.status, a.raw)
	}
	b.waitIdle(t)
	if msgs := b.messages(t, devChat); len(msgs) != 2 {
		t.Fatalf("%d messages, want 2 (one per delivery id)", len(msgs))
	}
	metrics := b.do(t, "GET", "/metrics", nil, nil)
	if !strings.Contains(metrics.raw, `hookpoint_webhook_duplicates_total{plugin="hookpoint.github",endpoint="/github"} 3`) {
		t.Errorf("duplicates not counted:\n%s", metrics.raw)
	}

	// The record survives a restart.
	b.stop()
	b2 := setupWith(t, "", dir)
	if a := b2.do(t, "POST", githubHook, body, h); a.body["status"] != "duplicate" {
		t.Fatalf("redelivery after restart: %d %s", a.status, a.raw)
	}
	if msgs := b2.messages(t, devChat); len(msgs) != 2 {
		t.Fatalf("%d messages after restart, want 2", len(msgs))
	}
}

func TestFailedDeliveryIsProcessedOnRetry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const hook = "/api/plugin/hookpoint.job/webhook/start_job"
	h := map[string]string{"Authorization": "Bearer " + apiToken, "Idempotency-Key": "job-abc"}
	if a := b.do(t, "POST", hook, []byte(`{"task_id":"x"}`), h); a.status != 400 {
		t.Fatalf("bad request: %d %s", a.status, a.raw)
	}
	// The same id with a corrected body is processed: a failure is not
	// recorded as done.
	first := b.do(t, "POST", hook, []byte(`{"task_id":"x","notify_chat_key":"inbox-j"}`), h)
	if first.status != 202 || first.body["job"] == nil {
		t.Fatalf("retry: %d %s", first.status, first.raw)
	}
	// A client that retries a success gets the original answer, with the
	// job's id, and starts nothing new.
	again := b.do(t, "POST", hook, []byte(`{"task_id":"x","notify_chat_key":"inbox-j"}`), h)
	if again.status != 202 || again.raw != first.raw || again.header.Get("Idempotent-Replayed") != "true" ||
		again.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Fatalf("second success: %d %s %v; want the first answer again, %s", again.status, again.raw, again.header, first.raw)
	}
	b.waitIdle(t)
	if n, _ := b.app.Store().CountTasks(context.Background()); n["done"] != 1 {
		t.Errorf("tasks: %v; want the one job", n)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	b := startApp(t, `
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: "`+ghSecret+`"
      NOTIFICATION_CHAT_KEY: `+devChat+`
    webhooks:
      /github:
        rate_limit: {per_client_rate: 0.01, per_client_burst: 3}
`, t.TempDir())
	body := fixture(t, "ping.json")
	h := map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": sign(body)}
	for i := 0; i < 3; i++ {
		if a := b.do(t, "POST", githubHook, body, h); a.status != 202 {
			t.Fatalf("request %d within the burst: %d %s", i, a.status, a.raw)
		}
	}
	a := b.do(t, "POST", githubHook, body, h)
	if a.status != 429 || a.header.Get("Retry-After") == "" || a.body["detail"] == nil {
		t.Fatalf("over the limit: %d Retry-After=%q %s", a.status, a.header.Get("Retry-After"), a.raw)
	}
	m := b.do(t, "GET", "/metrics", nil, nil)
	if !strings.Contains(m.raw, `hookpoint_webhook_rejections_total{plugin="hookpoint.github",endpoint="/github",reason="rate-limit"} 1`) {
		t.Errorf("rate limit rejection not counted:\n%s", m.raw)
	}
}

func TestRejectionsAreCountedByCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := fixture(t, "ping.json")
	b.do(t, "POST", githubHook, body, map[string]string{"X-GitHub-Event": "ping"})
	b.do(t, "POST", githubHook, body, map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": "sha256=" + strings.Repeat("0", 64)})
	m := b.do(t, "GET", "/metrics", nil, nil)
	if m.status != 200 || !strings.Contains(m.raw, `reason="github-signature"} 2`) || !strings.Contains(m.raw, `status="403"} 1`) {
		t.Errorf("metrics:\n%s", m.raw)
	}
}

func TestTrustedProxyClientAddress(t *testing.T) {
	t.Parallel()
	b := startApp(t, `
server:
  trusted_proxies: [127.0.0.1]
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: "`+ghSecret+`"
    webhooks:
      /github:
        rate_limit: {per_client_rate: 0.01, per_client_burst: 1}
`, t.TempDir())
	body := fixture(t, "ping.json")
	h := func(xff string) map[string]string {
		return map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": sign(body), "X-Forwarded-For": xff}
	}
	// Each forwarded client has its own bucket: the proxy's address is
	// not what is limited.
	for _, client := range []string{"198.51.100.1", "198.51.100.2", "2001:db8::1"} {
		if a := b.do(t, "POST", githubHook, body, h(client)); a.status != 202 {
			t.Fatalf("client %s: %d %s", client, a.status, a.raw)
		}
	}
	if a := b.do(t, "POST", githubHook, body, h("198.51.100.1")); a.status != 429 {
		t.Fatalf("second request of one client: %d", a.status)
	}
	if a := b.do(t, "POST", githubHook, body, h("not-an-ip")); a.status != 400 {
		t.Fatalf("garbled X-Forwarded-For from the trusted proxy: %d %s", a.status, a.raw)
	}
	if !strings.Contains(b.logs.String(), `"client":"2001:db8::1"`) {
		t.Error("log does not name the forwarded client")
	}
}

func TestAdminRefusesForwardedRequestsWithoutToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if a := b.do(t, "GET", "/api/admin/plugins", nil, map[string]string{"X-Forwarded-For": "203.0.113.7"}); a.status != 403 {
		t.Fatalf("proxied admin request without a token: %d", a.status)
	}
	if a := b.do(t, "GET", "/metrics", nil, map[string]string{"Forwarded": "for=203.0.113.7"}); a.status != 403 {
		t.Fatalf("proxied metrics request without a token: %d", a.status)
	}
}

// TestSlowHeadersAreCutOff sends request headers a byte at a time: the
// server must close the connection at its read-header timeout.
func TestSlowHeadersAreCutOff(t *testing.T) {
	t.Parallel()
	b := startApp(t, "server:\n  read_header_timeout: 300ms\n", t.TempDir())

	conn, err := net.Dial("tcp", b.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	req := "POST /api/plugin/hookpoint.github/webhook/github HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 200)
	var writeErr error
	for i := 0; i < len(req) && time.Since(start) < 10*time.Second; i++ {
		if _, writeErr = conn.Write([]byte{req[i]}); writeErr != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, _ := io.ReadAll(bufio.NewReader(conn))
	elapsed := time.Since(start)
	if elapsed > 3*time.Second {
		t.Fatalf("slow client held the connection for %v (read-header timeout 300ms)", elapsed)
	}
	if writeErr == nil && len(resp) == 0 && elapsed >= 4*time.Second {
		t.Fatal("connection neither closed nor answered")
	}
	// A normal request still gets through.
	r, err := http.Get(b.url + "/healthz")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("healthz after the slow client: %v %v", r, err)
	}
	r.Body.Close()
}
