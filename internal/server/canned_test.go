package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/server"
)

// serveRaw serves h on a real listener wrapped by server.JSONErrors, with
// a small header limit, and returns its address.
func serveRaw(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, MaxHeaderBytes: 1 << 10, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(server.JSONErrors(ln))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// sendRaw writes raw bytes to addr and reads one answer.
func sendRaw(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", raw[:min(len(raw), 60)], err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// What net/http answers by itself, before any handler runs, is JSON
// {"detail": ...} like every other error.
func TestNetHTTPErrorsAreJSON(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	addr := serveRaw(t, b.srv.Config.Handler)
	tests := []struct {
		name, raw string
		status    int
		detail    string
	}{
		{"headers over the limit", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + strings.Repeat("j", 8<<10) + "\r\n\r\n", 431, "too large"},
		{"bad escape in the path", "GET /api/plugin/%zz/webhook/x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request"},
		{"space in the target", "GET /api/plugin/a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request"},
		{"control character in the target", "GET /api/\x01plugin HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request"},
		{"garbage request line", "HELLO\r\n\r\n", 400, "malformed request"},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "missing required Host header"},
		{"bad header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", 400, "invalid header name"},
		{"control character in a header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", 400, "malformed request"},
		{"unknown transfer encoding", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "transfer encoding"},
		{"HTTP/2 request line", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "unsupported protocol version"},
		{"unknown Expect", "POST /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", 417, "Expect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := sendRaw(t, addr, tt.raw)
			var e struct {
				Detail string `json:"detail"`
			}
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" ||
				json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("answer %d %v %q; want %d with a JSON detail about %q", resp.StatusCode, resp.Header, body, tt.status, tt.detail)
			}
		})
	}
	// Answers of handlers pass as they are, on a kept-alive connection too.
	resp, body := sendRaw(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	resp, body = sendRaw(t, addr, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 404 || resp.Header.Get("X-Request-Id") == "" || !strings.Contains(body, "not found") {
		t.Errorf("404 from the handler: %d %v %q", resp.StatusCode, resp.Header, body)
	}
}
