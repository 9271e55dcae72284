package store

import (
	"context"
	"database/sql"
	"strings"
)

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect scans every row with scan and closes rows. No rows is an
// empty, non-nil slice (a JSON [] in listings).
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// IDs scans rows of one integer column, an id, and closes rows.
func IDs(rows *sql.Rows) ([]int64, error) {
	return collect(rows, func(sc scanner) (int64, error) {
		var id int64
		err := sc.Scan(&id)
		return id, err
	})
}

// byID runs selectFrom (a SELECT up to its WHERE) in tx for the rows whose
// idColumn is in ids, and returns them by id. The list is padded to a
// power of two by repeating its last id, so that a handful of statements,
// each prepared once, serve every batch size.
func byID[T any](ctx context.Context, tx *Tx, selectFrom, idColumn string, ids []int64, scan func(scanner) (T, error), id func(T) int64) (map[int64]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	rows, err := tx.Query(ctx, selectFrom+` WHERE `+idColumn+` IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scan)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]T, len(list))
	for _, v := range list {
		out[id(v)] = v
	}
	return out, nil
}
