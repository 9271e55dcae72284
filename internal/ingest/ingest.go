// Package ingest takes verified deliveries from the HTTP server: it stores
// each one durably before it is answered, and starts a queued one at once
// on an idle worker of this process, or leaves it to the queue.
package ingest

import (
	"context"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// Store records deliveries; *store.Store implements it.
type Store interface {
	InsertDelivery(ctx context.Context, d *record.Delivery, owner string, lease time.Time) (int64, record.Receipt, error)
	FinishInline(ctx context.Context, id int64, owner string, a record.Answer, lastError string) error
	Answer(ctx context.Context, id int64) (record.Answer, bool, error)
}

// Runs starts queued deliveries in this process as they are stored, while
// it has a worker idle; the deliveries' queue.Runner implements it.
type Runs interface {
	// Reserve takes an idle worker, or reports false.
	Reserve() bool
	// Start runs a delivery stored held by this process with the
	// reserved worker.
	Start(d *record.Delivery)
	// Unreserve gives the reserved worker back.
	Unreserve()
}

// Config configures an Ingest.
type Config struct {
	// Store records the deliveries.
	Store Store
	// Runs, if set, takes queued deliveries as they are committed, without
	// a claim; when it has no worker idle they are stored pending.
	Runs Runs
	// Notify is called after a queued delivery is stored pending.
	Notify func()
	// Owner names this process in the leases of the deliveries it holds:
	// inline ones, and queued ones that Runs starts.
	Owner string
	// Lease is how long a delivery held by Owner stays leased; it must
	// exceed the handlers' timeout. Defaults to 90s.
	Lease time.Duration
}

// Ingest stores verified deliveries.
type Ingest struct {
	store  Store
	runs   Runs
	notify func()
	owner  string
	lease  time.Duration
}

// New returns an Ingest.
func New(c Config) *Ingest {
	in := &Ingest{store: c.Store, runs: c.Runs, notify: c.Notify, owner: c.Owner, lease: c.Lease}
	if in.lease <= 0 {
		in.lease = 90 * time.Second
	}
	if in.notify == nil {
		in.notify = func() {}
	}
	return in
}

// Accept stores d and returns its id (the original's for a Duplicate).
// An inline delivery is stored held by this process, for the caller to
// run and Finish. A queued one starts at once if a worker of this process
// is idle, else waits in the queue.
func (in *Ingest) Accept(ctx context.Context, d *record.Delivery) (int64, record.Receipt, error) {
	held := false
	if d.Mode == record.ModeQueued {
		if held = in.runs != nil && in.runs.Reserve(); held {
			d.State = record.StateRunning
		}
	}
	id, receipt, err := in.store.InsertDelivery(ctx, d, in.owner, time.Now().Add(in.lease))
	switch {
	case held && err == nil && receipt == record.Stored:
		in.runs.Start(d)
	case held:
		in.runs.Unreserve()
	case err == nil && receipt == record.Stored && d.Mode == record.ModeQueued:
		in.notify()
	}
	return id, receipt, err
}

// Finish records the outcome of an inline delivery that Accept stored:
// its handler's answer, kept for redeliveries when it succeeded.
func (in *Ingest) Finish(ctx context.Context, id int64, a record.Answer, lastError string) error {
	return in.store.FinishInline(ctx, id, in.owner, a, lastError)
}

// Answer returns what inline delivery id answered, if it succeeded and
// the answer was kept.
func (in *Ingest) Answer(ctx context.Context, id int64) (record.Answer, bool, error) {
	return in.store.Answer(ctx, id)
}
