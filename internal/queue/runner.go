package queue

import (
	"context"
	"errors"
	"log/slog"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// Config tunes a Runner. Zero fields take their defaults.
type Config struct {
	// Workers is how many runs go at once. Defaults to 32: runs mostly
	// wait (on the database, on chat platforms), and more of them at once
	// complete in bigger group-committed batches.
	Workers int
	// Batch caps the rows claimed at once. Defaults to Workers.
	Batch int
	// Lease is how long a claim holds before other workers may rescue
	// it; it must exceed Timeout. Defaults to Timeout + 30s.
	Lease time.Duration
	// Timeout bounds one run. Defaults to 60s.
	Timeout time.Duration
	// Poll is how often the table is checked for work that no local
	// notification announced (retries coming due, other replicas' rows).
	// Defaults to 250ms.
	Poll time.Duration
	// Busy, if set, reports that work with priority over runs (answering
	// requests) is waiting for the processors. While it does, answering
	// comes first: runs wait, for up to BusyGrace, so that a burst is
	// answered at full speed; past it, the backlog keeps a share of the
	// processors (BusyShare) for as long as the load lasts, and is worked
	// off at full speed when it eases.
	Busy func() bool
	// BusyGrace is how long runs wait while Busy reports true before the
	// backlog takes its share. Defaults to 10s.
	BusyGrace time.Duration
	// BusyShare is how many runs start, past BusyGrace, for each row that
	// arrives (each Notify); and, in each Poll interval with fewer
	// arrivals, for each worker. Defaults to 1/4.
	BusyShare float64
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.Batch <= 0 {
		c.Batch = c.Workers
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Lease <= c.Timeout {
		c.Lease = c.Timeout + 30*time.Second
	}
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.BusyGrace <= 0 {
		c.BusyGrace = 10 * time.Second
	}
	if c.BusyShare <= 0 {
		c.BusyShare = 1.0 / 4
	}
	c.BusyShare = min(c.BusyShare, 1)
	return c
}

// Work processes claimed rows of one table.
type Work[T any] interface {
	// Run performs one run. Its context ends at the run's timeout or when
	// the runner stops.
	Run(ctx context.Context, a record.Attempt, row T) Outcome
	// Policy returns the retry policy of a row.
	Policy(row T) sdk.RetryPolicy
	// Finished is told where each run ended up: the completion recorded
	// (or that failed to be, with err) and the run's time.
	Finished(row T, c *record.Completion, result Result, err error, took time.Duration)
}

// Runner claims rows of one table and runs them with a Work.
type Runner[T Row] struct {
	table  Table[T]
	owner  string
	cfg    Config
	work   Work[T]
	logger *slog.Logger

	wake       chan struct{}
	free       chan struct{}   // one token per idle worker
	runs       chan handoff[T] // to the worker goroutines
	arrived    atomic.Int64    // Notify calls not yet turned into credit
	claimErrAt time.Time       // when a failed claim was last logged
	wg         sync.WaitGroup

	// Held rows (see Reserve) are taken while open: from the start-up
	// rescue until the runner stops claiming.
	mu      sync.Mutex
	open    bool
	running map[int64]context.CancelCauseFunc // the rows being run, by id
	credit  float64                           // runs that may start while busy
	floorAt time.Time                         // when the credit was last topped up to its floor
	waiting time.Time                         // since when runs have waited for a busy load
}

// NewRunner returns a runner of table; owner names this process in
// leases.
func NewRunner[T Row](table Table[T], owner string, cfg Config, work Work[T], logger *slog.Logger) *Runner[T] {
	cfg = cfg.withDefaults()
	r := &Runner[T]{
		table: table, owner: owner, cfg: cfg, work: work, logger: logger.With("queue", table.Name()),
		wake: make(chan struct{}, 1), free: make(chan struct{}, cfg.Workers), runs: make(chan handoff[T]), running: map[int64]context.CancelCauseFunc{},
	}
	for i := 0; i < cfg.Workers; i++ {
		r.free <- struct{}{}
	}
	return r
}

// Notify tells the runner that work was committed.
func (r *Runner[T]) Notify() {
	r.arrived.Add(1)
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs work until ctx ends, then waits for the runs in
// progress. Runs still going when stop ends are cancelled and their rows
// released for another worker.
func (r *Runner[T]) Run(ctx context.Context, stop context.Context) {
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	go func() {
		select {
		case <-stop.Done():
			cancelRuns()
		case <-runCtx.Done():
		}
	}()
	// Workers live as long as the runner, so a handler's grown stack is
	// kept, not grown and copied again for each run (bench/README.md, "The
	// workers are goroutines").
	var workers sync.WaitGroup
	for range r.cfg.Workers {
		workers.Go(func() {
			for x := range r.runs {
				r.run(runCtx, x.row)
			}
		})
	}
	defer func() { close(r.runs); workers.Wait() }()
	// Whatever this process's owner holds at start-up was left by the
	// process that last ran under it, which stopped; in a table no other
	// process uses, so is everything running. Rescue it before claiming
	// anything, or taking rows held by this process.
	owner := r.owner
	if r.table.OneProcess() {
		owner = ""
	}
	r.rescue(ctx, time.Unix(1<<40, 0), owner)
	r.setOpen(true)
	r.wg.Add(2)
	go func() { defer r.wg.Done(); r.rescueLoop(ctx) }()
	go func() { defer r.wg.Done(); r.cancelLoop(ctx) }()
	poll := time.NewTicker(r.cfg.Poll)
	defer poll.Stop()
	for ctx.Err() == nil {
		// Claim only when a worker is idle; a run that ends frees one.
		if !r.awaitIdle(ctx) {
			continue
		}
		if r.claimAndStart(ctx) > 0 {
			continue // there may be more waiting: claim again once a worker is idle
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-poll.C:
		}
	}
	r.setOpen(false)
	r.wg.Wait()
	if n, err := r.table.Release(context.WithoutCancel(ctx), r.owner); err != nil {
		r.logger.Error("releasing claims at shutdown", "err", err)
	} else if n > 0 {
		r.logger.Info("released unfinished runs for another worker", "count", n)
	}
}

func (r *Runner[T]) setOpen(open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open = open
}

// Reserve takes an idle worker for a row that the caller is about to
// store held by this runner's owner (running, leased, its attempt
// counted), so that the row starts the moment it is committed, with no
// claim: one write and one read of the row fewer. It reports false, taking
// nothing, when no worker is idle, when work with priority is waiting
// (Config.Busy: the row is stored pending and claimed in its turn) or
// when the runner is not running. After true the caller must call Start
// or Unreserve once.
func (r *Runner[T]) Reserve() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.open || (r.cfg.Busy != nil && r.cfg.Busy()) {
		return false // a run started with the request would make its answer wait
	}
	select {
	case <-r.free:
		r.wg.Add(1)
		return true
	default:
		return false
	}
}

// Start runs row, stored held by this runner's owner, with the worker
// that Reserve took.
func (r *Runner[T]) Start(row T) {
	r.runs <- handoff[T]{row}
}

// handoff is a run handed to a worker goroutine.
type handoff[T any] struct {
	row T
}

// Unreserve gives back the worker that Reserve took, for a row that was
// not stored held after all.
func (r *Runner[T]) Unreserve() {
	r.free <- struct{}{}
	r.wg.Done()
}

// claimErrorEvery spaces the log lines of claims that keep failing (a
// database that is down).
const claimErrorEvery = 10 * time.Second

// gather is how long a claim waits for more runs to end while some are in
// flight, and gatherShare the share of the workers it waits to see idle:
// under load runs end one by one, and claiming for each alone costs a
// statement (on PostgreSQL a round trip) per row or two.
const (
	gather      = time.Millisecond
	gatherShare = 4
)

// awaitIdle waits until a worker is idle and, while runs are in flight,
// up to gather more for a quarter of the workers to be; it reports false
// when ctx ends. It holds the idle workers' tokens while it waits.
func (r *Runner[T]) awaitIdle(ctx context.Context) bool {
	want := max(1, r.cfg.Workers/gatherShare)
	held := 0
	defer func() {
		for range held {
			r.free <- struct{}{}
		}
	}()
	var timeout <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timeout:
			return true
		case <-r.free:
			held++
		}
		if idle := held + len(r.free); idle >= want || idle == r.cfg.Workers {
			return true
		}
		if timeout == nil {
			t := time.NewTimer(gather)
			defer t.Stop()
			timeout = t.C
		}
	}
}

