// Package server is Hookpoint's HTTP wiring: it routes webhook requests to
// plugin endpoints, runs their verification and handlers, and serves the
// admin API and health check.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

// Inbox reads the messages the inbox adapter keeps; *store.Store
// implements it.
type Inbox interface {
	InboxMessages(ctx context.Context, chatKey string, after int64, limit int) ([]record.Message, error)
	InboxChats(ctx context.Context) ([]record.Chat, error)
	InboxFile(ctx context.Context, messageID int64, idx int) (*record.Attachment, error)
}

// Ingester stores verified deliveries before they are answered;
// *ingest.Ingest implements it.
type Ingester interface {
	// Accept stores d and returns its id (the original's for a
	// Duplicate); an inline one is then run by the caller and finished.
	Accept(ctx context.Context, d *record.Delivery) (int64, record.Receipt, error)
	// Finish records the outcome of an inline delivery.
	Finish(ctx context.Context, id int64, a record.Answer, lastError string) error
	// Answer returns what an inline delivery answered, if it succeeded
	// and the answer was kept.
	Answer(ctx context.Context, id int64) (record.Answer, bool, error)
}

// Config configures a Server.
type Config struct {
	// Plugins are the loaded plugins.
	Plugins *plugin.Set
	// Ingest stores every verified request before it is answered.
	Ingest Ingester
	// Inbox serves inbox messages to the admin API.
	Inbox Inbox
	// Operator serves the admin API's deliveries and tasks.
	Operator Operator
	// AdminToken protects the admin API. When it is unset, the admin API
	// is served to loopback clients only.
	AdminToken sdk.Secret
	// Logger receives request and error logs.
	Logger *slog.Logger
	// TrustedProxies are the peers whose forwarding headers are believed.
	TrustedProxies []netip.Prefix
	// Metrics receives the request counters; nil keeps them private.
	Metrics *metrics.Registry
}

// Server is the HTTP handler of Hookpoint.
type Server struct {
	plugins  *plugin.Set
	ingest   Ingester
	inbox    Inbox
	operator Operator
	logger   *slog.Logger
	admin    http.Handler
	token    sdk.Secret
	trusted  []netip.Prefix
	metrics  *metrics.Registry

	requests   *metrics.CounterVec
	rejections *metrics.CounterVec
	duplicates *metrics.CounterVec
}

// New returns a Server.
func New(c Config) *Server {
	s := &Server{
		plugins: c.Plugins, ingest: c.Ingest, inbox: c.Inbox, operator: c.Operator, logger: c.Logger,
		token: c.AdminToken, trusted: c.TrustedProxies, metrics: c.Metrics,
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.metrics == nil {
		s.metrics = metrics.NewRegistry()
	}
	s.requests = s.metrics.Counter("hookpoint_webhook_requests_total", "Webhook requests by plugin, endpoint and answered status.", "plugin", "endpoint", "status")
	s.rejections = s.metrics.Counter("hookpoint_webhook_rejections_total", "Webhook requests refused before the handler, by plugin, endpoint and reason.", "plugin", "endpoint", "reason")
	s.duplicates = s.metrics.Counter("hookpoint_webhook_duplicates_total", "Redeliveries of already processed delivery ids.", "plugin", "endpoint")
	s.admin = s.adminRoutes()
	return s
}

// WebhookPrefix starts the path of every webhook URL.
const WebhookPrefix = "/api/plugin/"

// ServeHTTP routes a request. Panics anywhere below are answered 500 with
// an error id and logged; they never take the server down.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := plugin.NewID()
	w.Header().Set("X-Request-Id", reqID)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.logger.Error("panic serving request", "request_id", reqID, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			writeInternal(w, reqID)
		}
	}()
	path := r.URL.Path
	if reason := badPath(r); reason != "" {
		writeDetail(w, http.StatusBadRequest, "malformed path: "+reason)
		return
	}
	switch {
	case strings.HasPrefix(path, WebhookPrefix):
		s.serveWebhook(w, r, reqID)
	case path == "/metrics":
		s.serveAdmin(w, r)
	case path == "/healthz":
		if allowMethods(w, r, http.MethodGet) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	case path == "/api/admin" || strings.HasPrefix(path, "/api/admin/"):
		s.serveAdmin(w, r)
	default:
		writeDetail(w, http.StatusNotFound, "not found: "+path)
	}
}

// badPath explains why a request path is refused, or returns "". Dot
// segments, empty segments and encoded slashes are refused before routing,
// so no path trick reaches another route.
func badPath(r *http.Request) string {
	p := r.URL.Path
	if p == "" || p[0] != '/' {
		return "path must start with /"
	}
	if strings.Contains(p, "//") {
		return "empty path segment (//)"
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return "dot segment (" + seg + ")"
		}
	}
	if raw := strings.ToLower(r.URL.RawPath); strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return "encoded slash"
	}
	if strings.ContainsAny(p, "\x00\\") {
		return "NUL byte or backslash"
	}
	return ""
}

// peerAddr returns the IP address of the request's TCP peer.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr returns the client's address: the peer's, or, when the peer
// is a trusted proxy, the one its forwarding headers name.
func (s *Server) clientAddr(r *http.Request) (string, error) {
	if len(s.trusted) == 0 {
		return peerAddr(r), nil
	}
	a, err := verify.ClientIP(r, s.trusted)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}
