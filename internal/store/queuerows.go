package store

import (
	"context"
	"strings"
)

// QueueRows reads rows of a queue table (deliveries, tasks) with what their
// runs need, from a relation that has the table's columns: the rows a
// claim just updated. On PostgreSQL the claim and the read are so one
// statement, a data-modifying WITH, and one round trip.
type QueueRows[T any] struct {
	// Select reads every row of the relation named rel.
	Select func(rel string) string
	scan   func(Scanner) (T, error)
	// Job returns a row's id, its attempts so far and its maximum.
	Job func(T) (id int64, attempts, maxAttempts int)
}

// NewQueueRows returns the QueueRows that reads rows with selectFrom and
// scan.
func NewQueueRows[T any](selectFrom func(rel string) string, scan func(Scanner) (T, error), job func(T) (int64, int, int)) QueueRows[T] {
	return QueueRows[T]{Select: selectFrom, scan: scan, Job: job}
}

// DeliveryRows reads deliveries with their payloads.
var DeliveryRows = NewQueueRows(
	func(rel string) string {
		return `SELECT ` + deliveryColumns + ` FROM ` + rel + ` d JOIN delivery_payloads p ON p.id = d.id`
	},
	scanDelivery,
	func(d *Delivery) (int64, int, int) { return d.ID, d.Attempts, d.MaxAttempts })

// TaskRows reads tasks.
var TaskRows = NewQueueRows(
	func(rel string) string { return `SELECT ` + taskColumns + ` FROM ` + rel },
	scanTask,
	func(t *Task) (int64, int, int) { return t.ID, t.Attempts, t.MaxAttempts })

// Collect scans rows, which Select returned, and closes them.
func (q QueueRows[T]) Collect(rows Rows) ([]T, error) { return collect(rows, q.scan) }

// ByID reads, in tx, the rows of table whose ids are given. The id list is
// padded to a power of two by repeating its last id, so that a handful of
// statements, each prepared once, serve every batch size.
func (q QueueRows[T]) ByID(ctx context.Context, tx *Tx, table string, ids []int64) ([]T, error) {
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
	rows, err := tx.Query(ctx, `WITH picked AS (SELECT * FROM `+table+` WHERE id IN (?`+strings.Repeat(", ?", n-1)+`)) `+q.Select("picked"), args...)
	if err != nil {
		return nil, err
	}
	return q.Collect(rows)
}
