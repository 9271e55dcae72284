package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

// serveWebhook handles /api/plugin/{author}.{module}/webhook{endpoint}.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request, reqID string) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.Path, WebhookPrefix)
	id, endpoint, ok := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(endpoint, "webhook") {
		s.requests.Inc("unknown", "unknown", "404")
		writeDetail(w, http.StatusNotFound, "not found: webhook URLs look like /api/plugin/{author}.{module}/webhook/{endpoint}")
		return
	}
	endpoint = strings.TrimPrefix(endpoint, "webhook")
	inst := s.plugins.Lookup(id)
	var ep *plugin.Endpoint
	var detail string
	switch {
	case inst == nil:
		detail = fmt.Sprintf("unknown plugin %q", id)
	case inst.State == plugin.StateDisabled:
		detail = fmt.Sprintf("plugin %s is disabled", id)
	case inst.State == plugin.StateFailed:
		detail = fmt.Sprintf("plugin %s is not loaded (its configuration is incomplete)", id)
	default:
		if ep = inst.Endpoint(endpoint); ep == nil {
			detail = fmt.Sprintf("plugin %s has no webhook endpoint %q", id, endpoint)
		}
	}
	if detail != "" {
		s.requests.Inc("unknown", "unknown", "404")
		writeDetail(w, http.StatusNotFound, detail)
		return
	}
	log := inst.Logger.With("request_id", reqID, "endpoint", ep.Path)
	rec := &statusRecorder{ResponseWriter: w}
	client := s.dispatch(rec, r, ep, reqID, log)
	s.requests.Inc(inst.ID(), ep.Path, strconv.Itoa(rec.status))
	log.LogAttrs(r.Context(), levelFor(rec.status), "webhook request",
		slog.String("method", r.Method), slog.Int("status", rec.status),
		slog.String("client", client), slog.Duration("duration", time.Since(start)))
}

// statusClientClosed is logged and counted for a request whose client
// hung up before it could be answered (nginx's 499).
const statusClientClosed = 499

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

// reject answers a request refused before its handler, logs why and
// counts it under reason.
func (s *Server) reject(w http.ResponseWriter, ep *plugin.Endpoint, log *slog.Logger, client string, status int, reason, detail string) {
	s.rejections.Inc(ep.Plugin.ID(), ep.Path, reason)
	log.Warn("webhook request rejected", "reason", reason, "detail", detail, "client", client)
	writeDetail(w, status, detail)
}

// dispatch runs an endpoint's checks and handler and returns the client
// address it used.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, ep *plugin.Endpoint, reqID string, log *slog.Logger) string {
	client, err := s.clientAddr(r)
	if err != nil {
		s.reject(w, ep, log, peerAddr(r), http.StatusBadRequest, "forwarded-header", "malformed forwarding header: "+err.Error())
		return peerAddr(r)
	}
	if !ep.Allows(r.Method) {
		w.Header().Set("Allow", ep.Allow())
		s.reject(w, ep, log, client, http.StatusMethodNotAllowed, "method", fmt.Sprintf("method %s is not allowed; use %s", r.Method, ep.Allow()))
		return client
	}
	if ep.Limiter != nil {
		if ok, wait := ep.Limiter.Allow(client); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.reject(w, ep, log, client, http.StatusTooManyRequests, "rate-limit", "rate limit exceeded; retry later")
			return client
		}
	}
	body, status, detail := readBody(w, r, ep.MaxBodyBytes)
	if status != 0 {
		s.reject(w, ep, log, client, status, "body", detail)
		return client
	}
	vr := r
	if client != peerAddr(r) {
		// Verifiers (IP allowlists) see the client the trusted proxies
		// named, not the proxy.
		vr = r.Clone(r.Context())
		vr.RemoteAddr = net.JoinHostPort(client, "0")
	}
	for _, v := range ep.Verify {
		if err := v.Verify(vr, body); err != nil {
			status, check := verifyFailure(w, err)
			s.reject(w, ep, log, client, status, check, "verification failed: "+err.Error())
			return client
		}
	}
	now := time.Now()
	id := sdk.DeliveryID(r.Header, ep.DeliveryIDHeader)
	if len(id) > maxDeliveryID {
		s.reject(w, ep, log, client, http.StatusBadRequest, "delivery-id", fmt.Sprintf("delivery id is longer than %d bytes", maxDeliveryID))
		return client
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		id = "" // reads are not deduplicated
	}
	query := r.URL.Query()
	d := &record.Delivery{
		Plugin: ep.Plugin.ID(), Endpoint: ep.Path, Mode: record.ModeInline, Method: r.Method, Path: r.URL.Path,
		Query: redactQuery(query, ep), Header: redactHeaders(r.Header, ep),
		Body: body, ClientAddr: client, RequestID: reqID, DeliveryID: id, MaxAttempts: ep.Retry.MaxAttempts,
		ReceivedAt: now,
	}
	if ep.Mode == sdk.ModeQueued {
		d.Mode = record.ModeQueued
	}
	// The handler's view of the request, with the headers as they came;
	// a queued endpoint without a check needs none on the request path.
	var req *sdk.Request
	if ep.Check != nil || ep.Mode == sdk.ModeInline {
		req = plugin.NewRequest(d, r.Header.Clone(), query, log)
	}
	if ep.Check != nil {
		if err := ep.Check(req); err != nil {
			status := writeHandlerError(w, err, reqID, log)
			s.rejections.Inc(ep.Plugin.ID(), ep.Path, "check")
			log.Warn("webhook request refused by the endpoint's check", "status", status, "err", err, "client", client)
			return client
		}
	}
	rowID, receipt, err := s.ingest.Accept(r.Context(), d)
	switch {
	case err != nil && r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		// The client hung up while the write was queued (it may still
		// commit) and nobody is left to answer. 499 as nginx logs it.
		log.Warn("client went away before the delivery was stored; not acknowledged", "err", err)
		writeDetail(w, statusClientClosed, "client closed the request")
		return client
	case errors.Is(err, record.ErrUnavailable):
		log.Warn("database unavailable; delivery refused, perhaps not stored", "err", err)
		writeUnavailable(w)
		return client
	case err != nil:
		log.Error("storing delivery", "err", err, "error_id", reqID)
		writeInternal(w, reqID)
		return client
	case receipt == record.Duplicate:
		s.duplicates.Inc(ep.Plugin.ID(), ep.Path)
		log.Info("duplicate delivery not processed again", "delivery_id", id, "delivery", rowID)
		if ep.Mode == sdk.ModeInline {
			// The original answer, as a client that retries needs it
			// (Stripe's idempotent requests).
			a, ok, err := s.ingest.Answer(r.Context(), rowID)
			if err != nil {
				log.Warn("reading the original answer of a duplicate", "err", err, "delivery", rowID)
			} else if ok {
				w.Header().Set("Idempotent-Replayed", "true")
				writeAnswer(w, a)
				return client
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{
			"status": "duplicate", "delivery_id": strconv.FormatInt(rowID, 10),
			"detail": "delivery " + id + " was received before; it is not processed again",
		})
		return client
	case receipt == record.Busy:
		w.Header().Set("Retry-After", "5")
		writeDetail(w, http.StatusConflict, "delivery "+id+" is being processed; retry later")
		return client
	}
	if ep.Mode == sdk.ModeQueued {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted", "delivery_id": strconv.FormatInt(rowID, 10)})
		return client
	}
	req.Logger = log.With("delivery", rowID)
	resp, err := plugin.Call(r.Context(), ep.Handler, req)
	var answer record.Answer
	errText := ""
	if err != nil {
		answer.Status, errText = writeHandlerError(w, err, reqID, log), err.Error()
	} else {
		answer, errText = writeResponse(w, resp, reqID, log)
	}
	// The outcome is recorded even if the client went away.
	if err := s.ingest.Finish(context.WithoutCancel(r.Context()), rowID, answer, errText); err != nil {
		log.Error("recording delivery outcome", "err", err, "delivery", rowID)
	}
	return client
}

