package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// InsertDelivery stores a verified request, group-committed. An inline
// delivery is stored running, its first attempt counted, held by owner
// until lease; the caller runs it and calls FinishInline. A queued one is
// stored pending for the queue's workers to claim, or, if d.State is
// record.StateRunning, held as an inline one is, for the caller to run at once.
// A delivery id seen before on the endpoint is a Duplicate — except an
// inline one whose earlier run failed or was abandoned, which is taken
// over. It returns the delivery's id (the original's for a duplicate).
// A queued delivery it inserts has d's ID, State, Attempts, RunAt and
// ReceivedAt set as stored (a held one has no StartedAt until its run
// completes).
func (s *Store) InsertDelivery(ctx context.Context, d *record.Delivery, owner string, lease time.Time) (int64, record.Receipt, error) {
	headers, err := encodeHeaders(d.Header)
	if err != nil {
		return 0, 0, fmt.Errorf("encoding headers: %w", err)
	}
	in := &deliveryInsert{d: d, owner: owner, lease: lease, now: time.Now(), headers: headers}
	in.codec, in.body = encodeBody(d.Body)
	if err := s.do(&writeOp{ctx: ctx, batch: deliveryInserts{}, item: in}); err != nil {
		return 0, 0, fmt.Errorf("storing delivery: %w", err)
	}
	if in.result == record.Stored && d.Mode == record.ModeQueued {
		in.stored()
	}
	return in.id, in.result, nil
}

// FinishInline records the outcome of an inline delivery held by owner.
// A successful answer's content type and body (up to
// record.MaxAnswerBytes) are kept for redeliveries (see Answer).
func (s *Store) FinishInline(ctx context.Context, id int64, owner string, a record.Answer, lastError string) error {
	state := record.StateDone
	if a.Status >= 300 {
		state = record.StateFailed
	}
	keep := state == record.StateDone && len(a.Body) <= record.MaxAnswerBytes
	finish := func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE deliveries SET state = ?, response_status = ?, last_error = ?, finished_at = ?,
			lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`,
			state, a.Status, lastError, time.Now().UnixMicro(), id, owner)
		if err != nil || !keep {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		body := a.Body
		if body == nil {
			body = []byte{}
		}
		_, err = tx.Exec(ctx, `UPDATE delivery_payloads SET answer_type = ?, answer = ? WHERE id = ?`, a.ContentType, body, id)
		return err
	}
	if err := s.do(&writeOp{ctx: ctx, fn: finish}); err != nil {
		return fmt.Errorf("recording outcome of delivery %d: %w", id, err)
	}
	return nil
}

// Answer returns what the handler of inline delivery id answered, if it
// succeeded and the answer was kept.
func (s *Store) Answer(ctx context.Context, id int64) (record.Answer, bool, error) {
	var a record.Answer
	var body []byte
	err := s.read.QueryRowContext(ctx, s.Q(`SELECT d.response_status, p.answer_type, p.answer
		FROM deliveries d JOIN delivery_payloads p ON p.id = d.id WHERE d.id = ? AND d.state = 'done'`), id).Scan(&a.Status, &a.ContentType, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return a, false, nil
	case err != nil:
		return a, false, fmt.Errorf("reading the answer to delivery %d: %w", id, err)
	case body == nil:
		return a, false, nil
	}
	a.Body = body
	return a, true, nil
}

// deliveryColumns, read from deliveryTables, are what scanDelivery scans.
const (
	deliveryColumns = `d.id, d.plugin, d.endpoint, d.mode, d.method, d.path, d.query, p.headers, p.body, p.codec, d.client_addr, d.request_id,
	COALESCE(d.delivery_id, ''), COALESCE(d.replay_of, 0), d.state, d.attempts, d.max_attempts, d.run_at, d.last_error,
	d.response_status, d.received_at, d.started_at, d.finished_at`
	deliveryTables = ` FROM deliveries d JOIN delivery_payloads p ON p.id = d.id`
)

func scanDelivery(sc Scanner) (*record.Delivery, error) {
	var d record.Delivery
	var headers, codec string
	var body []byte
	var runAt, received, started, finished int64
	if err := sc.Scan(&d.ID, &d.Plugin, &d.Endpoint, &d.Mode, &d.Method, &d.Path, &d.Query, &headers, &body, &codec,
		&d.ClientAddr, &d.RequestID, &d.DeliveryID, &d.ReplayOf, &d.State, &d.Attempts, &d.MaxAttempts, &runAt,
		&d.LastError, &d.ResponseStatus, &received, &started, &finished); err != nil {
		return nil, err
	}
	// A damaged payload must not make the row unreadable: the queue would
	// stall on it. Its run dead-letters it instead.
	var err error
	if d.Header, err = decodeHeaders(headers); err != nil {
		d.Header, d.Damaged = http.Header{}, fmt.Errorf("decoding headers of delivery %d: %w", d.ID, err)
	} else if d.Body, err = decodeBody(codec, body); err != nil {
		d.Body, d.Damaged = nil, fmt.Errorf("delivery %d: %w", d.ID, err)
	}
	d.RunAt = time.UnixMicro(runAt).UTC()
	d.ReceivedAt = time.UnixMicro(received).UTC()
	d.StartedAt = optionalTime(started)
	d.FinishedAt = optionalTime(finished)
	return &d, nil
}

// optionalTime is the time us microseconds after the epoch, or zero for 0.
func optionalTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (*record.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, s.Q(`SELECT `+deliveryColumns+deliveryTables+` WHERE d.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading delivery %d: %w", id, err)
	}
	return d, nil
}

