package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	secret   = "soak-s3cret"
	chat     = "inbox-group_soak"
	hookPath = "/api/plugin/hookpoint.github/webhook/github"
	// ledgerEvery is how often the ledger reads the deliveries: often
	// enough to see each before the shortest retention prunes it.
	ledgerEvery = time.Second
)

// soak is one run: what it started and what it recorded.
type soak struct {
	opts    *options
	db      *pgxpool.Pool
	schema  string
	proxy   *proxy
	srv     *server
	load    *load
	ledger  *ledger
	sampler *sampler
	vacuum  vacuumPlan
	tl      timeline
}

// vacuumPlan says who reuses the space of pruned rows, and how often.
type vacuumPlan struct {
	every  time.Duration // how often the space of pruned rows is reused
	soak   bool          // the soak vacuums (else autovacuum does)
	why    string
	failed atomic.Int64 // the soak's VACUUMs that failed
}

// run sets up the database schema, the proxy and the server, runs the
// soak and tears everything down; it reports whether every check passed.
func run(ctx context.Context, o *options) (bool, error) {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return false, fmt.Errorf("creating the output directory: %w", err)
	}
	p, err := newPayload(o.payload, secret)
	if err != nil {
		return false, err
	}
	db, err := pgxpool.New(ctx, o.database)
	if err != nil {
		return false, fmt.Errorf("connecting to %s: %w", o.database, err)
	}
	defer db.Close()
	schema := fmt.Sprintf("soak_%d_%d", os.Getpid(), time.Now().Unix())
	if _, err := db.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return false, fmt.Errorf("creating schema %s: %w", schema, err)
	}
	defer dropSchema(db, schema)
	on, naptime, err := autovacuum(ctx, db)
	if err != nil {
		return false, err
	}
	target, err := databaseTarget(o.database)
	if err != nil {
		return false, err
	}
	px, err := newProxy(target)
	if err != nil {
		return false, err
	}
	defer px.Close()
	dataDir, err := os.MkdirTemp("", "hookpoint-soak-data-")
	if err != nil {
		return false, fmt.Errorf("creating the data directory: %w", err)
	}
	defer os.RemoveAll(dataDir)
	addr, err := freeAddr()
	if err != nil {
		return false, err
	}
	dbURL, err := serverDatabaseURL(o.database, px.Addr(), schema)
	if err != nil {
		return false, err
	}
	cfg := filepath.Join(o.out, "hookpoint.yaml")
	if err := os.WriteFile(cfg, []byte(serverConfig(addr, dataDir, dbURL, o)), 0o600); err != nil {
		return false, fmt.Errorf("writing the server config: %w", err)
	}
	srv := newServer(o.hookpoint, cfg, o.out, addr, secret)
	if err := srv.start(ctx); err != nil {
		return false, err
	}
	defer func() {
		if ctx.Err() != nil {
			srv.kill() // interrupted: no time for a graceful shutdown
			return
		}
		px.Up() // a server stopped during an outage could not shut down
		srv.stop(40 * time.Second)
	}()
	s := &soak{
		opts: o, db: db, schema: schema, proxy: px, srv: srv,
		load:    newLoad("http://"+addr+hookPath, p, o.clientTimeout),
		ledger:  newLedger(db, schema, chat),
		sampler: &sampler{srv: srv, db: db, schema: schema},
	}
	s.planVacuum(on, naptime)
	return s.execute(ctx)
}

// execute measures the idle server, runs the load and the plan, waits for
// the queue to drain and the goroutines to settle, and reports.
func (s *soak) execute(ctx context.Context) (bool, error) {
	o := s.opts
	s.logf("server pid %d listening on %s; PostgreSQL through the proxy at %s (schema %s)", s.srv.pid(), s.srv.addr, s.proxy.Addr(), s.schema)
	idle, err := s.idleGoroutines(ctx)
	if err != nil {
		return false, err
	}
	s.logf("idle goroutines before load: %d", idle)
	bg, stopBg := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.sampler.run(bg, o.sampleEvery) }()
	go func() { defer wg.Done(); every(bg, ledgerEvery, s.ledger.poll) }()
	go func() { defer wg.Done(); s.runVacuum(bg) }()
	s.tl.start = time.Now()
	s.tl.end = s.tl.start.Add(o.duration)
	planned := make(chan struct{})
	go func() { defer close(planned); s.runPlan(ctx) }()
	s.logf("load: %g deliveries/s for %s", o.rate, o.duration)
	s.load.send(ctx, s.tl.start, o.duration, o.rate)
	<-planned
	if err := ctx.Err(); err != nil {
		stopBg()
		wg.Wait()
		return false, fmt.Errorf("interrupted: %w", err)
	}
	s.logf("load done; waiting for the queue to drain (at most %s)", o.drainTimeout)
	var d drainInfo
	d.took, d.drained, d.err = s.ledger.drain(ctx, o.drainTimeout)
	g := idleInfo{before: idle}
	g.after, g.took, g.err = s.waitIdle(ctx, idle)
	stopBg()
	wg.Wait()
	s.ledger.poll(ctx, 0)
	inbox, err := s.ledger.inbox(ctx)
	if err != nil {
		return false, err
	}
	r := s.report(s.load.Results(), inbox, d, g)
	return r.passed(), r.write(os.Stdout, s.opts.out)
}

