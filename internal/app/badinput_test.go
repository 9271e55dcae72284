package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// hostile is one malformed or hostile request and the exact status it must
// get.
type hostile struct {
	name   string
	method string // default POST
	path   string // raw path and query, sent as is
	header map[string]string
	multi  map[string][]string // headers sent several times
	body   []byte
	status int
}

// TestBadInputCorpus sends hostile and malformed requests to the real
// server. Each must get its exact status, a JSON {"detail": ...} for every
// refusal, and none a 5xx.
func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	b := startApp(t, `
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: "`+ghSecret+`"
      NOTIFICATION_CHAT_KEY: `+devChat+`
    webhooks:
      /github:
        max_body_bytes: 65536
  hookpoint.resource:
    config: {API_TOKEN: `+apiToken+`}
  hookpoint.report:
    config: {API_TOKEN: `+apiToken+`, MAX_FILE_BYTES: 1024}
  hookpoint.job:
    config: {API_TOKEN: `+apiToken+`, JOB_DURATION: 1ms}
`, t.TempDir())

	push := fixture(t, "push.json")
	ping := fixture(t, "ping.json")
	hexSig := sign(push)[len("sha256="):]
	gh := func(body []byte, extra map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": sign(body)}
		for k, v := range extra {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	signedAs := func(sig string) map[string]string { return gh(push, map[string]string{"X-Hub-Signature-256": sig}) }
	sha1Sig := func(body []byte) string {
		m := hmac.New(sha1.New, []byte(ghSecret))
		m.Write(body)
		return "sha1=" + hex.EncodeToString(m.Sum(nil))
	}
	form := func(payload string) []byte { return []byte("payload=" + url.QueryEscape(payload)) }
	bearer := map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "application/json"}
	withAuth := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	big := bytes.Repeat([]byte("a"), 70_000)
	nonUTF8 := []byte("{\"zen\":\"\xff\xfe\xfd\"}")
	const ghPath = githubHook
	const res = "/api/plugin/hookpoint.resource/webhook/resource"
	const job = "/api/plugin/hookpoint.job/webhook/start_job"
	const rep = "/api/plugin/hookpoint.report/webhook/upload_report"

	tests := []hostile{
		// Signature header: missing, empty, garbled.
		{name: "no signature", path: ghPath, header: gh(push, map[string]string{"X-Hub-Signature-256": ""}), body: push, status: 400},
		{name: "blank signature", path: ghPath, header: signedAs("   "), body: push, status: 400},
		{name: "prefix only", path: ghPath, header: signedAs("sha256="), body: push, status: 400},
		{name: "no prefix", path: ghPath, header: signedAs(hexSig), body: push, status: 400},
		{name: "sha1 prefix on the sha256 header", path: ghPath, header: signedAs("sha1=" + hexSig[:40]), body: push, status: 400},
		{name: "sha512 prefix", path: ghPath, header: signedAs("sha512=" + hexSig), body: push, status: 400},
		{name: "upper-case prefix", path: ghPath, header: signedAs("SHA256=" + hexSig), body: push, status: 400},
		{name: "odd-length hex", path: ghPath, header: signedAs("sha256=" + hexSig[:63]), body: push, status: 400},
		{name: "short even hex", path: ghPath, header: signedAs("sha256=" + hexSig[:62]), body: push, status: 400},
		{name: "long hex", path: ghPath, header: signedAs("sha256=" + hexSig + "00"), body: push, status: 400},
		{name: "non-hex", path: ghPath, header: signedAs("sha256=" + strings.Repeat("zz", 32)), body: push, status: 400},
		{name: "hex with spaces inside", path: ghPath, header: signedAs("sha256=" + hexSig[:32] + " " + hexSig[32:]), body: push, status: 400},
		{name: "base64 instead of hex", path: ghPath, header: signedAs("sha256=dGhpcyBpcyBub3QgaGV4IGF0IGFsbCBidXQgYmFzZTY0IQ=="), body: push, status: 400},
		{name: "all zero signature", path: ghPath, header: signedAs("sha256=" + strings.Repeat("0", 64)), body: push, status: 403},
		{name: "wrong secret", path: ghPath, header: signedAs("sha256=" + strings.Repeat("ab", 32)), body: push, status: 403},
		{name: "signature of another body", path: ghPath, header: gh(ping, nil), body: push, status: 403},
		{name: "body with a trailing newline", path: ghPath, header: gh(push, nil), body: append(append([]byte{}, push...), '\n'), status: 403},
		{name: "body re-serialised", path: ghPath, header: gh(push, nil), body: reserialise(t, push), status: 403},
		{name: "upper-case hex accepted", path: ghPath, header: signedAs("sha256=" + strings.ToUpper(hexSig)), body: push, status: 202},
		{name: "legacy sha1 header only (not enabled)", path: ghPath, header: gh(push, map[string]string{"X-Hub-Signature-256": "", "X-Hub-Signature": sha1Sig(push)}), body: push, status: 400},
		{name: "duplicated differing signature headers", path: ghPath, header: gh(push, map[string]string{"X-Hub-Signature-256": ""}), multi: map[string][]string{"X-Hub-Signature-256": {sign(push), "sha256=" + strings.Repeat("0", 64)}}, body: push, status: 400},
		{name: "signature header name in lower case", path: ghPath, header: map[string]string{"x-github-event": "ping", "x-hub-signature-256": sign(ping)}, body: ping, status: 202},
		{name: "signature on the wrong header", path: ghPath, header: gh(push, map[string]string{"X-Hub-Signature-256": "", "X-Signature": sign(push)}), body: push, status: 400},
		{name: "signature in the query", path: ghPath + "?signature=" + url.QueryEscape(sign(push)), header: gh(push, map[string]string{"X-Hub-Signature-256": ""}), body: push, status: 400},
		{name: "forged empty body", path: ghPath, header: signedAs("sha256=" + strings.Repeat("1", 64)), body: nil, status: 403},

		// Signed, but the payload is bad.
		{name: "empty body", path: ghPath, header: gh(nil, nil), body: nil, status: 400},
		{name: "truncated JSON", path: ghPath, header: gh(push[:len(push)/2], nil), body: push[:len(push)/2], status: 400},
		{name: "JSON array", path: ghPath, header: gh([]byte(`[1,2,3]`), nil), body: []byte(`[1,2,3]`), status: 400},
		{name: "JSON string", path: ghPath, header: gh([]byte(`"push"`), nil), body: []byte(`"push"`), status: 400},
		{name: "JSON number", path: ghPath, header: gh([]byte(`42`), nil), body: []byte(`42`), status: 400},
		{name: "JSON null", path: ghPath, header: gh([]byte(`null`), nil), body: []byte(`null`), status: 400},
		{name: "JSON with trailing garbage", path: ghPath, header: gh([]byte(`{"ref":"x"} trailing`), nil), body: []byte(`{"ref":"x"} trailing`), status: 400},
		{name: "wrong field types (well-formed: stored, dead-lettered by the handler)", path: ghPath, header: gh([]byte(`{"commits":"many","repository":[]}`), nil), body: []byte(`{"commits":"many","repository":[]}`), status: 202},
		{name: "non-UTF-8 bytes", path: ghPath, header: gh(nonUTF8, map[string]string{"X-GitHub-Event": "ping"}), body: nonUTF8, status: 202},
		{name: "NUL bytes", path: ghPath, header: gh([]byte("\x00\x00\x00"), nil), body: []byte("\x00\x00\x00"), status: 400},
		{name: "binary garbage", path: ghPath, header: gh([]byte("\x89PNG\r\n\x1a\n\x00"), nil), body: []byte("\x89PNG\r\n\x1a\n\x00"), status: 400},
		{name: "deeply nested JSON", path: ghPath, header: gh([]byte(strings.Repeat("[", 20000)), nil), body: []byte(strings.Repeat("[", 20000)), status: 400},
		{name: "missing event header", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Event": ""}), body: push, status: 400},
		{name: "unknown event acknowledged", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Event": "no_such_event"}), body: push, status: 202},
		{name: "event name with control characters", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Event": "push\x01"}), body: push, status: 400},
		{name: "header without colon", path: ghPath, header: map[string]string{"X-GitHub-Event ping": ""}, body: ping, status: 400},
		{name: "space in method", method: "PO ST", path: ghPath, status: 400},
		{name: "form body without payload", path: ghPath, header: gh([]byte("a=b"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), body: []byte("a=b"), status: 400},
		{name: "form body with broken escapes", path: ghPath, header: gh([]byte("payload=%zz"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), body: []byte("payload=%zz"), status: 400},
		{name: "form body with truncated JSON", path: ghPath, header: gh(form(`{"ref":`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), body: form(`{"ref":`), status: 400},
		{name: "form-encoded push accepted", path: ghPath, header: gh(form(string(push)), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), body: form(string(push)), status: 202},
		{name: "garbled content type", path: ghPath, header: gh(ping, map[string]string{"Content-Type": ";;;=", "X-GitHub-Event": "ping"}), body: ping, status: 202},
		{name: "multipart body", path: ghPath, header: gh([]byte("--x\r\n\r\n--x--"), map[string]string{"Content-Type": "multipart/form-data; boundary=x"}), body: []byte("--x\r\n\r\n--x--"), status: 400},

		// Sizes.
		{name: "body over the endpoint limit", path: ghPath, header: gh(big, nil), body: big, status: 413},
		{name: "unsigned body over the limit", path: ghPath, header: map[string]string{"X-GitHub-Event": "push"}, body: big, status: 413},
		{name: "headers over 64 KiB", path: ghPath, header: gh(ping, map[string]string{"X-Junk": strings.Repeat("j", 100_000)}), body: ping, status: 431},
		{name: "huge header value", path: ghPath, header: gh(ping, map[string]string{"X-GitHub-Event": "ping", "X-Junk": strings.Repeat("j", 60_000)}), body: ping, status: 202},

		// Methods.
		{name: "GET", method: "GET", path: ghPath, status: 405},
		{name: "PUT", method: "PUT", path: ghPath, header: gh(push, nil), body: push, status: 405},
		{name: "DELETE", method: "DELETE", path: ghPath, status: 405},
		{name: "PATCH", method: "PATCH", path: ghPath, status: 405},
		{name: "OPTIONS", method: "OPTIONS", path: ghPath, status: 405},
		{name: "made-up method", method: "BREW", path: ghPath, status: 405},

		// Replays and delivery ids.
		{name: "first delivery", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Delivery": "replay-1"}), body: push, status: 202},
		{name: "replayed delivery", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Delivery": "replay-1"}), body: push, status: 200},
		{name: "replay with forged signature", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Delivery": "replay-1", "X-Hub-Signature-256": "sha256=" + strings.Repeat("0", 64)}), body: push, status: 403},
		{name: "oversized delivery id", path: ghPath, header: gh(push, map[string]string{"X-GitHub-Delivery": strings.Repeat("d", 300)}), body: push, status: 400},

		// Path tricks.
		{name: "dot-dot to admin", path: "/api/plugin/hookpoint.github/webhook/../../admin/plugins", status: 400},
		{name: "encoded dot-dot", path: "/api/plugin/hookpoint.github/webhook/%2e%2e/%2e%2e/admin/plugins", status: 400},
		{name: "mixed-case encoded dot-dot", path: "/api/plugin/hookpoint.github/webhook/%2E%2e/x", status: 400},
		{name: "dot segment", path: "/api/plugin/hookpoint.github/webhook/./github", status: 400},
		{name: "double slash", path: "/api/plugin/hookpoint.github/webhook//github", status: 400},
		{name: "leading double slash", path: "//api/plugin/hookpoint.github/webhook/github", status: 400},
		{name: "encoded slash", path: "/api/plugin/hookpoint.github/webhook%2fgithub", status: 400},
		{name: "encoded backslash", path: "/api/plugin/hookpoint.github/webhook/%5cgithub", status: 400},
		{name: "encoded NUL", path: "/api/plugin/hookpoint.github/webhook/github%00", status: 400},
		{name: "trailing slash", path: "/api/plugin/hookpoint.github/webhook/github/", status: 404},
		{name: "no endpoint", path: "/api/plugin/hookpoint.github/webhook", status: 404},
		{name: "no slash before endpoint", path: "/api/plugin/hookpoint.github/webhookgithub", status: 404},
		{name: "no webhook segment", path: "/api/plugin/hookpoint.github/github", status: 404},
		{name: "plugin only", path: "/api/plugin/hookpoint.github", status: 404},
		{name: "plugin prefix only", path: "/api/plugin/", status: 404},
		{name: "upper-case plugin key", path: "/api/plugin/HOOKPOINT.GITHUB/webhook/github", status: 404},
		{name: "upper-case endpoint", path: "/api/plugin/hookpoint.github/webhook/GITHUB", status: 404},
		{name: "unknown plugin", path: "/api/plugin/evil.plugin/webhook/github", status: 404},
		{name: "plugin key without dot", path: "/api/plugin/hookpointgithub/webhook/github", status: 404},
		{name: "matrix params", path: "/api/plugin/hookpoint.github/webhook/github;jsessionid=1", status: 404},
		{name: "encoded endpoint letters", path: "/api/plugin/hookpoint.github/webhook/%67ithub", header: gh(ping, map[string]string{"X-GitHub-Event": "ping"}), body: ping, status: 202},
		{name: "query with traversal", path: ghPath + "?next=../../admin", header: gh(ping, map[string]string{"X-GitHub-Event": "ping"}), body: ping, status: 202},
		{name: "malformed escape in the path", path: "/api/plugin/%zz/webhook/x", status: 400},
		{name: "control character in the path", path: "/api/plugin/hookpoint.github/webhook/git\x01hub", status: 400},
		{name: "admin traversal", path: "/api/admin/../plugin/hookpoint.github/webhook/github", status: 400},
		{name: "unknown top-level path", path: "/wp-login.php", status: 404},
		{name: "healthz POST", path: "/healthz", status: 405},
		{name: "metrics trailing slash", method: "GET", path: "/metrics/", status: 404},

		// Bearer-token endpoints.
		{name: "resource without token", method: "GET", path: res, status: 401},
		{name: "resource with empty bearer", method: "GET", path: res, header: withAuth("Bearer "), status: 401},
		{name: "resource with wrong token", method: "GET", path: res, header: withAuth("Bearer nope"), status: 401},
		{name: "resource with token prefix", method: "GET", path: res, header: withAuth("Bearer " + apiToken[:5]), status: 401},
		{name: "resource with token plus suffix", method: "GET", path: res, header: withAuth("Bearer " + apiToken + "x"), status: 401},
		{name: "resource with Basic scheme", method: "GET", path: res, header: withAuth("Basic " + apiToken), status: 401},
		{name: "resource with bare token", method: "GET", path: res, header: withAuth(apiToken), status: 401},
		{name: "resource with lower-case scheme", method: "GET", path: res, header: withAuth("bearer " + apiToken), status: 200},
		{name: "resource with token in query", method: "GET", path: res + "?access_token=" + apiToken, status: 401},
		{name: "resource duplicated auth headers", method: "GET", path: res, multi: map[string][]string{"Authorization": {"Bearer " + apiToken, "Bearer nope"}}, status: 401},
		{name: "resource PUT", method: "PUT", path: res, header: bearer, status: 405},
		{name: "resource POST truncated JSON", path: res, header: bearer, body: []byte(`{"name":`), status: 400},
		{name: "resource POST array", path: res, header: bearer, body: []byte(`[]`), status: 400},
		{name: "resource POST empty", path: res, header: bearer, body: nil, status: 400},
		{name: "resource DELETE without id", method: "DELETE", path: res, header: bearer, status: 400},
		{name: "resource DELETE unknown id", method: "DELETE", path: res + "?id=nope", header: bearer, status: 404},
		{name: "job without chat key", path: job, header: bearer, body: []byte(`{"task_id":"a"}`), status: 400},
		{name: "job with malformed JSON", path: job, header: bearer, body: []byte(`{task_id:a}`), status: 400},
		{name: "job with huge task id", path: job, header: bearer, body: []byte(`{"task_id":"` + strings.Repeat("t", 5000) + `","notify_chat_key":"inbox-x"}`), status: 400},
		{name: "job with malformed chat key accepted, fails later", path: job, header: bearer, body: []byte(`{"task_id":"a","notify_chat_key":"inbox-ok"}`), status: 202},
		{name: "upload as JSON", path: rep, header: bearer, body: []byte(`{}`), status: 415},
		{name: "upload without boundary", path: rep, header: map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "multipart/form-data"}, body: []byte("x"), status: 400},
		{name: "upload truncated multipart", path: rep, header: map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "multipart/form-data; boundary=zz"}, body: []byte("--zz\r\nContent-Disposition: form-data; name=\"report_name\"\r\n\r\nx"), status: 400},
		{name: "upload without file", path: rep, header: map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "multipart/form-data; boundary=zz"}, body: []byte("--zz\r\nContent-Disposition: form-data; name=\"report_name\"\r\n\r\nx\r\n--zz--\r\n"), status: 400},
	}
	if len(tests) < 100 {
		t.Fatalf("corpus has %d cases, want at least 100", len(tests))
	}
	for _, tt := range tests {
		// Not parallel: the replay cases depend on order.
		method := tt.method
		if method == "" {
			method = "POST"
		}
		status, header, raw := rawRequest(t, b.addr, method, tt.path, tt.header, tt.multi, tt.body)
		if status >= 500 {
			t.Errorf("%s: got %d, a server error: %s", tt.name, status, raw)
			continue
		}
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, raw)
			continue
		}
		if status >= 400 { // net/http's own refusals included (server.JSONErrors)
			var e struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal([]byte(raw), &e); err != nil || e.Detail == "" || !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: refusal without a JSON detail: %s", tt.name, raw)
			}
			if strings.Contains(raw, ghSecret) || strings.Contains(raw, apiToken) || strings.Contains(raw, hexSig) {
				t.Errorf("%s: answer leaks a secret or the expected signature: %s", tt.name, raw)
			}
		}
	}
	// Only the accepted pushes made messages: the upper-case-hex push, the
	// form-encoded push, and the first of the replayed pushes.
	b.waitIdle(t)
	if msgs := b.messages(t, devChat); len(msgs) != 3 {
		t.Errorf("%d inbox messages, want 3", len(msgs))
	}
	// The well-formed push of the wrong shape was stored and then failed
	// for good, on its first attempt, with the decoder's complaint.
	dead, err := b.app.Store().Deliveries(context.Background(), record.DeliveryFilter{State: record.StateDead})
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "cannot unmarshal") ||
		string(dead[0].Body) != `{"commits":"many","repository":[]}` {
		t.Errorf("dead letters %+v, want the wrong-shape push, dead after one attempt with a decoding error", dead)
	}
}

// reserialise decodes and re-encodes JSON, as the Python original did
// before checking the signature.
func reserialise(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}

// rawRequest writes an HTTP/1.1 request byte for byte, without any client
// normalising the path or headers, and reads the answer.
func rawRequest(t *testing.T, addr, method, path string, header map[string]string, multi map[string][]string, body []byte) (int, http.Header, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, path, addr)
	for k, v := range header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	for k, vs := range multi {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", len(body))
	req.Write(body)
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatalf("%s %s: writing: %v", method, path, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}
