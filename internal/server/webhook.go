package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

// deliveryHeaders are the headers senders put their delivery id in, in the
// order they are looked up.
var deliveryHeaders = []string{
	"X-GitHub-Delivery", "X-Gitea-Delivery", "X-Gogs-Delivery", "X-Gitlab-Event-UUID",
	"Webhook-Id", "Svix-Id", "X-Request-UUID", "Idempotency-Key",
}

// serveWebhook handles /api/plugin/{author}.{module}/webhook{endpoint}.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request, reqID string) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.Path, pluginPrefix)
	id, endpoint, ok := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(endpoint, "webhook") {
		writeDetail(w, http.StatusNotFound, "not found: webhook URLs look like /api/plugin/{author}.{module}/webhook/{endpoint}")
		return
	}
	endpoint = strings.TrimPrefix(endpoint, "webhook")
	inst := s.plugins.Lookup(id)
	switch {
	case inst == nil:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("unknown plugin %q", id))
		return
	case inst.State == plugin.StateDisabled:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("plugin %s is disabled", id))
		return
	case inst.State == plugin.StateFailed:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("plugin %s is not loaded (its configuration is incomplete)", id))
		return
	}
	ep := inst.Endpoint(endpoint)
	if ep == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("plugin %s has no webhook endpoint %q", id, endpoint))
		return
	}
	log := inst.Logger.With("request_id", reqID, "endpoint", ep.Path)
	rec := &statusRecorder{ResponseWriter: w}
	s.dispatch(rec, r, ep, reqID, log)
	log.LogAttrs(r.Context(), levelFor(rec.status), "webhook request",
		slog.String("method", r.Method), slog.Int("status", rec.status),
		slog.String("client", clientAddr(r)), slog.Duration("duration", time.Since(start)))
}

func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	default:
		return slog.LevelInfo
	}
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, ep *plugin.Endpoint, reqID string, log *slog.Logger) {
	if !ep.Allows(r.Method) {
		w.Header().Set("Allow", ep.Allow())
		writeDetail(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed; use %s", r.Method, ep.Allow()))
		return
	}
	body, status, detail := readBody(w, r, ep.MaxBodyBytes)
	if status != 0 {
		log.Warn("webhook request rejected", "reason", detail, "client", clientAddr(r))
		writeDetail(w, status, detail)
		return
	}
	for _, v := range ep.Verify {
		if err := v.Verify(r, body); err != nil {
			status, detail := verifyFailure(w, err)
			log.Warn("webhook request rejected", "reason", err.Error(), "client", clientAddr(r))
			writeDetail(w, status, detail)
			return
		}
	}
	req := &sdk.Request{
		Method:     r.Method,
		Endpoint:   ep.Path,
		Path:       r.URL.Path,
		Query:      r.URL.Query(),
		Header:     r.Header.Clone(),
		Body:       body,
		ClientAddr: clientAddr(r),
		RequestID:  reqID,
		DeliveryID: deliveryID(r.Header),
		ReceivedAt: time.Now(),
		Logger:     log,
	}
	resp, err := runHandler(r.Context(), ep.Handler, req)
	if err != nil {
		writeHandlerError(w, err, reqID, log)
		return
	}
	writeResponse(w, resp)
}

// readBody reads the whole body within limit. A non-zero status means the
// body was refused, with detail saying why.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, int, string) {
	tooLarge := fmt.Sprintf("request body is larger than the endpoint's limit of %d bytes", limit)
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case err != nil:
		return nil, http.StatusBadRequest, "reading request body: " + err.Error()
	}
	return body, 0, ""
}

// verifyFailure maps a verifier's error to a status and a detail that
// names the failed check. Verifier errors never carry secrets or expected
// signatures.
func verifyFailure(w http.ResponseWriter, err error) (int, string) {
	status := http.StatusForbidden
	var st interface{ Status() int }
	if errors.As(err, &st) && st.Status() >= 400 && st.Status() < 500 {
		status = st.Status()
	}
	var ve *verify.Error
	if errors.As(err, &ve) && ve.Challenge != "" {
		w.Header().Set("WWW-Authenticate", ve.Challenge)
	}
	return status, "verification failed: " + err.Error()
}

func deliveryID(h http.Header) string {
	for _, name := range deliveryHeaders {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// runHandler calls the handler, turning a panic into an error.
func runHandler(ctx context.Context, h sdk.Handler, req *sdk.Request) (resp *sdk.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return h.ServeWebhook(ctx, req)
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.value) }

func writeHandlerError(w http.ResponseWriter, err error, reqID string, log *slog.Logger) {
	var he *sdk.HTTPError
	if errors.As(err, &he) && he.Status >= 400 && he.Status <= 599 {
		for k, vs := range he.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if he.Status >= 500 {
			log.Error("handler answered a server error", "status", he.Status, "err", err, "error_id", reqID)
			writeJSON(w, he.Status, errorBody{Detail: he.Detail, ErrorID: reqID})
			return
		}
		if he.Err != nil {
			log.Info("handler refused the request", "status", he.Status, "err", he.Err)
		}
		writeDetail(w, he.Status, he.Detail)
		return
	}
	var pe *panicError
	if errors.As(err, &pe) {
		log.Error("handler panicked", "panic", fmt.Sprint(pe.value), "error_id", reqID, "stack", string(pe.stack))
	} else {
		log.Error("handler failed", "err", err, "error_id", reqID)
	}
	writeInternal(w, reqID)
}

func writeResponse(w http.ResponseWriter, resp *sdk.Response) {
	if resp == nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if len(resp.Body) > 0 && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(resp.Body)
}

// statusRecorder remembers the status written, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