// allowance returns how many of want runs may start now and takes them
// from the credit: all of them unless Busy reports true; else none during
// BusyGrace, then as BusyShare grants, none unless at least least may
// start (runs start in batches, a claim costing as much for one row as for
// several), rounded down to a power of two.
func (r *Runner[T]) allowance(want, least int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.allowanceLocked(want, least)
}

// refund gives back credit taken for runs that did not start: nothing
// more was waiting, so the grace starts again.
func (r *Runner[T]) refund(n int) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	r.credit = min(r.credit+float64(n), float64(r.cfg.Workers))
	r.waiting = time.Time{}
	r.mu.Unlock()
}

func (r *Runner[T]) allowanceLocked(want, least int) int {
	now := time.Now()
	if r.cfg.Busy == nil || !r.cfg.Busy() {
		r.arrived.Store(0)
		r.credit, r.waiting = 0, time.Time{}
		return want
	}
	if r.waiting.IsZero() {
		r.waiting = now
	}
	if now.Sub(r.waiting) < r.cfg.BusyGrace {
		r.arrived.Store(0)
		return 0
	}
	share := r.cfg.BusyShare
	r.credit += float64(r.arrived.Swap(0)) * share
	if now.Sub(r.floorAt) >= r.cfg.Poll {
		r.floorAt = now
		r.credit = max(r.credit, share*float64(r.cfg.Workers))
	}
	r.credit = min(r.credit, float64(r.cfg.Workers))
	n := min(want, int(r.credit))
	if n < least {
		return 0
	}
	n = pow2floor(n)
	r.credit -= float64(n)
	return n
}

