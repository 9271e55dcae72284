package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimState says what ClaimDelivery found.
type ClaimState int

// The outcomes of ClaimDelivery.
const (
	// Claimed: the delivery id is new (or its earlier claim went stale);
	// the caller processes it and then calls FinishDelivery.
	Claimed ClaimState = iota
	// AlreadyDone: the delivery was processed before.
	AlreadyDone
	// InProgress: another request is processing the same delivery now.
	InProgress
)

// DeliveryKey identifies one delivery of one endpoint.
type DeliveryKey struct {
	Plugin     string
	Endpoint   string
	DeliveryID string
}

// ClaimDelivery records that a delivery is being processed, unless it was
// processed already or is being processed by a claim younger than stale.
func (s *Store) ClaimDelivery(ctx context.Context, k DeliveryKey, stale time.Duration) (ClaimState, error) {
	now := time.Now()
	var state ClaimState
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var cur string
		var updated int64
		err := tx.QueryRowContext(ctx,
			`SELECT state, updated_at FROM webhook_deliveries_seen WHERE plugin = ? AND endpoint = ? AND delivery_id = ?`,
			k.Plugin, k.Endpoint, k.DeliveryID).Scan(&cur, &updated)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx,
				`INSERT INTO webhook_deliveries_seen (plugin, endpoint, delivery_id, state, updated_at) VALUES (?, ?, ?, 'processing', ?)`,
				k.Plugin, k.Endpoint, k.DeliveryID, now.UnixMicro())
			state = Claimed
			return err
		case err != nil:
			return err
		case cur == "done":
			state = AlreadyDone
			return nil
		case now.Sub(time.UnixMicro(updated)) < stale:
			state = InProgress
			return nil
		default:
			_, err = tx.ExecContext(ctx,
				`UPDATE webhook_deliveries_seen SET updated_at = ? WHERE plugin = ? AND endpoint = ? AND delivery_id = ?`,
				now.UnixMicro(), k.Plugin, k.Endpoint, k.DeliveryID)
			state = Claimed
			return err
		}
	})
	if err != nil {
		return 0, fmt.Errorf("claiming delivery %s: %w", k.DeliveryID, err)
	}
	return state, nil
}

// FinishDelivery ends a claim: a delivery that succeeded is marked done, so
// redeliveries are recognised; one that failed is forgotten, so the
// sender's retry is processed.
func (s *Store) FinishDelivery(ctx context.Context, k DeliveryKey, succeeded bool, status int) error {
	var err error
	if succeeded {
		_, err = s.write.ExecContext(ctx,
			`UPDATE webhook_deliveries_seen SET state = 'done', status = ?, updated_at = ? WHERE plugin = ? AND endpoint = ? AND delivery_id = ?`,
			status, time.Now().UnixMicro(), k.Plugin, k.Endpoint, k.DeliveryID)
	} else {
		_, err = s.write.ExecContext(ctx,
			`DELETE FROM webhook_deliveries_seen WHERE plugin = ? AND endpoint = ? AND delivery_id = ?`,
			k.Plugin, k.Endpoint, k.DeliveryID)
	}
	if err != nil {
		return fmt.Errorf("finishing delivery %s: %w", k.DeliveryID, err)
	}
	return nil
}

// PruneDeliveries forgets delivery ids last touched before cutoff and
// returns how many it removed.
func (s *Store) PruneDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM webhook_deliveries_seen WHERE updated_at < ?`, cutoff.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("pruning delivery ids: %w", err)
	}
	return res.RowsAffected()
}
