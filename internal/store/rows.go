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

// byID runs selectFrom (a SELECT up to its WHERE) for the rows whose
// idColumn is in ids, prepared once per list length on SQLite, and
// returns them by id.
func byID[T any](ctx context.Context, s *Store, selectFrom, idColumn string, ids []int64, scan func(scanner) (T, error), id func(T) int64) (map[int64]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.queryRead(ctx, selectFrom+` WHERE `+idColumn+` IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
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