// claimAndStart claims as many rows as there are idle workers (while
// Busy, as BusyShare allows) and starts them; it returns how many it
// started.
func (r *Runner[T]) claimAndStart(ctx context.Context) int {
	// Hold the idle workers first: Reserve may take one while the claim runs.
	held := 0
	defer func() {
		for range held {
			r.free <- struct{}{}
		}
	}()
take:
	for held < r.cfg.Batch {
		select {
		case <-r.free:
			held++
		default:
			break take
		}
	}
	if held == 0 {
		return 0
	}
	want := pow2floor(held)
	limit := r.allowance(want, min(want, max(1, r.cfg.Workers/4)))
	if limit == 0 {
		return 0
	}
	claimed, err := r.table.Claim(ctx, r.owner, limit, r.cfg.Lease)
	r.refund(limit - len(claimed))
	if err != nil {
		if ctx.Err() == nil {
			if time.Since(r.claimErrAt) > claimErrorEvery {
				r.claimErrAt = time.Now()
				r.logger.Error("claiming work", "err", err)
			}
			time.Sleep(r.cfg.Poll)
		}
		return 0
	}
	if !r.claimErrAt.IsZero() {
		r.claimErrAt = time.Time{}
		r.releaseOrphans(ctx)
	}
	for _, row := range claimed {
		held--
		r.wg.Add(1)
		r.runs <- handoff[T]{row}
	}
	return len(claimed)
}

// pow2floor is the largest power of two not above n (n > 0): each claim
// size is a statement of its own, so sizes are kept to a few.
func pow2floor(n int) int {
	return 1 << (bits.Len(uint(n)) - 1)
}

