// Package app assembles a Hookpoint server from its config: the database,
// the chat adapters, the plugins, the queue runners and the HTTP server.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/chat/inbox"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/ingest"
	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/pressure"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/server"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/worker"
)

// App is a running Hookpoint.
type App struct {
	cfg        *config.Config
	logger     *slog.Logger
	store      *store.Store
	plugins    *plugin.Set
	handler    http.Handler
	deliveries *queue.Runner[*record.Delivery]
	tasks      *queue.Runner[*record.Task]

	// background runs the queue runners and the pruner until Close.
	stopClaims context.CancelFunc // stops claiming new work
	stopRuns   context.CancelFunc // cancels runs in progress
	wg         sync.WaitGroup
	closeOnce  sync.Once
	closeErr   error
	releaseID  func() // unlocks the replica id
}

// OpenStore opens the database that cfg names, as cfg.Database says;
// the store logs to logger.
func OpenStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*store.Store, error) {
	opts := []store.Option{store.WriteTimeout(cfg.Database.WriteTimeout), store.Logger(logger)}
	if cfg.Database.SQLiteSync == "full" {
		opts = append(opts, store.FullSync())
	}
	st, err := store.Open(ctx, cfg.Database.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	return st, nil
}

// New opens the database, loads the plugins and starts the queue runners.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	owner, releaseID, err := replicaID(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, cfg, logger)
	if err != nil {
		releaseID()
		return nil, err
	}
	fail := func(err error) (*App, error) {
		st.Close()
		releaseID()
		return nil, err
	}
	router, err := chat.NewRouter(inbox.New(st))
	if err != nil {
		return fail(err)
	}
	a := &App{cfg: cfg, logger: logger, store: st, releaseID: releaseID}
	reg := metrics.NewRegistry()
	reg.RegisterProcess()
	wm := worker.NewMetrics(reg)
	load := &pressure.Gauge{}
	qcfg := queue.Config{Workers: cfg.Queue.Workers, Lease: cfg.Queue.Lease, Timeout: cfg.Queue.HandlerTimeout, Poll: cfg.Queue.PollInterval,
		Busy: load.Busy, BusyGrace: cfg.Queue.BusyGrace, BusyShare: cfg.Queue.BusyShare}
	notifyTasks := func() {
		if a.tasks != nil {
			a.tasks.Notify()
		}
	}
	cancelRun := func(id int64) {
		if a.tasks != nil {
			a.tasks.Cancel(id)
		}
	}
	plugins, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Sender: router, Logger: logger, Tasks: st, TaskNotify: notifyTasks, CancelRun: cancelRun})
	if err != nil {
		return fail(err)
	}
	a.plugins = plugins
	a.deliveries = queue.NewRunner(st.DeliveryQueue(), owner, qcfg,
		&worker.Deliveries{Plugins: plugins, Metrics: wm, Logger: logger, NotifyTasks: notifyTasks}, logger)
	a.tasks = queue.NewRunner(st.TaskQueue(), owner, qcfg,
		&worker.Tasks{Plugins: plugins, Metrics: wm, Logger: logger, Progress: st.SetTaskProgress, Notify: notifyTasks}, logger)
	trusted, err := config.ParsePrefixes(cfg.Server.TrustedProxies)
	if err != nil {
		return fail(err)
	}
	reg.GaugeFunc("hookpoint_queue_depth", "Deliveries by state.", "state", a.gauge(st.CountDeliveries, record.DeliveryStates))
	reg.GaugeFunc("hookpoint_tasks", "Tasks by state.", "state", a.gauge(st.CountTasks, record.TaskStates))
	reg.GaugeFunc("hookpoint_queue_oldest_pending_seconds", "How long the oldest due delivery or task has waited for a worker, by queue.", "queue",
		a.oldestPending(map[string]func(context.Context) (time.Duration, error){
			record.QueueDeliveries: st.DeliveryQueue().OldestDue, record.QueueTasks: st.TaskQueue().OldestDue,
		}))
	reg.GaugeFunc("hookpoint_database_up", "1 while the database takes writes, 0 while it is unavailable.", "",
		func() map[string]float64 { return map[string]float64{"": boolFloat(st.Up())} })
	srv := server.New(server.Config{
		Plugins: plugins,
		Ingest: ingest.New(ingest.Config{
			Store: st, Runs: a.deliveries, Notify: a.deliveries.Notify, Owner: owner, Lease: cfg.Queue.Lease,
		}),
		Inbox:          st,
		Operator:       operator{Store: st, wake: a.deliveries.Notify, cancelRun: a.tasks.Cancel},
		AdminToken:     cfg.Admin.Token,
		Logger:         logger,
		TrustedProxies: trusted,
		Metrics:        reg,
	})
	a.handler = load.Track(server.WebhookPrefix, srv)
	claims, stopClaims := context.WithCancel(context.Background())
	runs, stopRuns := context.WithCancel(context.Background())
	a.stopClaims, a.stopRuns = stopClaims, stopRuns
	a.wg.Add(3)
	go func() { defer a.wg.Done(); a.deliveries.Run(claims, runs) }()
	go func() { defer a.wg.Done(); a.tasks.Run(claims, runs) }()
	go func() { defer a.wg.Done(); a.prune(claims) }()
	return a, nil
}

