package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hookpoint/hookpoint/internal/record"
)

// sqliteEngine is the engine of a SQLite database, a file that one process
// serves: its writes go through one connection, in the group committer's
// transactions, with statements prepared once (stmtCache), and a
// checkpointer copies the write-ahead log back in the background.
type sqliteEngine struct {
	s     *Store
	path  string
	stmts *stmtCache // on the write connection
	ckpt  *checkpointer

	mu       sync.Mutex
	lastTask int64 // the last task id handed out
}

var _ engine = (*sqliteEngine)(nil)

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
	s := &Store{write: write, read: read}
	s.engine = &sqliteEngine{s: s, path: path, stmts: newStmtCache()}
	return finishOpen(ctx, s, o)
}

// sqlitePageSize is the page size of a new SQLite database: a delivery's
// row and compressed body fit in fewer pages, each written to the log and
// again by the checkpoint (bench/README.md, "8 KB pages").
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

func (*sqliteEngine) kind() Dialect { return SQLite }

// start reads where task ids go on from, the highest id ever used (see
// reserveTaskID), and starts the checkpointer.
func (e *sqliteEngine) start(ctx context.Context, logger *slog.Logger) error {
	err := e.s.write.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0),
		COALESCE((SELECT MAX(id) FROM tasks), 0))`).Scan(&e.lastTask)
	if err != nil {
		return fmt.Errorf("reading the last task id: %w", err)
	}
	e.ckpt = newCheckpointer(e.s, e.path, logger)
	return nil
}

func (e *sqliteEngine) close() {
	if e.ckpt != nil {
		e.ckpt.close()
	}
	e.stmts.close()
}

// placeholders returns query: SQLite reads ? placeholders.
func (*sqliteEngine) placeholders(query string) string { return query }

// lockMigrations locks nothing: one process serves the database.
func (*sqliteEngine) lockMigrations(context.Context, *sql.Conn) (func(), error) {
	return func() {}, nil
}

// ping checks that the write lock can be taken.
func (e *sqliteEngine) ping(ctx context.Context) error {
	tx, err := e.s.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		return err
	}
	return tx.Rollback()
}

// oneProcess reports true: rows running when the store opens were left by
// a process that stopped.
func (*sqliteEngine) oneProcess() bool { return true }

// commit runs ops in a transaction on the write connection; then the
// checkpointer takes the new pages, and the statements the transaction
// asked for are prepared, while no transaction holds the connection.
func (e *sqliteEngine) commit(ctx context.Context, ops []*writeOp) error {
	sqlTx, err := e.s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	tx := &Tx{Tx: sqlTx, s: e.s}
	if err = runOps(ctx, tx, ops); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	e.ckpt.wrote()
	e.stmts.prepareWanted(ctx, e.s.write)
	return nil
}

// committed hands the checkpointer the transaction's pages.
func (e *sqliteEngine) committed() { e.ckpt.wrote() }

func (e *sqliteEngine) prepared(query string) *sql.Stmt { return e.stmts.get(query) }

// reserveDeliveryIDs returns the n ids above the deliveries' sequence: tx
// holds the only write connection, so they are free until it commits, and
// inserting them moves the sequence on.
func (*sqliteEngine) reserveDeliveryIDs(ctx context.Context, tx *Tx, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0)`).Scan(&seq); err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, seq+1+int64(i))
	}
	return ids, nil
}

// insertStatement inserts the deliveries only: their payloads follow (see
// insertPayloads).
func (*sqliteEngine) insertStatement(chunk []*deliveryInsert) (string, []any) {
	return insertDeliveriesSQL.For(len(chunk)), rowArgs(chunk)
}

// insertPayloads inserts the payloads of the deliveries inserted, by
// chunks.
func (*sqliteEngine) insertPayloads(ctx context.Context, tx *Tx, ins []*deliveryInsert, inserted map[int64]bool) error {
	var stored []*deliveryInsert
	for _, in := range ins {
		if inserted[in.id] {
			stored = append(stored, in)
		}
	}
	return EachChunk(stored, func(chunk []*deliveryInsert) error {
		args := make([]any, 0, 4*len(chunk))
		for _, in := range chunk {
			args = in.payload(args)
		}
		_, err := tx.Exec(ctx, insertPayloadsSQL.For(len(chunk)), args...)
		return err
	})
}

// insertPayloadsSQL inserts payloads (id, headers, body, codec).
var insertPayloadsSQL = NewMultiRowSQL(func(n int) string {
	return `INSERT INTO delivery_payloads (id, headers, body, codec) VALUES ` + ValuesList("(?, ?, ?, ?)", n)
})

// claim updates the rows and reads them in one group-committed
// transaction, in which the write connection's page cache holds the rows
// just written.
func (e *sqliteEngine) claim(ctx context.Context, table string, limit int, set []any, now int64, selectFrom func(string) string, read func(Rows) error) error {
	return e.s.Do(ctx, func(tx *Tx) error {
		rs, err := tx.Query(ctx, claimSQLite(table, limit), append(set, now)...)
		if err != nil {
			return err
		}
		ids, err := IDs(rs)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return read(nil)
		}
		rows, err := readByID(ctx, tx, table, ids, selectFrom)
		if err != nil {
			return err
		}
		return read(rows)
	})
}

// claimSQLite leases up to limit ready rows of table and returns their
// ids.
func claimSQLite(table string, limit int) string {
	// Without statistics SQLite's planner prefers the state index and
	// sorts the whole backlog; the partial index of ready rows is in
	// claim order.
	return `UPDATE ` + table + ` ` + claimSet + ` WHERE id IN (SELECT id FROM ` + table + ` INDEXED BY ` + table + `_ready` + claimReady(limit) + `) RETURNING id`
}

// readByID reads, in tx, the rows of table whose ids are given, as
// selectFrom reads them from a relation. The id list is padded to a power
// of two by repeating its last id, so that a handful of statements, each
// prepared once, serve every batch size.
func readByID(ctx context.Context, tx *Tx, table string, ids []int64, selectFrom func(rel string) string) (*sql.Rows, error) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return tx.Query(ctx, `WITH picked AS (SELECT * FROM `+table+` WHERE id IN (?`+strings.Repeat(", ?", n-1)+`)) `+selectFrom("picked"), args...)
}

// indexLookups does nothing: SQLite has no such settings.
func (*sqliteEngine) indexLookups(context.Context, *Tx) error { return nil }

// newestFirst makes SQLite walk the table by rowid: without statistics it
// picks an index for the filter and sorts everything it matches.
func (*sqliteEngine) newestFirst() string { return " NOT INDEXED" }

// pruneSQL returns del: the foreign key's cascade deletes the payloads.
func (*sqliteEngine) pruneSQL(del, _ string) (string, bool) { return del, false }

func (e *sqliteEngine) countDeliveries(ctx context.Context) (map[record.State]int64, error) {
	return e.s.countByState(ctx, "deliveries")
}

// reserveTaskID hands out the next task id from a counter: one process
// serves the database.
func (e *sqliteEngine) reserveTaskID(context.Context) (int64, error) { return e.nextTaskID(), nil }

// taskID gives a task stored without a reserved id the next one.
func (e *sqliteEngine) taskID(reserved int64) (string, any) {
	if reserved == 0 {
		reserved = e.nextTaskID()
	}
	return "?", reserved
}

func (e *sqliteEngine) nextTaskID() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastTask++
	return e.lastTask
}