func (r *Runner[T]) run(ctx context.Context, row T) {
	defer func() {
		r.free <- struct{}{}
		r.wg.Done()
	}()
	a := row.Attempt()
	a.Started = time.Now()
	cctx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	r.mu.Lock()
	r.running[a.ID] = cancelRun
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, a.ID)
		r.mu.Unlock()
	}()
	rctx, cancel := context.WithTimeout(cctx, r.cfg.Timeout)
	o := r.work.Run(rctx, a, row)
	cancel()
	if cause := context.Cause(cctx); errors.Is(cause, sdk.ErrTaskCancelled) {
		o = Outcome{Err: cause} // whatever the run answered
	}
	if o.Err != nil && ctx.Err() != nil && errors.Is(o.Err, context.Canceled) {
		// Stopped by shutdown: not the run's fault; Release hands it on.
		return
	}
	c, result := Decide(a, r.owner, o, r.work.Policy(row), time.Now())
	err := r.complete(ctx, c)
	r.work.Finished(row, c, result, err, time.Since(a.Started))
}

// complete records c, trying again while the database is unavailable,
// until the run's lease nears its end (the row is then rescued and run
// again) or the runner stops.
func (r *Runner[T]) complete(ctx context.Context, c *record.Completion) error {
	until := c.Attempt.Started.Add(r.cfg.Lease - r.cfg.Timeout/4)
	wait := 100 * time.Millisecond
	for {
		err := r.table.Complete(context.WithoutCancel(ctx), c)
		if err == nil || !errors.Is(err, record.ErrUnavailable) || time.Now().Add(wait).After(until) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Cancel cancels the run of row id if this runner runs it, with cause
// sdk.ErrTaskCancelled, and reports whether it did.
func (r *Runner[T]) Cancel(id int64) bool {
	r.mu.Lock()
	cancel := r.running[id]
	r.mu.Unlock()
	if cancel != nil {
		cancel(sdk.ErrTaskCancelled)
	}
	return cancel != nil
}

// cancelLoop cancels, every Poll while runs go, the runs whose
// cancellation an operator asked for (on this replica or another).
func (r *Runner[T]) cancelLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		idle := len(r.running) == 0
		r.mu.Unlock()
		if idle {
			continue
		}
		ids, err := r.table.CancelRequested(ctx, r.owner)
		if err != nil {
			continue // the claim loop reports a database that fails
		}
		for _, id := range ids {
			r.Cancel(id)
		}
	}
}

// releaseOrphans makes pending again the rows this runner's owner holds
// but does not run: after an outage, a write that timed out may have
// stored a row held for a run that never started.
func (r *Runner[T]) releaseOrphans(ctx context.Context) {
	r.mu.Lock()
	keep := make([]int64, 0, len(r.running))
	for id := range r.running {
		keep = append(keep, id)
	}
	r.mu.Unlock()
	n, err := r.table.Release(ctx, r.owner, keep...)
	switch {
	case err != nil && ctx.Err() == nil:
		r.logger.Error("releasing rows held but not run", "err", err)
	case n > 0:
		r.logger.Warn("released rows held but not run after an outage", "count", n)
		r.Notify()
	}
}

// rescue rescues the rows whose lease ends before until that owner holds
// (any, for "").
func (r *Runner[T]) rescue(ctx context.Context, until time.Time, owner string) {
	n, err := r.table.Rescue(ctx, until, owner)
	switch {
	case err != nil && ctx.Err() == nil:
		r.logger.Error("rescuing expired leases", "err", err)
	case n > 0:
		r.logger.Warn("rescued runs whose worker stopped", "count", n)
		r.Notify()
	}
}

func (r *Runner[T]) rescueLoop(ctx context.Context) {
	every := min(r.cfg.Lease/2, 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.rescue(ctx, time.Now(), "")
	}
}