// planVacuum decides who reuses the space of pruned rows: autovacuum
// where it is on, unless -vacuum-every asks the soak to; where it is off,
// the soak, every autovacuum_naptime unless -vacuum-every says otherwise.
func (s *soak) planVacuum(autovacuumOn bool, naptime time.Duration) {
	v := &s.vacuum
	v.every, v.soak = s.opts.vacuumEvery, s.opts.vacuumEvery > 0
	switch {
	case v.soak:
		v.why = fmt.Sprintf("VACUUM by the soak every %s (-vacuum-every)", v.every)
	case autovacuumOn:
		v.every, v.why = naptime, fmt.Sprintf("autovacuum (naptime %s)", naptime)
	default:
		v.every, v.soak = naptime, true
		v.why = fmt.Sprintf("VACUUM by the soak every %s, as autovacuum would: the server has autovacuum off", naptime)
	}
}

// runVacuum vacuums the retained tables every interval until ctx ends,
// if the soak is to.
func (s *soak) runVacuum(ctx context.Context) {
	if !s.vacuum.soak {
		return
	}
	every(ctx, s.vacuum.every, func(ctx context.Context, _ time.Duration) {
		if err := vacuum(ctx, s.db, s.schema); err != nil && ctx.Err() == nil {
			s.vacuum.failed.Add(1)
		}
	})
}

// idleGoroutines reads the idle server's goroutines after a moment to
// settle.
func (s *soak) idleGoroutines(ctx context.Context) (int, error) {
	time.Sleep(2 * time.Second)
	n, err := s.goroutineFloor(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading idle goroutines: %w", err)
	}
	return n, nil
}

// goroutineFloor is the least go_goroutines of a few scrapes: a scrape
// counts goroutines of its own (its connection's, and those that watch
// the database queries of /metrics), which may or may not have ended.
func (s *soak) goroutineFloor(ctx context.Context) (int, error) {
	least := -1
	for i := 0; i < 5; i++ {
		if i > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		n, err := s.srv.goroutines(ctx, 5*time.Second)
		if err != nil {
			return 0, err
		}
		if least < 0 || n < least {
			least = n
		}
	}
	return least, nil
}

// waitIdle closes the load's idle connections and reads the server's
// goroutines until they are back to idle, or the idle timeout; it returns
// the last count and how long it waited.
func (s *soak) waitIdle(ctx context.Context, idle int) (int, time.Duration, error) {
	s.load.closeIdle()
	start := time.Now()
	for {
		n, err := s.goroutineFloor(ctx)
		if err != nil || n <= idle || time.Since(start) > s.opts.idleTimeout {
			return n, time.Since(start), err
		}
		select {
		case <-ctx.Done():
			return n, time.Since(start), ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// logf prints a progress line, stamped with the time since the load
// started.
func (s *soak) logf(format string, args ...any) {
	at := "      "
	if !s.tl.start.IsZero() {
		at = fmt.Sprintf("%+6.1fs", time.Since(s.tl.start).Seconds())
	}
	fmt.Fprintf(os.Stderr, "%s %s\n", at, fmt.Sprintf(format, args...))
}

func dropSchema(db *pgxpool.Pool, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		fmt.Fprintf(os.Stderr, "soak: dropping schema %s: %v\n", schema, err)
	}
}

// databaseTarget is the host:port the proxy forwards to.
func databaseTarget(dbURL string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("database URL %q: want postgres://user@host:port/db", dbURL)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432"), nil
	}
	return u.Host, nil
}

// serverDatabaseURL is the database URL with the proxy as its host and
// the soak's schema as its search path.
func serverDatabaseURL(dbURL, proxyAddr, schema string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("database URL %q: %w", dbURL, err)
	}
	u.Host = proxyAddr
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// freeAddr finds a free loopback port for the server, which keeps it
// across restarts.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serverConfig is the server's config: the GitHub plugin notifying the
// soak's inbox chat, and the soak's short retention.
func serverConfig(addr, dataDir, dbURL string, o *options) string {
	return fmt.Sprintf(`listen: %q
data_dir: %q
database:
  url: %q
retention:
  deliveries: %s
  prune_interval: %s
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:GITHUB_WEBHOOK_SECRET}
      NOTIFICATION_CHAT_KEY: %s
`, addr, dataDir, dbURL, o.retention, o.pruneEvery, chat)
}
