package store

import (
	"database/sql"
)

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// collect scans every row with scan and closes rows. No rows is an
// empty, non-nil slice (a JSON [] in listings).
func collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
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
	return collect(rows, func(sc Scanner) (int64, error) {
		var id int64
		err := sc.Scan(&id)
		return id, err
	})
}
