package server

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Detail  string `json:"detail"`
	ErrorID string `json:"error_id,omitempty"`
}

// writeJSON answers status with v as JSON. Characters such as < and & are
// written as they are, not as \u003c: the answers are read by programs and
// people, never embedded in HTML (nosniff keeps browsers from guessing).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the value with a newline
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"detail":"internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeDetail answers status with {"detail": detail}.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, errorBody{Detail: detail})
}

// writeInternal answers 500 {"detail":"internal error","error_id":id}; the
// caller logs the cause with the same id.
func writeInternal(w http.ResponseWriter, id string) {
	writeJSON(w, http.StatusInternalServerError, errorBody{Detail: "internal error", ErrorID: id})
}

// allowMethods answers 405 with an Allow header unless r's method is one of
// methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m || m == http.MethodGet && r.Method == http.MethodHead {
			return true
		}
	}
	allow := ""
	for i, m := range methods {
		if i > 0 {
			allow += ", "
		}
		allow += m
	}
	w.Header().Set("Allow", allow)
	writeDetail(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed; use "+allow)
	return false
}

// retryAfterUnavailable is the Retry-After of a 503 while the database is
// unavailable: a few of its probes.
const retryAfterUnavailable = "5"

// writeUnavailable answers 503 with Retry-After for a request that could
// not be stored or served because the database is unavailable.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", retryAfterUnavailable)
	writeDetail(w, http.StatusServiceUnavailable, "the database is unavailable; the request may not have been stored, retry later")
}
