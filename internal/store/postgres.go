package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// postgresEngine is the engine of a PostgreSQL database, which several
// processes may share: its writes go to the server in pipelines where
// they can (pipeline.go), claims as statements of their own (alone.go),
// and delivery ids come from a pool reserved ahead (idPool).
type postgresEngine struct {
	s           *Store
	rewritten   sync.Map // query → query with $n placeholders
	deliveryIDs idPool
	taskReserve string // the statement reserving one task id
	taskExpr    string // the id of an inserted task: the reserved one, or the sequence's next
}

var _ engine = (*postgresEngine)(nil)

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
	s := &Store{write: db, read: db}
	s.engine = &postgresEngine{s: s}
	return finishOpen(ctx, s, o)
}

func (*postgresEngine) kind() Dialect { return Postgres }

// start names the tasks' sequence in the statements that take task ids,
// and readies the pool of delivery ids.
func (p *postgresEngine) start(ctx context.Context, _ *slog.Logger) error {
	var seq string
	if err := p.s.write.QueryRowContext(ctx, `SELECT pg_get_serial_sequence('tasks', 'id')`).Scan(&seq); err != nil {
		return fmt.Errorf("finding the tasks' id sequence: %w", err)
	}
	next := `nextval(` + quoteLiteral(seq) + `::regclass)`
	p.taskReserve, p.taskExpr = `SELECT `+next, `COALESCE(CAST(? AS BIGINT), `+next+`)`
	return p.deliveryIDs.init(ctx, p.s.write)
}

func (*postgresEngine) close() {}

// placeholders returns query with $1, $2, ... for its ? placeholders,
// rewritten once per query text.
func (p *postgresEngine) placeholders(query string) string {
	if q, ok := p.rewritten.Load(query); ok {
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
		p.rewritten.Store(query, q)
	}
	return q
}

// migrationLock is the PostgreSQL advisory lock key that serialises
// migrations between replicas starting together.
const migrationLock = 0x686f6f6b // "hook"

// lockMigrations takes migrationLock on conn.
func (*postgresEngine) lockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, err
	}
	return func() { conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) }, nil
}

// ping checks that a connection answers.
func (p *postgresEngine) ping(ctx context.Context) error { return p.s.write.PingContext(ctx) }

// oneProcess reports false: other processes may hold rows running.
func (*postgresEngine) oneProcess() bool { return false }

// commit commits ops pipelined when they are delivery inserts (the request
// path's writes) and writes of PipelineBatches (the queue's completions),
// else in a transaction on a connection of its own, which Tx.Defer needs.
// Inserts do not go in such a transaction: a batch that mixes them with
// writes that need one fails with errSplit, and is committed as two.
func (p *postgresEngine) commit(ctx context.Context, ops []*writeOp) error {
	insOps, rest := splitInserts(ops)
	if len(insOps) > 0 {
		if !pipelinable(rest) {
			return errSplit
		}
		ins := make([]*deliveryInsert, len(insOps))
		for i, op := range insOps {
			ins[i] = op.item.(*deliveryInsert)
		}
		err := p.insertPipelined(ctx, ins, rest)
		if errors.Is(err, ErrNeedsTx) {
			return errSplit
		}
		return err
	}
	conn, err := p.s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer conn.Close()
	redo := redoable(ops)
	write := func(tx *Tx) error {
		if redo {
			if err := tx.setLocal(ctx, asyncCommitSQL); err != nil {
				return err
			}
		}
		return runOps(ctx, tx, ops)
	}
	if pipelinable(ops) {
		err := p.pipeline(ctx, conn, write)
		if !errors.Is(err, ErrNeedsTx) {
			return err
		}
	}
	return p.inTx(ctx, conn, write)
}

func (*postgresEngine) committed() {}

// prepared returns nil: PostgreSQL's driver caches prepared statements
// itself.
func (*postgresEngine) prepared(string) *sql.Stmt { return nil }

// reserveDeliveryIDs takes the ids from the store's idPool.
func (p *postgresEngine) reserveDeliveryIDs(ctx context.Context, tx *Tx, n int) ([]int64, error) {
	return p.deliveryIDs.take(ctx, tx, n)
}

// insertStatement inserts the deliveries and the payloads of those
// inserted.
func (*postgresEngine) insertStatement(chunk []*deliveryInsert) (string, []any) {
	args := rowArgs(chunk)
	for _, in := range chunk {
		args = in.payload(args)
	}
	return insertDeliveriesWithPayloadsSQL.For(len(chunk)), args
}

