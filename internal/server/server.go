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
	"time"

	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/pressure"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/verify"
)

// Inbox reads the inbox adapter's messages; *store.Store implements it.
type Inbox interface {
	InboxMessages(ctx context.Context, chatKey string, after int64, limit int) ([]store.InboxMessage, error)
	InboxChats(ctx context.Context) ([]store.InboxChat, error)
	InboxFile(ctx context.Context, messageID int64, idx int) (*store.InboxFile, error)
}

// Deliveries records verified requests; *store.Store implements it.
type Deliveries interface {
	InsertDelivery(ctx context.Context, d *store.Delivery, owner string, lease time.Time) (int64, store.InsertResult, error)
	FinishInline(ctx context.Context, id int64, owner string, status int, lastError string) error
}

// Runs starts queued deliveries in this process as they are stored, while
// it has a worker idle; *queue.Runner[*store.Delivery] implements it.
type Runs interface {
	// Reserve takes an idle worker, or reports false.
	Reserve() bool
	// Start runs a delivery stored held by this process with the
	// reserved worker.
	Start(d *store.Delivery)
	// Unreserve gives the reserved worker back.
	Unreserve()
}

// Options configures a Server.
type Options struct {
	// Plugins are the loaded plugins.
	Plugins *plugin.Set
	// Inbox serves inbox messages to the admin API.
	Inbox Inbox
	// AdminToken protects the admin API. When it is unset, the admin API
	// is served to loopback clients only.
	AdminToken sdk.Secret
	// Logger receives request and error logs.
	Logger *slog.Logger
	// Deliveries records every verified request before it is answered.
	Deliveries Deliveries
	// Owner names this process in the leases of the deliveries it holds
	// (inline ones, and queued ones that Runs starts).
	Owner string
	// InlineLease is how long a delivery held by Owner stays leased: an
	// inline one holds its delivery id against redeliveries while its
	// handler runs, a queued one keeps other workers from rescuing it. It
	// must exceed the handlers' timeout.
	InlineLease time.Duration
	// Notify is called after a queued delivery is committed pending.
	Notify func()
	// Runs, if set, takes queued deliveries held by Owner as they are
	// committed, without a claim; when it has no worker idle they are
	// stored pending.
	Runs Runs
	// Operator serves the admin API's deliveries and tasks.
	Operator Operator
	// TrustedProxies are the peers whose forwarding headers are believed.
	TrustedProxies []netip.Prefix
	// Metrics receives the request counters; nil keeps them private.
	Metrics *metrics.Registry
	// Load counts webhook requests in flight, for the queue runners to
	// give way to; nil counts nothing.
	Load *pressure.Gauge
}

// Server is the HTTP handler of Hookpoint.
type Server struct {
	plugins     *plugin.Set
	inbox       Inbox
	logger      *slog.Logger
	admin       http.Handler
	token       sdk.Secret
	deliveries  Deliveries
	owner       string
	inlineLease time.Duration
	notify      func()
	runs        Runs
	operator    Operator
	trusted     []netip.Prefix
	metrics     *metrics.Registry
	load        *pressure.Gauge

	requests   *metrics.CounterVec
	rejections *metrics.CounterVec
	duplicates *metrics.CounterVec
}

// New returns a Server.
func New(o Options) *Server {
	s := &Server{
		plugins: o.Plugins, inbox: o.Inbox, logger: o.Logger, token: o.AdminToken,
		deliveries: o.Deliveries, owner: o.Owner, inlineLease: o.InlineLease, notify: o.Notify, runs: o.Runs,
		operator: o.Operator, trusted: o.TrustedProxies, metrics: o.Metrics, load: o.Load,
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.metrics == nil {
		s.metrics = metrics.NewRegistry()
	}
	if s.inlineLease <= 0 {
		s.inlineLease = 90 * time.Second
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	s.requests = s.metrics.Counter("hookpoint_webhook_requests_total", "Webhook requests by plugin, endpoint and answered status.", "plugin", "endpoint", "status")
	s.rejections = s.metrics.Counter("hookpoint_webhook_rejections_total", "Webhook requests refused before the handler, by plugin, endpoint and reason.", "plugin", "endpoint", "reason")
	s.duplicates = s.metrics.Counter("hookpoint_webhook_duplicates_total", "Redeliveries of already processed delivery ids.", "plugin", "endpoint")
	s.admin = s.adminRoutes()
	return s
}

const pluginPrefix = "/api/plugin/"

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
	case strings.HasPrefix(path, pluginPrefix):
		s.load.Enter()
		defer s.load.Leave()
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
