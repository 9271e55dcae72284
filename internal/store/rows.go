package store

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// Rows are a query's rows: *sql.Rows, or pgx's (see Store.queryAlone).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// closeRows closes rows, whichever kind they are.
func closeRows(rows Rows) {
	switch r := rows.(type) {
	case interface{ Close() error }:
		r.Close()
	case interface{ Close() }:
		r.Close()
	}
}

// collect scans every row with scan and closes rows. No rows is an
// empty, non-nil slice (a JSON [] in listings).
func collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer closeRows(rows)
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
func IDs(rows Rows) ([]int64, error) {
	return collect(rows, func(sc Scanner) (int64, error) {
		var id int64
		err := sc.Scan(&id)
		return id, err
	})
}
