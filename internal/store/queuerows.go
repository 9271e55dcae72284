package store

import "github.com/hookpoint/hookpoint/internal/record"

// queueRows reads rows of a queue table (deliveries, tasks) with what their
// runs need, from a relation that has the table's columns: the rows a
// claim just updated. On PostgreSQL the claim and the read are so one
// statement, a data-modifying WITH, and one round trip.
type queueRows[T any] struct {
	// selectFrom reads every row of the relation named rel.
	selectFrom func(rel string) string
	scan       func(Scanner) (T, error)
	id         func(T) int64
}

// deliveryRows reads deliveries with their payloads.
var deliveryRows = queueRows[*record.Delivery]{
	selectFrom: func(rel string) string {
		return `SELECT ` + deliveryColumns + ` FROM ` + rel + ` d JOIN delivery_payloads p ON p.id = d.id`
	},
	scan: scanDelivery,
	id:   func(d *record.Delivery) int64 { return d.ID },
}

// taskRows reads tasks.
var taskRows = queueRows[*record.Task]{
	selectFrom: func(rel string) string { return `SELECT ` + taskColumns + ` FROM ` + rel },
	scan:       scanTask,
	id:         func(t *record.Task) int64 { return t.ID },
}

// collect scans rows, which selectFrom returned, and closes them.
func (q queueRows[T]) collect(rows Rows) ([]T, error) { return collect(rows, q.scan) }