// where returns the filter's WHERE clause; prefix qualifies the
// deliveries table's columns ("d." in a join).
func filterDeliveries(f record.DeliveryFilter, prefix string) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds = append(conds, prefix+cond); args = append(args, v) }
	if f.ID != 0 {
		add("id = ?", f.ID)
	}
	if f.Plugin != "" {
		add("plugin = ?", f.Plugin)
	}
	if f.Endpoint != "" {
		add("endpoint = ?", f.Endpoint)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if f.DeliveryID != "" {
		add("delivery_id = ?", f.DeliveryID)
	}
	if !f.Since.IsZero() {
		add("received_at >= ?", f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		add("received_at < ?", f.Until.UnixMicro())
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Deliveries lists deliveries newest first.
func (s *Store) Deliveries(ctx context.Context, f record.DeliveryFilter) ([]*record.Delivery, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	where, args := filterDeliveries(f, "d.")
	rows, err := s.read.QueryContext(ctx, s.Q(`SELECT `+deliveryColumns+deliveryTables+where+` ORDER BY d.id DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	out, err := collect(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	return out, nil
}

// CountDeliveries counts deliveries by state.
func (s *Store) CountDeliveries(ctx context.Context) (map[record.State]int64, error) {
	return s.engine.countDeliveries(ctx)
}

func (s *Store) countByState(ctx context.Context, table string) (map[record.State]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, COUNT(*) FROM `+table+` GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("counting %s: %w", table, err)
	}
	defer rows.Close()
	out := map[record.State]int64{}
	for rows.Next() {
		var st record.State
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", table, err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// PruneDeliveries deletes finished deliveries received before doneCutoff,
// and failed or dead ones received before failedCutoff. It returns how
// many it deleted.
func (s *Store) PruneDeliveries(ctx context.Context, doneCutoff, failedCutoff time.Time) (int64, error) {
	n, err := s.prune(ctx, "deliveries", "delivery_payloads", `(state = 'done' AND received_at < ?) OR (state IN ('failed', 'dead') AND received_at < ?)`,
		doneCutoff.UnixMicro(), failedCutoff.UnixMicro())
	if err != nil {
		return n, fmt.Errorf("pruning deliveries: %w", err)
	}
	return n, nil
}
