// Package store keeps Hookpoint's state in a SQL database: SQLite in the
// data directory by default, PostgreSQL to scale out. With the queue
// package it is the only package that holds SQL. Both databases run the
// same queries; the few differences are in Dialect.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Dialect is the kind of database.
type Dialect int

// The supported databases.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is a handle on the database. On SQLite, writes go through one
// connection and reads use a pool; on PostgreSQL both share a pool. Writes
// made with Do are group-committed.
type Store struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	writer  *writer
	stmts   *stmtCache    // SQLite only: on the write connection
	ckpt    *checkpointer // SQLite only

	rewritten   sync.Map // PostgreSQL: query → query with $n placeholders
	deliveryIDs idPool   // PostgreSQL
	taskIDs     taskIDs

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
// of the machine can lose the commits of that last moment. FULL cost 40–50 %
// of SQLite's ingest rate on the benchmark's machine (bench/README.md,
// item 38).
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

// OpenSQLite opens (creating if needed) the SQLite database at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := optionsOf(opts)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating database directory: %w", err)
	}
	if err := createSQLite(ctx, path); err != nil {
		return nil, err
	}
	syncPragma := "synchronous(NORMAL)"
	if o.fullSync {
		syncPragma = "synchronous(FULL)"
	}
	q := url.Values{}
	for _, p := range []string{"temp_store(MEMORY)", "busy_timeout(10000)", "journal_mode(WAL)", syncPragma, "foreign_keys(ON)",
		"wal_autocheckpoint(" + strconv.Itoa(autoCheckpointPages) + ")"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening database: %w", err)
	}
	read.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	return finishOpen(ctx, &Store{dialect: SQLite, write: write, read: read, stmts: newStmtCache()}, path, o)
}

// sqlitePageSize is the page size of a new SQLite database. A delivery's
// row and compressed body took two or three 4 KB pages, each written to
// the log in two system calls and once more by the checkpoint; with 8 KB
// pages SQLite ingest ran 3–5 % faster with a lower p99, and end to end
// faster too. 16 KB pages ran no faster than 4 KB ones (bench/README.md,
// item 39).
const sqlitePageSize = 8192

// createSQLite creates the database file at path, if there is none, with
// sqlitePageSize: SQLite fixes a database's page size at its first write,
// and in WAL mode for good. An existing database keeps its own.
func createSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // there is one, or opening it will say what is wrong
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("creating database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA page_size = " + strconv.Itoa(sqlitePageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("creating database: %w", err)
		}
	}
	return db.Close()
}

// OpenPostgres connects to PostgreSQL and brings the schema up to date.
// Several Hookpoint processes may share one database.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := optionsOf(opts)
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return finishOpen(ctx, &Store{dialect: Postgres, write: db, read: db}, "", o)
}

// finishOpen brings s's schema up to date and starts its background work;
// sqlitePath is SQLite's database file.
func finishOpen(ctx context.Context, s *Store, sqlitePath string, o options) (*Store, error) {
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
	if err := s.taskIDs.init(ctx, s.write, s.dialect); err != nil {
		return fail(err)
	}
	if s.dialect == Postgres {
		if err := s.deliveryIDs.init(ctx, s.write); err != nil {
			return fail(err)
		}
	} else {
		s.ckpt = newCheckpointer(s, sqlitePath, o.logger)
	}
	s.writer = newWriter(s)
	return s, nil
}

// Dialect returns the kind of database.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close stops the group committer and closes the database.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.close()
	}
	if s.health != nil {
		s.health.close()
	}
	if s.ckpt != nil {
		s.ckpt.close()
	}
	if s.stmts != nil {
		s.stmts.close()
	}
	if s.read == s.write {
		return s.write.Close()
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// Q rewrites a query written with ? placeholders for the dialect:
// PostgreSQL gets $1, $2, ... (rewritten once per query text).
func (s *Store) Q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	if q, ok := s.rewritten.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	q := b.String()
	if len(query) < 1<<16 {
		s.rewritten.Store(query, q)
	}
	return q
}

// Reader returns the pool for reads.
func (s *Store) Reader() *sql.DB { return s.read }

// migrationLock is the PostgreSQL advisory lock key that serialises
// migrations between replicas starting together.
const migrationLock = 0x686f6f6b // "hook"

func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/" + s.dialect.String()
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("locking for migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	}
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
