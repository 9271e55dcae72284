package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/hookpoint/hookpoint/internal/record"
)

// DefaultWriteTimeout bounds one group-committed transaction, a claim or a
// chunk of a bulk operation, unless WriteTimeout says otherwise.
const DefaultWriteTimeout = 5 * time.Second

// errWriteTimeout is the error of a write the store cut short at its own
// deadline (WriteTimeout): the database did not answer. A caller's own
// deadline is not one.
var errWriteTimeout = errors.New("no answer within the write timeout")

// probeEvery is how often an unavailable database is tried again.
const probeEvery = 500 * time.Millisecond

// health says whether the database answers. A write that fails because
// the database is unreachable, stalled past the write timeout or refuses
// writes takes it down: from then on every write fails at once with
// record.ErrUnavailable, instead of waiting for the same timeout, until a
// probe succeeds.
type health struct {
	s      *Store
	logger *slog.Logger
	down   atomic.Bool

	mu      sync.Mutex
	cause   error
	probing bool
	quit    chan struct{}
	wg      sync.WaitGroup
}

// err returns the error of a write attempted now: nil while the database
// is up.
func (h *health) err() error {
	if !h.down.Load() {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Errorf("%w: %v", record.ErrUnavailable, h.cause)
}

// Up reports whether the database answers, as far as the last write or
// probe showed.
func (s *Store) Up() bool { return !s.health.down.Load() }

// failed takes the database down for cause, starting the probe, and
// returns the error to answer writes with.
func (h *health) failed(cause error) error {
	h.mu.Lock()
	h.cause = cause
	if !h.down.Swap(true) {
		h.logger.Error("database unavailable; refusing writes until it answers again", "err", cause)
	}
	if !h.probing {
		h.probing = true
		h.wg.Add(1)
		go h.probe()
	}
	h.mu.Unlock()
	return fmt.Errorf("%w: %v", record.ErrUnavailable, cause)
}

// probe tries the database every probeEvery until it answers, then
// brings it back up.
func (h *health) probe() {
	defer h.wg.Done()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), h.s.writeTimeout)
		err := h.s.engine.ping(ctx)
		cancel()
		h.mu.Lock()
		if err == nil {
			h.down.Store(false)
			h.probing = false
			h.mu.Unlock()
			h.logger.Info("database answers again; writes resume")
			return
		}
		h.cause = err
		h.mu.Unlock()
	}
}

func (h *health) close() {
	close(h.quit)
	h.wg.Wait()
}

// unreachable reports whether err says the database cannot take writes
// now (connection lost or refused, server shutting down, disk full or
// failing, locked by another process), as opposed to a write of its own
// being refused.
func unreachable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
		liteErr *sqlite.Error
	)
	switch {
	case errors.Is(err, errWriteTimeout):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false // a caller's context ended (a connect it cut short, too)
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exceptions; 57P0x: the server is shutting
		// down or starting; 53xxx: out of resources.
		class := pgErr.Code[:min(2, len(pgErr.Code))]
		return class == "08" || class == "53" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.As(err, &liteErr):
		switch liteErr.Code() & 0xff {
		case 5, 10, 13, 14: // SQLITE_BUSY, _IOERR, _FULL, _CANTOPEN
			return true
		}
	}
	return false
}
