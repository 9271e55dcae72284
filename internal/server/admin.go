package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/record"
)

// maxMessagesPage is the largest ?limit of the inbox messages listing.
const maxMessagesPage = 100000

func (s *Server) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", s.getMetrics)
	mux.HandleFunc("/api/admin/plugins", s.getPlugins)
	mux.HandleFunc("/api/admin/plugins/{id}", s.getPlugin)
	mux.HandleFunc("/api/admin/chats", s.getChats)
	mux.HandleFunc("/api/admin/chats/{chat_key}/messages", s.getMessages)
	mux.HandleFunc("/api/admin/chats/{chat_key}/messages/{id}/attachments/{idx}", s.getAttachment)
	s.queueRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeDetail(w, http.StatusNotFound, "no admin endpoint "+r.URL.Path)
	})
	return mux
}

// serveAdmin checks the admin credentials, then routes.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if s.token.IsSet() {
		given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !equalSecret(strings.TrimSpace(given), s.token.Reveal()) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hookpoint admin"`)
			writeDetail(w, http.StatusUnauthorized, "admin API needs Authorization: Bearer <admin.token>")
			return
		}
	} else if !isLoopback(r) || forwarded(r) {
		writeDetail(w, http.StatusForbidden, "admin API is served only to direct loopback clients while admin.token is not set")
		return
	}
	s.admin.ServeHTTP(w, r)
}

// equalSecret compares in constant time, also over the lengths.
func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

func isLoopback(r *http.Request) bool {
	ip := net.ParseIP(peerAddr(r))
	return ip != nil && ip.IsLoopback()
}

// forwarded reports whether a proxy forwarded the request: a reverse proxy
// on the same host must not make every client look like loopback.
func forwarded(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if len(r.Header.Values(h)) > 0 {
			return true
		}
	}
	return false
}

func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.WriteText(w)
}

type pluginView struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Description      string         `json:"description"`
	Version          string         `json:"version"`
	State            plugin.State   `json:"state"`
	Error            string         `json:"error,omitempty"`
	EnabledByDefault bool           `json:"enabled_by_default"`
	DataDir          string         `json:"data_dir,omitempty"`
	Config           any            `json:"config,omitempty"`
	ConfigFields     []plugin.Field `json:"config_fields,omitempty"`
	Webhooks         []webhookView  `json:"webhooks"`
}

type webhookView struct {
	Endpoint     string   `json:"endpoint"`
	URL          string   `json:"url"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Methods      []string `json:"methods"`
	MaxBodyBytes int64    `json:"max_body_bytes"`
	Public       bool     `json:"public"`
	Verification []string `json:"verification"`
	Mode         string   `json:"mode"`
}

// newPluginView is the listing of one plugin, shared by the admin API and
// the CLI. Set secrets in Config show as "******", unset ones as null.
func newPluginView(inst *plugin.Instance) pluginView {
	v := pluginView{
		ID:               inst.ID(),
		Name:             inst.Info.Name,
		Description:      inst.Info.Description,
		Version:          inst.Info.Version,
		State:            inst.State,
		EnabledByDefault: inst.Info.EnabledByDefault,
		ConfigFields:     inst.Fields,
		Webhooks:         []webhookView{},
	}
	if inst.Err != nil {
		v.Error = inst.Err.Error()
	}
	if inst.State == plugin.StateLoaded {
		v.Config = inst.Config
		v.DataDir = inst.DataDir
	}
	for _, ep := range inst.Endpoints() {
		methods := ep.Methods
		if len(methods) == 0 {
			methods = []string{"*"}
		}
		v.Webhooks = append(v.Webhooks, webhookView{
			Endpoint: ep.Path, URL: ep.URL, Name: ep.Name, Description: ep.Description,
			Methods: methods, MaxBodyBytes: ep.MaxBodyBytes, Public: ep.Public,
			Verification: ep.VerifierNames(),
			Mode:         ep.Mode.String(),
		})
	}
	return v
}

func (s *Server) getPlugins(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	out := []pluginView{}
	for _, inst := range s.plugins.All() {
		out = append(out, newPluginView(inst))
	}
	writeJSON(w, http.StatusOK, map[string]any{"plugins": out})
}

func (s *Server) getPlugin(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	inst := s.plugins.Lookup(r.PathValue("id"))
	if inst == nil {
		writeDetail(w, http.StatusNotFound, "unknown plugin "+strconv.Quote(r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, newPluginView(inst))
}

func (s *Server) getChats(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	chats, err := s.inbox.InboxChats(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := make([]chatView, len(chats))
	for i, c := range chats {
		out[i] = chatView(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"chats": out})
}

func (s *Server) getMessages(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 100, 1, maxMessagesPage)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, "limit: "+err.Error())
		return
	}
	after, err := intParam(q.Get("after"), 0, 0, 1<<62)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, "after: "+err.Error())
		return
	}
	msgs, err := s.inbox.InboxMessages(r.Context(), r.PathValue("chat_key"), int64(after), limit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	next := ""
	if len(msgs) == limit {
		next = strconv.FormatInt(msgs[len(msgs)-1].ID, 10)
	}
	out := make([]messageView, len(msgs))
	for i, m := range msgs {
		out[i] = newMessageView(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "next_cursor": next})
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	idx, err2 := strconv.Atoi(r.PathValue("idx"))
	if err1 != nil || err2 != nil {
		writeDetail(w, http.StatusBadRequest, "message id and attachment index must be numbers")
		return
	}
	f, err := s.inbox.InboxFile(r.Context(), id, idx)
	if errors.Is(err, record.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "no such attachment")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(f.Data)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, record.ErrUnavailable) {
		writeUnavailable(w)
		return
	}
	id := w.Header().Get("X-Request-Id")
	s.logger.Error("admin request failed", "path", r.URL.Path, "err", err, "error_id", id)
	writeInternal(w, id)
}

func intParam(s string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("must be a whole number")
	}
	if n < lo || n > hi {
		return 0, errors.New("must be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi))
	}
	return n, nil
}
