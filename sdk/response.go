package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// Response is what a handler answers. A nil Response with a nil error is
// answered 200 {"status":"ok"}.
type Response struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header holds response headers.
	Header http.Header
	// Body is the response body.
	Body []byte
}

// JSON returns a response with status and v encoded as JSON. It has the
// handler's result shape, so a handler can end with
// `return sdk.JSON(http.StatusCreated, v)`.
// Like the server's own answers, it leaves <, > and & as they are.
func JSON(status int, v any) (*Response, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON response: %w", err)
	}
	return Bytes(status, "application/json", b.Bytes())
}

// Text returns a plain-text response.
func Text(status int, s string) (*Response, error) {
	return Bytes(status, "text/plain; charset=utf-8", []byte(s))
}

// Bytes returns a response with the given content type and body.
func Bytes(status int, contentType string, b []byte) (*Response, error) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &Response{Status: status, Header: h, Body: b}, nil
}
