package plugin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Background runs plugins' background tasks. Shutdown lets running tasks
// finish for a grace period, then cancels their context and waits.
type Background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewBackground returns an empty task runner.
func NewBackground() *Background {
	ctx, cancel := context.WithCancel(context.Background())
	return &Background{ctx: ctx, cancel: cancel}
}

// Go starts fn and returns its task id.
func (b *Background) Go(logger *slog.Logger, name string, fn func(context.Context) error) string {
	id := NewID()
	logger = logger.With("task", name, "task_id", id)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				logger.Error("background task panicked", "panic", fmt.Sprint(p))
			}
		}()
		start := time.Now()
		if err := fn(b.ctx); err != nil {
			logger.Error("background task failed", "err", err, "duration", time.Since(start))
			return
		}
		logger.Info("background task finished", "duration", time.Since(start))
	}()
	return id
}

// Shutdown waits up to grace (or ctx's end, if sooner) for tasks to
// finish, then cancels the rest and waits for them to return.
func (b *Background) Shutdown(ctx context.Context, grace time.Duration) error {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		b.cancel()
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	b.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("background tasks still running: %w", ctx.Err())
	}
}

// NewID returns a random 128-bit id in hex.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