// maxDeliveryID bounds the length of a delivery id.
const maxDeliveryID = 256

// readBody reads the whole body within limit. A non-zero status means the
// body was refused, with detail saying why.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, int, string) {
	tooLarge := func() string {
		return fmt.Sprintf("request body is larger than the endpoint's limit of %d bytes", limit)
	}
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge()
	}
	// A declared length sizes the buffer at once, up to 64 KiB so that a
	// client cannot make us reserve the limit by declaring it and sending
	// nothing; a body longer than declared still stops at the limit.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), 64<<10)+bytes.MinRead))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	body := buf.Bytes()
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooLarge()
	case err != nil:
		return nil, http.StatusBadRequest, "reading request body: " + err.Error()
	}
	return body, 0, ""
}

// verifyFailure maps a verifier's error to a status and the name of the
// failed check. Verifier errors never carry secrets or expected
// signatures, so their text is safe to answer with.
func verifyFailure(w http.ResponseWriter, err error) (int, string) {
	status, check := http.StatusForbidden, "verification"
	var st interface{ Status() int }
	if errors.As(err, &st) && st.Status() >= 400 && st.Status() < 500 {
		status = st.Status()
	}
	var ve *verify.Error
	if errors.As(err, &ve) {
		if ve.Challenge != "" {
			w.Header().Set("WWW-Authenticate", ve.Challenge)
		}
		if ve.Check != "" {
			check = ve.Check
		}
	}
	return status, check
}

// writeHandlerError answers a handler's error and returns the status.
func writeHandlerError(w http.ResponseWriter, err error, reqID string, log *slog.Logger) int {
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
			return he.Status
		}
		if he.Err != nil {
			log.Info("handler refused the request", "status", he.Status, "err", he.Err)
		}
		writeDetail(w, he.Status, he.Detail)
		return he.Status
	}
	var pe *plugin.PanicError
	if errors.As(err, &pe) {
		log.Error("handler panicked", "panic", fmt.Sprint(pe.Value), "error_id", reqID, "stack", string(pe.Stack))
	} else {
		log.Error("handler failed", "err", err, "error_id", reqID)
	}
	writeInternal(w, reqID)
	return http.StatusInternalServerError
}

// writeResponse answers a handler's response and returns the answer, and
// why it is a 500 when the handler's status is not one to answer with.
func writeResponse(w http.ResponseWriter, resp *sdk.Response, reqID string, log *slog.Logger) (record.Answer, string) {
	if resp == nil {
		resp = &sdk.Response{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"status":"ok"}` + "\n")}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if len(resp.Body) > 0 && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	a := record.Answer{Status: resp.Status, ContentType: w.Header().Get("Content-Type"), Body: resp.Body}
	if a.Status == 0 {
		a.Status = http.StatusOK
	}
	if a.Status < 200 || a.Status > 599 {
		why := fmt.Sprintf("handler answered status %d, outside 200–599", a.Status)
		log.Error(why, "error_id", reqID)
		writeInternal(w, reqID)
		return record.Answer{Status: http.StatusInternalServerError}, why
	}
	writeAnswer(w, a)
	return a, ""
}

// writeAnswer writes an answer's content type, status and body.
func writeAnswer(w http.ResponseWriter, a record.Answer) {
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(a.Status)
	w.Write(a.Body)
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
