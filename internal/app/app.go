// Package app assembles a Hookpoint server from its config: the database,
// the chat adapters, the plugins and the HTTP server.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/chat/inbox"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/server"
	"github.com/hookpoint/hookpoint/internal/store"
)

// App is a running Hookpoint.
type App struct {
	cfg     *config.Config
	logger  *slog.Logger
	store   *store.Store
	plugins *plugin.Set
	handler *server.Server
}

// New opens the database and loads the plugins.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	st, err := store.OpenSQLite(ctx, filepath.Join(cfg.DataDir, store.DatabaseFile))
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	router, err := chat.NewRouter(inbox.New(st))
	if err != nil {
		st.Close()
		return nil, err
	}
	plugins, err := plugin.Load(ctx, plugin.Options{Config: cfg, Sender: router, Logger: logger})
	if err != nil {
		st.Close()
		return nil, err
	}
	trusted, err := config.ParsePrefixes(cfg.Server.TrustedProxies)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &App{
		cfg:     cfg,
		logger:  logger,
		store:   st,
		plugins: plugins,
		handler: server.New(server.Options{
			Plugins:           plugins,
			Inbox:             st,
			AdminToken:        cfg.Admin.Token,
			Logger:            logger,
			Dedupe:            st,
			ProcessingTimeout: cfg.Dedupe.ProcessingTimeout,
			TrustedProxies:    trusted,
			Metrics:           metrics.NewRegistry(),
		}),
	}, nil
}

// pruneInterval is how often old delivery ids are forgotten.
const pruneInterval = time.Hour

// prune forgets delivery ids older than the retention, now and then every
// pruneInterval, until ctx ends.
func (a *App) prune(ctx context.Context) {
	t := time.NewTicker(pruneInterval)
	defer t.Stop()
	for {
		n, err := a.store.PruneDeliveries(ctx, time.Now().Add(-a.cfg.Dedupe.Retention))
		switch {
		case err != nil && ctx.Err() == nil:
			a.logger.Error("pruning delivery ids", "err", err)
		case n > 0:
			a.logger.Info("pruned delivery ids", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Plugins returns the loaded plugins.
func (a *App) Plugins() *plugin.Set { return a.plugins }

// Serve serves HTTP on ln until ctx is done, then shuts down gracefully:
// in-flight requests finish, background tasks finish or are cancelled,
// and the database is closed.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	sc := a.cfg.Server
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: sc.ReadHeaderTimeout,
		ReadTimeout:       sc.ReadTimeout,
		WriteTimeout:      sc.WriteTimeout,
		IdleTimeout:       sc.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	a.logStartup(ln.Addr().String())
	pctx, stopPrune := context.WithCancel(context.Background())
	pruned := make(chan struct{})
	go func() { a.prune(pctx); close(pruned) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		a.logger.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), sc.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopPrune()
	<-pruned
	err = errors.Join(err, a.plugins.Shutdown(sctx, sc.TaskGrace), a.store.Close())
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(serveErr, err)
	}
	if err == nil {
		a.logger.Info("stopped")
	}
	return err
}

// Close releases the app's resources without serving; for tests and
// commands that do not serve.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Server.ShutdownTimeout)
	defer cancel()
	return errors.Join(a.plugins.Shutdown(ctx, a.cfg.Server.TaskGrace), a.store.Close())
}

func (a *App) logStartup(addr string) {
	a.logger.Info("hookpoint listening", "addr", addr, "base_url", a.cfg.BaseURL, "data_dir", a.cfg.DataDir)
	if !a.cfg.Admin.Token.IsSet() {
		a.logger.Info("admin API open to loopback clients only (set admin.token to reach it from elsewhere)")
	}
	for _, inst := range a.plugins.All() {
		switch inst.State {
		case plugin.StateLoaded:
			for _, ep := range inst.Endpoints() {
				a.logger.Info("webhook", "plugin", inst.ID(), "url", ep.URL, "name", ep.Name)
			}
		case plugin.StateFailed:
			a.logger.Warn("plugin not loaded", "plugin", inst.ID(), "err", inst.Err)
		}
	}
}

// NewLogger returns the logger the config asks for, writing to w.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
