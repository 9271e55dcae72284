package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ledger watches the server's tables directly, over its own connection
// (not through the proxy): which deliveries it has seen stored and seen
// done, polled often enough to see each before the short retention
// prunes it, and at the end the inbox messages of the chat.
type ledger struct {
	db     *pgxpool.Pool
	schema string
	chat   string

	mu     sync.Mutex
	seen   map[string]uint8 // delivery id → seenStored|seenDone
	missed int              // polls that failed
}

const (
	seenStored uint8 = 1 << iota
	seenDone
)

func newLedger(db *pgxpool.Pool, schema, chat string) *ledger {
	return &ledger{db: db, schema: schema, chat: chat, seen: map[string]uint8{}}
}

func (l *ledger) table(name string) string { return pgx.Identifier{l.schema, name}.Sanitize() }

// poll records the state of every delivery in the table. A failed poll
// is counted; the next one catches up.
func (l *ledger) poll(ctx context.Context, _ time.Duration) {
	if err := l.read(ctx); err != nil && ctx.Err() == nil {
		l.mu.Lock()
		l.missed++
		l.mu.Unlock()
	}
}

func (l *ledger) read(ctx context.Context) error {
	rows, err := l.db.Query(ctx, `SELECT delivery_id, state = 'done' FROM `+l.table("deliveries")+` WHERE delivery_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("reading deliveries: %w", err)
	}
	defer rows.Close()
	var id string
	var done bool
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = pgx.ForEachRow(rows, []any{&id, &done}, func() error {
		s := l.seen[id] | seenStored
		if done {
			s |= seenDone
		}
		l.seen[id] = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading deliveries: %w", err)
	}
	return nil
}

// Seen returns what the ledger saw of delivery id.
func (l *ledger) Seen(id string) uint8 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[id]
}

// queued counts deliveries still pending or running.
func (l *ledger) queued(ctx context.Context) (pending, running int64, err error) {
	err = l.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'running') FROM `+l.table("deliveries")).
		Scan(&pending, &running)
	if err != nil {
		return 0, 0, fmt.Errorf("counting queued deliveries: %w", err)
	}
	return pending, running, nil
}

// drain waits until no delivery is pending or running, or timeout, and
// reports how long it took and whether it drained.
func (l *ledger) drain(ctx context.Context, timeout time.Duration) (time.Duration, bool, error) {
	start := time.Now()
	for {
		p, r, err := l.queued(ctx)
		if err != nil {
			return time.Since(start), false, err
		}
		if p+r == 0 {
			return time.Since(start), true, nil
		}
		if time.Since(start) > timeout {
			return time.Since(start), false, nil
		}
		select {
		case <-ctx.Done():
			return time.Since(start), false, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// inbox counts the chat's messages per delivery id they name; messages
// that name none are counted under "".
func (l *ledger) inbox(ctx context.Context) (map[string]int, error) {
	rows, err := l.db.Query(ctx, `SELECT text FROM `+l.table("inbox_messages")+` WHERE chat_key = $1`, l.chat)
	if err != nil {
		return nil, fmt.Errorf("reading the inbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	var text string
	_, err = pgx.ForEachRow(rows, []any{&text}, func() error {
		id := ""
		if m := messageID.FindStringSubmatch(text); m != nil {
			id = m[1]
		}
		out[id]++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the inbox: %w", err)
	}
	return out, nil
}