// insertDeliveriesWithPayloadsSQL is insertDeliveriesSQL followed by the
// payloads (id, headers, body, codec) of the rows inserted, in one
// statement: PostgreSQL.
var insertDeliveriesWithPayloadsSQL = NewMultiRowSQL(func(n int) string {
	return `WITH d AS (` + insertDeliveriesSQL.For(n) + `),
	p AS (INSERT INTO delivery_payloads (id, headers, body, codec)
		SELECT v.id, v.headers, v.body, v.codec FROM (VALUES ` + ValuesList("(?::bigint, ?::text, ?::bytea, ?::text)", n) + `) AS v (id, headers, body, codec)
		JOIN d ON d.id = v.id)
	SELECT id FROM d`
})

// insertPayloads does nothing: insertStatement wrote them.
func (*postgresEngine) insertPayloads(context.Context, *Tx, []*deliveryInsert, map[int64]bool) error {
	return nil
}

// claim claims and reads the rows in one statement, committed on its own:
// one round trip. An unreachable database is taken down here, as the
// group committer does for its writes.
func (p *postgresEngine) claim(ctx context.Context, table string, limit int, set []any, now int64, selectFrom func(string) string, read func(Rows) error) error {
	err := p.queryAlone(ctx, read, claimPostgres(table, limit)+` `+selectFrom("claimed"), append([]any{now}, set...)...)
	if err != nil && unreachable(err) {
		err = p.s.health.failed(err)
	}
	return err
}

// claimPostgres leases up to limit ready rows of table, skipping those
// another replica is claiming: a WITH that names the claimed rows
// "claimed", for a SELECT to follow.
func claimPostgres(table string, limit int) string {
	// The rows are picked once, in a WITH of their own (one with a locking
	// clause is always materialised): written as id IN (SELECT …), the
	// planner may run the pick again for every row it scans.
	return `WITH picked AS (SELECT id FROM ` + table + claimReady(limit) + ` FOR UPDATE SKIP LOCKED),
		claimed AS (UPDATE ` + table + ` ` + claimSet + ` FROM picked WHERE ` + table + `.id = picked.id RETURNING ` + table + `.*)`
}

// indexLookupsSQL makes PostgreSQL plan the rest of the transaction
// without sequential scans, hash joins or merge joins (see
// Tx.IndexLookups).
const indexLookupsSQL = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`

func (*postgresEngine) indexLookups(ctx context.Context, tx *Tx) error {
	return tx.setLocal(ctx, indexLookupsSQL)
}

// newestFirst leaves the plan to PostgreSQL, which has statistics.
func (*postgresEngine) newestFirst() string { return "" }

// pruneSQL deletes the payloads in the same statement: PostgreSQL has no
// foreign key there (migration 008).
func (*postgresEngine) pruneSQL(del, payloads string) (string, bool) {
	if payloads == "" {
		return del, false
	}
	return `WITH gone AS (` + del + ` RETURNING id), p AS (DELETE FROM ` + payloads + ` WHERE id IN (SELECT id FROM gone))
			SELECT count(*) FROM gone`, true
}

// countDeliveries counts the deliveries in each unfinished state from its
// partial index, and the done ones as the rest of the primary key, in one
// statement and so one snapshot: index-only scans, where a GROUP BY would
// read the whole table (there is no index on state), at every scrape of
// /metrics.
func (p *postgresEngine) countDeliveries(ctx context.Context) (map[record.State]int64, error) {
	var total, pending, running, failed, dead int64
	err := p.s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM deliveries),
		(SELECT count(*) FROM deliveries WHERE state = 'pending'), (SELECT count(*) FROM deliveries WHERE state = 'running'),
		(SELECT count(*) FROM deliveries WHERE state = 'failed'), (SELECT count(*) FROM deliveries WHERE state = 'dead')`).
		Scan(&total, &pending, &running, &failed, &dead)
	if err != nil {
		return nil, fmt.Errorf("counting deliveries: %w", err)
	}
	out := map[record.State]int64{record.StatePending: pending, record.StateRunning: running, record.StateFailed: failed, record.StateDead: dead,
		record.StateDone: total - pending - running - failed - dead} // deliveries are never cancelled
	for st, n := range out {
		if n == 0 {
			delete(out, st) // as GROUP BY: only the states some delivery is in
		}
	}
	return out, nil
}

// reserveTaskID takes the tasks' sequence's next value.
func (p *postgresEngine) reserveTaskID(ctx context.Context) (int64, error) {
	var id int64
	err := p.s.write.QueryRowContext(ctx, p.taskReserve).Scan(&id)
	return id, err
}

// taskID leaves a task stored without a reserved id to the sequence.
func (p *postgresEngine) taskID(reserved int64) (string, any) {
	if reserved == 0 {
		return p.taskExpr, nil
	}
	return p.taskExpr, reserved
}
