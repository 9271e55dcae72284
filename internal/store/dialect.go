package store

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/hookpoint/hookpoint/internal/record"
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

// engine is what differs between the databases, and only that:
// sqliteEngine (sqlite.go) and postgresEngine (postgres.go) each hold the
// code and statements of one database; every other statement is the same
// on both. A Store gets its engine when it opens, and no code outside the
// two asks which database it is on.
type engine interface {
	// kind returns which database the engine runs.
	kind() Dialect
	// start readies, once the schema is up to date, the sources of ids
	// and the background work.
	start(ctx context.Context, logger *slog.Logger) error
	// close stops the background work, after the group committer.
	close()
	// placeholders rewrites a query written with ? placeholders for the
	// database.
	placeholders(query string) string
	// lockMigrations keeps other processes from migrating until unlock.
	lockMigrations(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// ping checks that a write could go through now.
	ping(ctx context.Context) error
	// oneProcess reports whether the database serves one process only.
	oneProcess() bool

	// commit writes ops, a group commit, as one transaction.
	commit(ctx context.Context, ops []*writeOp) error
	// committed is told that a transaction outside the group commit
	// committed.
	committed()
	// prepared returns query's prepared statement, or nil.
	prepared(query string) *sql.Stmt

	// reserveDeliveryIDs returns n ids for tx's new deliveries.
	reserveDeliveryIDs(ctx context.Context, tx *Tx, n int) ([]int64, error)
	// insertStatement returns the statement inserting chunk, which
	// returns the ids inserted, and its arguments.
	insertStatement(chunk []*deliveryInsert) (string, []any)
	// insertPayloads writes the payloads of the deliveries of ins that
	// were inserted, unless insertStatement wrote them.
	insertPayloads(ctx context.Context, tx *Tx, ins []*deliveryInsert, inserted map[int64]bool) error

	// claim leases up to limit rows of table ready at now, with set the
	// values of claimSet, and hands read the rows claimed, as selectFrom
	// reads them from a relation, or nil for none (see Queue.Claim).
	claim(ctx context.Context, table string, limit int, set []any, now int64, selectFrom func(rel string) string, read func(Rows) error) error
	// indexLookups makes tx plan the statements that follow as index
	// lookups (see Tx.IndexLookups).
	indexLookups(ctx context.Context, tx *Tx) error
	// pruneSQL returns del, which deletes rows by id, made to delete the
	// rows of payloads with the same ids too, and whether it returns the
	// count deleted as a row instead of as rows affected.
	pruneSQL(del, payloads string) (query string, countRow bool)
	// newestFirst returns what follows a table's name in a FROM so that a
	// query ordered by id DESC with a LIMIT reads the rows newest first and
	// stops at the limit, instead of sorting every row an index finds.
	newestFirst() string
	// countDeliveries counts deliveries by state.
	countDeliveries(ctx context.Context) (map[record.State]int64, error)

	// reserveTaskID returns an id for a task to be stored later.
	reserveTaskID(ctx context.Context) (int64, error)
	// taskID returns the id column's value in a task's INSERT, an
	// expression and its argument, for the id reserved (0 for none).
	taskID(reserved int64) (expr string, arg any)
}
