package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// checkpointEvery is the least time between two background checkpoints.
const checkpointEvery = 100 * time.Millisecond

// autoCheckpointPages is the write connection's own checkpoint threshold
// (wal_autocheckpoint): 128 MB of 8 KB pages (64 MB in a database made
// with 4 KB pages). The log starts again from its beginning only when a
// checkpoint has copied all of it before the next commit; under steady
// load the background checkpoints never quite catch up, so the log grows
// to this size, and the commit that crosses it checkpoints the rest
// itself and lets the log start over.
const autoCheckpointPages = 16384

// checkpointer copies SQLite's write-ahead log back into the database file
// in the background (a PASSIVE checkpoint, which never blocks writers or
// readers). Left to SQLite, the checkpoint runs inside the commit that
// crosses wal_autocheckpoint, fsyncs included, and every request of that
// group commit waits for it before it is answered.
type checkpointer struct {
	s      *Store
	logger *slog.Logger
	wal    walWriteback // used by the writer only
	kick   chan struct{}
	quit   chan struct{}
	wg     sync.WaitGroup
}

func newCheckpointer(s *Store, path string, logger *slog.Logger) *checkpointer {
	c := &checkpointer{s: s, logger: logger, wal: walWriteback{path: path + "-wal"}, kick: make(chan struct{}, 1), quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// wrote tells the checkpointer that a transaction committed; it starts
// the log's new pages on their way to disk.
func (c *checkpointer) wrote() {
	c.wal.committed()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.wg.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-c.kick:
		}
		if _, err := c.s.read.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			c.logger.Warn("checkpointing the SQLite write-ahead log", "err", err)
		}
		t.Reset(checkpointEvery)
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
	}
}

// close stops the checkpointer, after the writer has stopped.
func (c *checkpointer) close() {
	close(c.quit)
	c.wg.Wait()
	c.wal.close()
}
