// Package store keeps Hookpoint's state in a SQL database: SQLite in the
// data directory by default, PostgreSQL to scale out. It is the only
// package that holds SQL. Both databases run the
// same queries; what differs between them sits behind one boundary, the
// engine interface (dialect.go), with one implementation a database:
// sqlite.go and postgres.go. The store's tests run against both through
// storetest.Each.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Store is a handle on the database. On SQLite, writes go through one
// connection and reads use a pool; on PostgreSQL both share a pool. Writes
// made with Do are group-committed.
type Store struct {
	engine engine
	write  *sql.DB
	read   *sql.DB
	writer *writer

	writeTimeout time.Duration
	health       *health
}

// DatabaseFile is the SQLite file's name inside the data directory.
const DatabaseFile = "hookpoint.db"

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Option changes how Open opens a database.
type Option func(*options)

type options struct {
	fullSync     bool
	writeTimeout time.Duration
	logger       *slog.Logger
}

func optionsOf(opts []Option) options {
	o := options{writeTimeout: DefaultWriteTimeout, logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WriteTimeout bounds each write transaction: a database that does not
// answer within it is taken as unavailable, and writes fail at once with
// record.ErrUnavailable until it answers again. Defaults to
// DefaultWriteTimeout.
func WriteTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.writeTimeout = d
		}
	}
}

// Logger sets where the store logs what happens in the background
// (checkpoints, the database going away and coming back). Defaults to
// slog.Default().
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// FullSync makes every SQLite commit wait until its write-ahead log is on
// disk (synchronous=FULL), so that an acknowledged delivery survives a
// power loss or a crash of the machine too. By default (synchronous=NORMAL)
// a commit survives a crash of Hookpoint, and the log reaches the disk at
// the next background checkpoint, about a tenth of a second later: a crash
// of the machine can lose the commits of that last moment. FULL costs
// about half of SQLite's ingest rate (bench/README.md, "sqlite_sync").
// PostgreSQL's durability is the server's synchronous_commit.
func FullSync() Option { return func(o *options) { o.fullSync = true } }

// Open opens the database that url names, as ParseLocation reads it, and
// brings its schema up to date.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	loc, err := ParseLocation(url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if loc.Dialect == Postgres {
		return OpenPostgres(ctx, loc.connString(), opts...)
	}
	return OpenSQLite(ctx, loc.Path, opts...)
}

// finishOpen brings s's schema up to date and starts its background work.
func finishOpen(ctx context.Context, s *Store, o options) (*Store, error) {
	s.writeTimeout = o.writeTimeout
	s.health = &health{s: s, logger: o.logger, quit: make(chan struct{})}
	fail := func(err error) (*Store, error) {
		s.write.Close()
		if s.read != s.write {
			s.read.Close()
		}
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return fail(err)
	}
	if err := s.engine.start(ctx, o.logger); err != nil {
		return fail(err)
	}
	s.writer = newWriter(s)
	return s, nil
}

// Dialect returns the kind of database.
func (s *Store) Dialect() Dialect { return s.engine.kind() }

// Close stops the group committer and closes the database.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.close()
	}
	if s.health != nil {
		s.health.close()
	}
	s.engine.close()
	if s.read == s.write {
		return s.write.Close()
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// Q rewrites a query written with ? placeholders for the dialect:
// PostgreSQL gets $1, $2, ... (rewritten once per query text).
func (s *Store) Q(query string) string { return s.engine.placeholders(query) }

// Reader returns the pool for reads.
func (s *Store) Reader() *sql.DB { return s.read }

func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/" + s.engine.kind().String()
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	defer conn.Close()
	unlock, err := s.engine.lockMigrations(ctx, conn)
	if err != nil {
		return fmt.Errorf("locking for migrations: %w", err)
	}
	defer unlock()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		if version <= current {
			continue
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", e.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("applying migration %s: %w", e.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, s.Q(`INSERT INTO schema_migrations (version) VALUES (?)`), version); err != nil {
			tx.Rollback()
			return fmt.Errorf("applying migration %s: %w", e.Name(), err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("applying migration %s: %w", e.Name(), err)
		}
	}
	return nil
}
