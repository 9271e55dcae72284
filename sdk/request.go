package sdk

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"time"

	// encoding/json's semantics on the engine of its successor, the
	// upstream of encoding/json/v2 (bench/README.md, "Decoding").
	json "github.com/go-json-experiment/json/v1"

	"github.com/hookpoint/hookpoint/sdk/internal/jsoncheck"
)

// Request is a webhook request as a handler sees it. Body holds the raw
// bytes the sender sent, read once by the server within the endpoint's
// size limit.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Endpoint is the endpoint the request matched, e.g. "/github".
	Endpoint string
	// Path is the full URL path.
	Path string
	// Query holds the URL query parameters.
	Query url.Values
	// Header holds the request headers. Lookups with Get and Values are
	// case-insensitive; a header may have several values.
	Header http.Header
	// Body is the raw request body.
	Body []byte
	// ClientAddr is the client's IP address.
	ClientAddr string
	// RequestID identifies the request in logs and error answers.
	RequestID string
	// DeliveryID is the sender's delivery id (e.g. X-GitHub-Delivery),
	// when it sent one.
	DeliveryID string
	// ReceivedAt is when the request arrived.
	ReceivedAt time.Time
	// Logger is the plugin's logger, tagged with the request id.
	Logger *slog.Logger
}

// ContentType returns the body's media type in lower case, without
// parameters, or "" when none is given.
func (r *Request) ContentType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// DecodeJSON decodes the JSON body into v; see [DecodeJSON].
func (r *Request) DecodeJSON(v any) error { return DecodeJSON(r.Body, v) }

// DecodeJSON decodes payload, one JSON value (a request body, or a form
// field that carries JSON such as GitHub's payload), into v with
// encoding/json's semantics. It is the one JSON decoder of the SDK: an
// empty or malformed payload, a top-level null, or a value of the wrong
// shape is a 400 [HTTPError] whose detail says what and where, worded
// alike in every case. A queued handler that returns it fails the
// delivery at once instead of retrying it.
func DecodeJSON(payload []byte, v any) error {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		return Error(http.StatusBadRequest, "invalid JSON payload: it is empty")
	}
	if string(trimmed) == "null" {
		return Error(http.StatusBadRequest, "invalid JSON payload: expected a value, got null")
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// CheckJSONObject returns a 400 [HTTPError], worded as [DecodeJSON]'s,
// unless payload is one well-formed JSON object. It scans without
// decoding, several times faster than decoding: a queued endpoint's Check
// uses it to refuse a malformed payload before the delivery is stored,
// and leaves the decoding to the handler.
func CheckJSONObject(payload []byte) error {
	err := jsoncheck.Object(payload)
	if err == nil {
		return nil
	}
	var syn *jsoncheck.SyntaxError
	if errors.As(err, &syn) {
		return &HTTPError{Status: http.StatusBadRequest, Detail: fmt.Sprintf("invalid JSON payload at byte %d: %v", syn.Offset, syn), Err: err}
	}
	return &HTTPError{Status: http.StatusBadRequest, Detail: "invalid JSON payload: " + err.Error(), Err: err}
}

func jsonError(err error) *HTTPError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &HTTPError{Status: http.StatusBadRequest, Detail: fmt.Sprintf("invalid JSON payload at byte %d: %v", syn.Offset, syn), Err: err}
	case errors.As(err, &typ):
		field, want := typ.Field, typ.Type.String()
		if field == "" {
			field = "the payload"
		}
		if k := typ.Type.Kind(); k == reflect.Struct || k == reflect.Map {
			want = "a JSON object"
		}
		return &HTTPError{Status: http.StatusBadRequest, Detail: fmt.Sprintf("invalid JSON payload: %s must be %s, not %s", field, want, typ.Value), Err: err}
	default:
		return &HTTPError{Status: http.StatusBadRequest, Detail: "invalid JSON payload: " + err.Error(), Err: err}
	}
}

// Form parses an application/x-www-form-urlencoded body. Another content
// type is an [HTTPError] with status 415; a malformed body one with 400.
func (r *Request) Form() (url.Values, error) {
	if ct := r.ContentType(); ct != "application/x-www-form-urlencoded" {
		return nil, Errorf(http.StatusUnsupportedMediaType, "expected Content-Type application/x-www-form-urlencoded, got %q", ct)
	}
	v, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return nil, &HTTPError{Status: http.StatusBadRequest, Detail: "malformed form body", Err: err}
	}
	return v, nil
}
