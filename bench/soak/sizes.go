package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tableSizes is one sample of the schema's tables: total size on disk
// (pg_total_relation_size: heap, indexes, TOAST) and live rows, by table.
type tableSizes struct {
	at    time.Time
	bytes map[string]int64
	rows  map[string]int64
}

// retained are the tables that retention bounds; inbox_messages, the
// inbox chat's history, has no retention.
var retained = []string{"deliveries", "delivery_payloads", "tasks"}

// readSizes samples the tables of schema.
func readSizes(ctx context.Context, db *pgxpool.Pool, schema string) (tableSizes, error) {
	s := tableSizes{at: time.Now(), bytes: map[string]int64{}, rows: map[string]int64{}}
	rows, err := db.Query(ctx, `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, schema)
	if err != nil {
		return s, fmt.Errorf("reading table sizes: %w", err)
	}
	var name string
	var size int64
	_, err = pgx.ForEachRow(rows, []any{&name, &size}, func() error { s.bytes[name] = size; return nil })
	if err != nil {
		return s, fmt.Errorf("reading table sizes: %w", err)
	}
	for _, t := range append(retained, "inbox_messages") {
		var n int64
		if err := db.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{schema, t}.Sanitize()).Scan(&n); err != nil {
			return s, fmt.Errorf("counting %s: %w", t, err)
		}
		s.rows[t] = n
	}
	return s, nil
}

// retainedBytes is the size of the tables retention bounds.
func (s tableSizes) retainedBytes() int64 {
	var n int64
	for _, t := range retained {
		n += s.bytes[t]
	}
	return n
}

// autovacuum reads whether the server's autovacuum is on and its
// autovacuum_naptime: how soon the space of deleted rows may be reused.
func autovacuum(ctx context.Context, db *pgxpool.Pool) (on bool, naptime time.Duration, err error) {
	var secs int64
	err = db.QueryRow(ctx, `SELECT current_setting('autovacuum')::bool, setting::bigint FROM pg_settings WHERE name = 'autovacuum_naptime'`).Scan(&on, &secs)
	if err != nil {
		return false, 0, fmt.Errorf("reading the autovacuum settings: %w", err)
	}
	return on, time.Duration(secs) * time.Second, nil
}

// vacuum vacuums the tables retention governs, as autovacuum would, so
// that the space of pruned rows is reused.
func vacuum(ctx context.Context, db *pgxpool.Pool, schema string) error {
	names := make([]string, len(retained))
	for i, t := range retained {
		names[i] = pgx.Identifier{schema, t}.Sanitize()
	}
	if _, err := db.Exec(ctx, "VACUUM "+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("vacuuming: %w", err)
	}
	return nil
}
