package server

import (
	"encoding/json"
	"net/http"
)

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Detail  string `json:"detail"`
	ErrorID string `json:"error_id,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"detail":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
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
	writeDetail(w, http.StatusServiceUnavailable, "the database is unavailable; nothing was stored, retry later")
}
