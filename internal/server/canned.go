package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// JSONErrors wraps ln so that the error answers net/http writes by itself,
// before any handler runs, are JSON {"detail": ...} like every other
// error: 431 for headers over MaxHeaderBytes, 400 for a malformed request
// line, path, Host or header, 501 for an unknown transfer encoding, 505
// for an unsupported protocol version, and 417 for an Expect other than
// 100-continue. net/http writes each of those straight to the connection
// in one Write, in a fixed shape (see its conn.serve); only writes of that
// exact shape are rewritten.
func JSONErrors(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

// jsonErrorConn rewrites net/http's canned error answers as they are
// written.
type jsonErrorConn struct{ net.Conn }

func (c *jsonErrorConn) Write(p []byte) (int, error) {
	if out, ok := rewriteCanned(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite half-closes the connection, as net/http does after a 431.
func (c *jsonErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the underlying connection's sendfile path for bodies.
func (c *jsonErrorConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// cannedHeaders follow the status line of net/http's canned answers.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// maxCanned bounds the answers looked at: the canned ones are short.
const maxCanned = 512

// rewriteCanned returns the JSON answer for one of net/http's canned error
// answers, or false when p is anything else.
func rewriteCanned(p []byte) ([]byte, bool) {
	if len(p) > maxCanned || !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(p, []byte("HTTP/1.1 5")) {
		return nil, false
	}
	s := string(p[len("HTTP/1.1 "):])
	if len(s) < 4 || s[3] != ' ' {
		return nil, false
	}
	code, err := strconv.Atoi(s[:3])
	if err != nil {
		return nil, false
	}
	reason := http.StatusText(code)
	status, body, ok := strings.Cut(s, cannedHeaders)
	if !ok {
		if code == http.StatusExpectationFailed && expectationFailed(s) {
			return jsonAnswer(code, "the Expect header is not supported; only Expect: 100-continue is"), true
		}
		return nil, false
	}
	var detail string
	switch {
	case body != status && !(code == http.StatusNotImplemented && body == "Unsupported transfer encoding"):
		return nil, false // not the shape net/http writes
	case strings.HasPrefix(status, s[:4]+reason+": "):
		detail = strings.TrimPrefix(status, s[:4]+reason+": ") // "missing required Host header", ...
	case code == http.StatusRequestHeaderFieldsTooLarge:
		detail = "request headers too large"
	case code == http.StatusNotImplemented:
		detail = "unsupported transfer encoding"
	case code == http.StatusBadRequest:
		detail = "malformed request: the request line, path or headers cannot be parsed"
	default:
		detail = strings.ToLower(reason)
	}
	return jsonAnswer(code, detail), true
}

// expectationFailed reports whether s (after "HTTP/1.1 ") is the 417
// answer net/http writes for an Expect it does not support: no body, and
// the connection closed.
func expectationFailed(s string) bool {
	head, body, ok := strings.Cut(s, "\r\n\r\n")
	return ok && body == "" && strings.HasPrefix(head, "417 Expectation Failed\r\n") &&
		strings.Contains(head, "\r\nConnection: close") && strings.Contains(head, "\r\nContent-Length: 0")
}

// jsonAnswer is a complete HTTP/1.1 answer with a JSON detail, closing
// the connection as net/http does after its canned answers.
func jsonAnswer(code int, detail string) []byte {
	body, _ := json.Marshal(errorBody{Detail: detail})
	body = append(body, '\n')
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code) + "\r\n")
	b.WriteString("Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
