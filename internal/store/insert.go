package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// deliveryInsert is one InsertDelivery waiting in a group commit. The
// committer writes all of a transaction's deliveries with a few multi-row
// statements: on PostgreSQL every statement is a round trip, and a
// statement per delivery made round trips the bottleneck.
type deliveryInsert struct {
	d       *record.Delivery
	owner   string
	lease   time.Time
	now     time.Time
	headers string
	body    []byte
	codec   string

	// Set by the committer.
	id     int64
	result record.Receipt
}

// deliveryColumnsInserted are the columns insertDeliveries writes, in
// the order of deliveryInsert.row.
const deliveryColumnsInserted = `id, plugin, endpoint, mode, method, path, query, client_addr, request_id, delivery_id,
	state, attempts, max_attempts, run_at, lease_owner, lease_until, received_at, started_at`

var deliveryColumnCount = strings.Count(deliveryColumnsInserted, ",") + 1

// row appends the delivery's column values, its id first, to args.
func (in *deliveryInsert) row(args []any) []any {
	d := in.d
	state, leaseOwner, leaseUntil, attempts, started := record.StatePending, "", int64(0), 0, int64(0)
	if in.held() {
		state, leaseOwner, leaseUntil, attempts = record.StateRunning, in.owner, in.lease.UnixMicro(), 1
	}
	if d.Mode == record.ModeInline {
		// Its handler starts as soon as this commits; a held queued
		// delivery's start is recorded by its completion.
		started = in.now.UnixMicro()
	}
	var deliveryID any
	if d.DeliveryID != "" {
		deliveryID = d.DeliveryID
	}
	now := in.now.UnixMicro()
	return append(args, in.id, d.Plugin, d.Endpoint, d.Mode, d.Method, d.Path, d.Query, d.ClientAddr, d.RequestID, deliveryID,
		state, attempts, d.MaxAttempts, now, leaseOwner, leaseUntil, now, started)
}

// stored sets the fields of an inserted delivery as row stored them.
func (in *deliveryInsert) stored() {
	d, now := in.d, time.UnixMicro(in.now.UnixMicro())
	d.ID, d.RunAt, d.ReceivedAt, d.StartedAt = in.id, now, now, time.Time{}
	if in.held() {
		d.State, d.Attempts = record.StateRunning, 1
	} else {
		d.State, d.Attempts = record.StatePending, 0
	}
}

// held reports whether the delivery is stored running, held by owner.
func (in *deliveryInsert) held() bool {
	return in.d.Mode == record.ModeInline || in.d.State == record.StateRunning
}

// deliveryInserts is the Batch of InsertDelivery.
type deliveryInserts struct{}

// Run inserts the batch's deliveries.
func (deliveryInserts) Run(ctx context.Context, tx *Tx, items []any) error {
	ins := make([]*deliveryInsert, len(items))
	for i, it := range items {
		ins[i] = it.(*deliveryInsert)
	}
	return insertDeliveries(ctx, tx, ins)
}

// insertDeliveries writes ins in tx: ids are allocated up front, the rows
// go in by chunks of a power of two (so that a handful of statements,
// each prepared once, serve every batch size), and a delivery whose id
// was seen before is resolved on its own.
func insertDeliveries(ctx context.Context, tx *Tx, ins []*deliveryInsert) error {
	ids, err := tx.s.engine.reserveDeliveryIDs(ctx, tx, len(ins))
	if err != nil {
		return err
	}
	assignIDs(ins, ids)
	inserted := make(map[int64]bool, len(ins))
	if err := EachChunk(ins, func(chunk []*deliveryInsert) error {
		return insertChunk(ctx, tx, chunk, inserted)
	}); err != nil {
		return err
	}
	if err := tx.s.engine.insertPayloads(ctx, tx, ins, inserted); err != nil {
		return err
	}
	return resolveSeen(ctx, tx, ins, inserted)
}

// assignIDs gives ins their allocated ids, as inserted until found
// otherwise.
func assignIDs(ins []*deliveryInsert, ids []int64) {
	for i, in := range ins {
		in.id, in.result = ids[i], record.Stored
	}
}

// resolveSeen resolves the deliveries of ins that were not inserted: their
// delivery id was seen before.
func resolveSeen(ctx context.Context, tx *Tx, ins []*deliveryInsert, inserted map[int64]bool) error {
	for _, in := range ins {
		if !inserted[in.id] {
			if err := in.seenBefore(ctx, tx); err != nil {
				return err
			}
		}
	}
	return nil
}

// payload appends the delivery's payload values (id, headers, body,
// codec) to args.
func (in *deliveryInsert) payload(args []any) []any {
	return append(args, in.id, in.headers, in.body, in.codec)
}

// rowArgs returns the column values of chunk's deliveries, with room for
// their payloads' (see engine.insertStatement).
func rowArgs(chunk []*deliveryInsert) []any {
	args := make([]any, 0, (deliveryColumnCount+4)*len(chunk))
	for _, in := range chunk {
		args = in.row(args)
	}
	return args
}

// insertChunk inserts the deliveries of one chunk and notes the ids of
// those inserted (a delivery id seen before inserts nothing).
func insertChunk(ctx context.Context, tx *Tx, ins []*deliveryInsert, inserted map[int64]bool) error {
	q, args := tx.s.engine.insertStatement(ins)
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	ids, err := IDs(rows)
	for _, id := range ids {
		inserted[id] = true
	}
	return err
}

// insertDeliveriesSQL inserts deliveries unless their delivery id was
// seen before, and returns the ids inserted.
var insertDeliveriesSQL = NewMultiRowSQL(func(n int) string {
	return `INSERT INTO deliveries (` + deliveryColumnsInserted + `)
	VALUES ` + ValuesList("("+ValuesList("?", deliveryColumnCount)+")", n) + `
	ON CONFLICT (plugin, endpoint, delivery_id) WHERE delivery_id IS NOT NULL AND replay_of IS NULL DO NOTHING
	RETURNING id`
})

// seenBefore resolves a delivery whose id was seen before on its
// endpoint: a Duplicate of the original (or Busy while an inline original
// runs), unless it is an inline delivery whose earlier run failed or was
// abandoned, which this one takes over.
func (in *deliveryInsert) seenBefore(ctx context.Context, tx *Tx) error {
	d := in.d
	var prevState record.State
	var prevLease int64
	if err := tx.QueryRow(ctx, `SELECT id, state, lease_until FROM deliveries
		WHERE plugin = ? AND endpoint = ? AND delivery_id = ? AND replay_of IS NULL`,
		d.Plugin, d.Endpoint, d.DeliveryID).Scan(&in.id, &prevState, &prevLease); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = errors.New("a delivery was neither inserted nor found")
		}
		return err
	}
	in.result = record.Duplicate
	if d.Mode != record.ModeInline {
		return nil
	}
	switch {
	case prevState == record.StateDone:
		return nil
	case prevState == record.StateRunning && prevLease > in.now.UnixMicro():
		in.result = record.Busy
		return nil
	case prevState == record.StatePending:
		// Queued earlier (the endpoint's mode changed): it will run.
		return nil
	}
	in.result = record.Stored
	if _, err := tx.Exec(ctx, `UPDATE deliveries SET state = ?, attempts = attempts + 1, lease_owner = ?, lease_until = ?,
		request_id = ?, last_error = '' WHERE id = ?`,
		record.StateRunning, in.owner, in.lease.UnixMicro(), d.RequestID, in.id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE delivery_payloads SET headers = ?, body = ?, codec = ? WHERE id = ?`, in.headers, in.body, in.codec, in.id)
	return err
}