func (a *App) gauge(count func(context.Context) (map[record.State]int64, error), states []record.State) func() map[string]float64 {
	return func() map[string]float64 {
		if !a.store.Up() {
			return nil // a scrape must not wait on a database that is down
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		counts, err := count(ctx)
		out := map[string]float64{}
		if err != nil {
			a.logger.Error("reading queue depth", "err", err)
			return out
		}
		for _, st := range states {
			out[string(st)] = float64(counts[st])
		}
		for st, n := range counts {
			out[string(st)] = float64(n)
		}
		return out
	}
}

// oldestPending returns the gauge of each queue's oldest due row's wait.
func (a *App) oldestPending(queues map[string]func(context.Context) (time.Duration, error)) func() map[string]float64 {
	return func() map[string]float64 {
		if !a.store.Up() {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out := map[string]float64{}
		for name, oldest := range queues {
			d, err := oldest(ctx)
			if err != nil {
				a.logger.Error("reading the queue's oldest pending row", "queue", name, "err", err)
				continue
			}
			out[name] = d.Seconds()
		}
		return out
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Store returns the database.
func (a *App) Store() *store.Store { return a.store }

// prune deletes deliveries, tasks and inbox messages past their
// retention, now and every retention.prune_interval, until ctx ends.
func (a *App) prune(ctx context.Context) {
	t := time.NewTicker(a.cfg.Retention.PruneInterval)
	defer t.Stop()
	for {
		now := time.Now()
		r := a.cfg.Retention
		n, err := a.store.PruneDeliveries(ctx, now.Add(-r.Deliveries), now.Add(-r.Failed))
		if err == nil {
			var m int64
			m, err = a.store.PruneTasks(ctx, now.Add(-r.Tasks))
			n += m
		}
		if err == nil {
			var m int64
			m, err = a.store.PruneMessages(ctx, now.Add(-r.Messages))
			n += m
		}
		switch {
		case err != nil && ctx.Err() == nil:
			a.logger.Error("pruning", "err", err)
		case n > 0:
			a.logger.Info("pruned old deliveries, tasks and messages", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Serve serves HTTP on ln until ctx is done, then shuts down gracefully
// (see Close).
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(server.JSONErrors(ln)) }() // net/http's own 4xx answers as JSON too
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		a.logger.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), sc.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	err = errors.Join(err, a.shutdown(sctx))
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(serveErr, err)
	}
	if err == nil {
		a.logger.Info("stopped")
	}
	return err
}

// Close stops the queue runners — no new work is claimed, runs in progress
// finish within the shutdown timeout or are cancelled and handed back to
// the queue — and closes the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Server.ShutdownTimeout)
	defer cancel()
	return a.shutdown(ctx)
}

func (a *App) shutdown(ctx context.Context) error {
	a.closeOnce.Do(func() {
		a.stopClaims()
		done := make(chan struct{})
		go func() { a.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			a.logger.Warn("runs still going at the shutdown timeout; cancelling them")
			a.stopRuns()
			<-done
		}
		a.stopRuns()
		a.closeErr = errors.Join(a.plugins.Shutdown(), a.store.Close())
		a.releaseID()
	})
	return a.closeErr
}

func (a *App) logStartup(addr string) {
	var db any = a.store.Dialect()
	if loc, err := a.cfg.Database.Location(); err == nil {
		db = loc // the file, or the server without its password
	}
	a.logger.Info("hookpoint listening", "addr", addr, "base_url", a.cfg.BaseURL, "data_dir", a.cfg.DataDir, "database", db)
	if !a.cfg.Admin.Token.IsSet() {
		a.logger.Info("admin API open to loopback clients only (set admin.token to reach it from elsewhere)")
	}
	served := 0
	var failed []*plugin.Instance
	for _, inst := range a.plugins.All() {
		switch inst.State {
		case plugin.StateLoaded:
			for _, ep := range inst.Endpoints() {
				served++
				a.logger.Info("webhook", "plugin", inst.ID(), "url", ep.URL, "name", ep.Name, "mode", ep.Mode.String())
			}
		case plugin.StateFailed:
			failed = append(failed, inst)
		}
	}
	if served == 0 {
		// A first run with no config lands here: say what to do, once.
		reasons := make([]string, len(failed))
		for i, inst := range failed {
			reasons[i] = inst.ID() + ": " + inst.Err.Error()
		}
		a.logger.Warn("no webhook is served: run `hookpoint init` to write a hookpoint.yaml with a generated GitHub webhook secret, then start the server again; "+
			"or set plugins.hookpoint.github.config.GITHUB_WEBHOOK_SECRET in your config (e.g. to ${env:GITHUB_WEBHOOK_SECRET})",
			"not_loaded", strings.Join(reasons, "; "))
		return
	}
	for _, inst := range failed {
		a.logger.Warn("plugin not loaded", "plugin", inst.ID(), "err", inst.Err)
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
