package queue_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
	"github.com/hookpoint/hookpoint/sdk"
)

var ctx = context.Background()

func messages(t *testing.T, s *store.Store) []string {
	t.Helper()
	ms, err := s.InboxMessages(ctx, "inbox-q", 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

// The runner on both databases: held deliveries, shutdown, and a backlog
// with failures, each handled exactly once.
func TestRunner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Run("held deliveries start at once and run once", func(t *testing.T) {
			s := storetest.Open(t, d)
			w := &countingWork{s: s, failEvery: 2} // every second first attempt fails and is retried
			r := queue.NewRunner(s.DeliveryQueue(), "r1", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			if r.Reserve() {
				t.Fatal("Reserve took a worker of a runner that is not running")
			}
			stop := start(r)
			// A second runner, as another replica: it must not claim held rows.
			other := queue.NewRunner(s.DeliveryQueue(), "r2", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			defer start(other)()
			// Once it can reserve, its start-up rescue (on SQLite, of every
			// running row) is over: it must not run into the held rows.
			waitReserve(t, other)
			other.Unreserve()
			// The runner's own claim loop holds an idle worker's token for
			// a moment now and then: waitReserve retries.
			for range 4 {
				waitReserve(t, r)
			}
			if r.Reserve() {
				t.Fatal("Reserve took a fifth worker of four")
			}
			r.Unreserve()
			waitReserve(t, r) // the worker given back can be reserved again
			const n = 4
			for i := range n {
				dl := storetest.QueuedDelivery(fmt.Sprint("held", i))
				dl.State = record.StateRunning
				id, res, err := s.InsertDelivery(ctx, dl, "r1", time.Now().Add(time.Minute))
				if err != nil || res != record.Stored {
					t.Fatalf("insert: %v %v", res, err)
				}
				if dl.ID != id || dl.State != record.StateRunning || dl.Attempts != 1 || !dl.StartedAt.IsZero() {
					t.Fatalf("held delivery as returned: id %d (want %d), state %q, attempts %d, started %v", dl.ID, id, dl.State, dl.Attempts, dl.StartedAt)
				}
				stored, err := s.Delivery(ctx, id)
				if err != nil || stored.State != record.StateRunning || stored.Attempts != 1 {
					t.Fatalf("held delivery as stored: %+v %v", stored, err)
				}
				r.Start(dl)
			}
			if got := waitMessages(t, s, n, 10*time.Second); got != n {
				t.Fatalf("%d of %d held deliveries handled", got, n)
			}
			stop()
			if r.Reserve() {
				t.Fatal("Reserve took a worker of a stopped runner")
			}
			m := messages(t, s)
			uniq := map[string]bool{}
			for _, x := range m {
				uniq[x] = true
			}
			counts, _ := s.CountDeliveries(ctx)
			if len(m) != n || len(uniq) != n || counts[record.StateDone] != n {
				t.Fatalf("%d messages (%d distinct), states %v; want %d done once each", len(m), len(uniq), counts, n)
			}
			// The failed first attempts were retried by a claim: attempts 2.
			list, err := s.Deliveries(ctx, record.DeliveryFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			retried := 0
			for _, dl := range list {
				if dl.Attempts == 2 {
					retried++
				}
				// Its first run's start, recorded by the completion.
				if dl.StartedAt.IsZero() || dl.StartedAt.Before(dl.ReceivedAt) || dl.FinishedAt.IsZero() || dl.StartedAt.After(dl.FinishedAt) {
					t.Errorf("delivery %d received %v, started %v, finished %v", dl.ID, dl.ReceivedAt, dl.StartedAt, dl.FinishedAt)
				}
			}
			if retried != n/2 {
				t.Errorf("%d deliveries ran twice, want the %d whose first attempt failed", retried, n/2)
			}
		})

		t.Run("shutdown hands held runs on", func(t *testing.T) {
			s := storetest.Open(t, d)
			w := &blockingWork{started: make(chan struct{}, 1)}
			r := queue.NewRunner(s.DeliveryQueue(), "r1", queue.Config{Workers: 2, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			claims, stopClaims := context.WithCancel(ctx)
			runs, stopRuns := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { r.Run(claims, runs); close(done) }()
			waitReserve(t, r)
			dl := storetest.QueuedDelivery("held")
			dl.State = record.StateRunning
			id, _, err := s.InsertDelivery(ctx, dl, "r1", time.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			r.Start(dl)
			<-w.started
			stopClaims()
			stopRuns()
			<-done
			got, err := s.Delivery(ctx, id)
			if err != nil || got.State != record.StatePending || got.Attempts != 0 {
				t.Fatalf("held delivery after shutdown: %+v %v; want pending, its attempt not counted", got, err)
			}
		})

		t.Run("runner processes everything once", func(t *testing.T) {
			s := storetest.Open(t, d)
			const n = 200
			for i := 0; i < n; i++ {
				storetest.InsertQueued(t, s, fmt.Sprint("run", i))
			}
			w := &countingWork{s: s, failEvery: 7}
			r := queue.NewRunner(s.DeliveryQueue(), "r1", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			stop := start(r)
			waitMessages(t, s, n, 30*time.Second)
			stop()
			m := messages(t, s)
			uniq := map[string]bool{}
			for _, x := range m {
				uniq[x] = true
			}
			if len(m) != n || len(uniq) != n {
				t.Fatalf("%d messages (%d distinct), want %d once each", len(m), len(uniq), n)
			}
			counts, _ := s.CountDeliveries(ctx)
			if counts[record.StateDone] != n {
				t.Errorf("states = %v", counts)
			}
		})
	})
}

// While Busy reports true, a runner's runs wait for BusyGrace; then it
// keeps BusyShare of the arrivals going (and, with too few arrivals, its
// share of the workers each poll), not more; when Busy turns false, it
// works off the rest with all its workers.
func TestRunnerKeepsItsShareWhileBusy(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	const n = 80
	for i := 0; i < n; i++ {
		storetest.InsertQueued(t, s, fmt.Sprint("busy", i))
	}
	var busy atomic.Bool
	busy.Store(true)
	w := &slowWork{took: 5 * time.Millisecond}
	cfg := queue.Config{Workers: 8, Poll: 100 * time.Millisecond, Busy: busy.Load, BusyGrace: 300 * time.Millisecond, BusyShare: 0.25}
	r := queue.NewRunner(s.DeliveryQueue(), "r1", cfg, w, slog.New(slog.DiscardHandler))
	defer start(r)()

	time.Sleep(200 * time.Millisecond)
	if done := w.done.Load(); done != 0 {
		t.Fatalf("%d runs within the grace of a busy load; want none", done)
	}
	time.Sleep(200 * time.Millisecond) // past the grace
	for range 40 {
		r.Notify() // 40 arrivals: a share of 10 runs
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	// 10 for the arrivals, and 2 a poll (a quarter of the workers) for
	// the few polls since the grace ended.
	if done := w.done.Load(); done < 10 || done > 30 {
		t.Fatalf("%d runs after the grace; want the share of 40 arrivals and of a few polls, 10 to 30", done)
	}
	busy.Store(false)
	r.Notify()
	deadline := time.Now().Add(10 * time.Second)
	for w.done.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if done, most := w.done.Load(), w.most.Load(); done != n || most <= 2 {
		t.Fatalf("after the load eased: %d of %d done, %d at once at most; want all, with more workers", done, n, most)
	}
}

// A worker a claim is about to use is not free to Reserve meanwhile: else
// the row the claim leased waits, running on no worker, for the reserved
// run to end.
func TestClaimHoldsItsWorkers(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	storetest.InsertQueued(t, s, "claimed")
	table := &gatedClaims{Queue: s.DeliveryQueue(), entered: make(chan struct{}), gate: make(chan struct{})}
	w := &countingWork{s: s, failEvery: 1 << 62}
	r := queue.NewRunner(table, "r1", queue.Config{Workers: 1, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
	defer start(r)()
	<-table.entered
	reserved := r.Reserve()
	close(table.gate)
	if reserved {
		r.Unreserve()
		t.Fatal("Reserve took the only worker while a claim for it was in flight")
	}
	if got := waitMessages(t, s, 1, 5*time.Second); got != 1 {
		t.Fatal("the claimed delivery did not run")
	}
}

// gatedClaims holds its first claim until gate closes.
type gatedClaims struct {
	*store.Queue[*record.Delivery]
	once          sync.Once
	entered, gate chan struct{}
}

func (g *gatedClaims) Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]*record.Delivery, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.gate
	})
	return g.Queue.Claim(ctx, owner, limit, lease)
}

// slowWork's runs take a while and count how many go at once.
type slowWork struct {
	took      time.Duration
	now, most atomic.Int64
	done      atomic.Int64
}

func (w *slowWork) Run(ctx context.Context, a record.Attempt, d *record.Delivery) queue.Outcome {
	now := w.now.Add(1)
	for most := w.most.Load(); now > most && !w.most.CompareAndSwap(most, now); most = w.most.Load() {
	}
	time.Sleep(w.took)
	w.now.Add(-1)
	w.done.Add(1)
	return queue.Outcome{}
}

func (w *slowWork) Policy(*record.Delivery) sdk.RetryPolicy { return sdk.RetryPolicy{} }

func (w *slowWork) Finished(*record.Delivery, *record.Completion, queue.Result, error, time.Duration) {
}

// start runs r until the returned stop is called, which waits for it.
func start(r *queue.Runner[*record.Delivery]) (stop func()) {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(rctx, ctx); close(done) }()
	return func() { cancel(); <-done }
}

// waitMessages waits up to timeout for n inbox messages and returns how
// many there are.
func waitMessages(t *testing.T, s *store.Store, n int, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for len(messages(t, s)) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return len(messages(t, s))
}

// countingWork writes one message per delivery; every failEvery-th first
// attempt fails, to exercise retries.
type countingWork struct {
	s         *store.Store
	failEvery int64
	n         atomic.Int64
}

func (w *countingWork) Run(ctx context.Context, a record.Attempt, d *record.Delivery) queue.Outcome {
	if a.Number == 1 && w.n.Add(1)%w.failEvery == 0 {
		return queue.Outcome{Err: errors.New("transient")}
	}
	return queue.Outcome{Messages: []record.Message{{ChatKey: "inbox-q", Plugin: "t.p", Text: d.DeliveryID}}}
}

func (w *countingWork) Policy(*record.Delivery) sdk.RetryPolicy {
	return sdk.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func (w *countingWork) Finished(*record.Delivery, *record.Completion, queue.Result, error, time.Duration) {
}

// waitReserve waits until Reserve takes a worker of r (once r is open,
// after its start-up rescue, and a worker is idle) and leaves it reserved.
func waitReserve(t *testing.T, r *queue.Runner[*record.Delivery]) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !r.Reserve() {
		if time.Now().After(deadline) {
			t.Fatal("a running runner with an idle worker refuses Reserve")
		}
		time.Sleep(time.Millisecond)
	}
}

// blockingWork's runs wait until their context ends.
type blockingWork struct{ started chan struct{} }

func (w *blockingWork) Run(ctx context.Context, a record.Attempt, d *record.Delivery) queue.Outcome {
	w.started <- struct{}{}
	<-ctx.Done()
	return queue.Outcome{Err: ctx.Err()}
}

func (w *blockingWork) Policy(*record.Delivery) sdk.RetryPolicy { return sdk.RetryPolicy{} }

func (w *blockingWork) Finished(*record.Delivery, *record.Completion, queue.Result, error, time.Duration) {
}

// A task whose cancellation was asked for through the database (from the
// admin API of another replica) has its run's context cancelled, with
// cause sdk.ErrTaskCancelled, and ends cancelled.
func TestRunnerCancelsRequestedRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		id, _, err := s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 5})
		if err != nil {
			t.Fatal(err)
		}
		w := &waitingTasks{started: make(chan struct{}, 1), cause: make(chan error, 1)}
		r := queue.NewRunner(s.TaskQueue(), "r1", queue.Config{Workers: 2, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { r.Run(rctx, ctx); close(done) }()
		defer func() { stop(); <-done }()
		<-w.started
		if c, err := s.CancelTask(ctx, "", id); err != nil || c != record.CancelRequested {
			t.Fatalf("CancelTask = %v, %v", c, err)
		}
		select {
		case cause := <-w.cause:
			if !errors.Is(cause, sdk.ErrTaskCancelled) {
				t.Fatalf("the run's context ended with %v", cause)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the run was not cancelled")
		}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			task, _ := s.Task(ctx, id)
			if task.State == record.StateCancelled {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task after its cancellation: %+v", task)
			}
		}
	})
}

// waitingTasks' runs wait for their context to end and report its cause.
type waitingTasks struct {
	started chan struct{}
	cause   chan error
}

func (w *waitingTasks) Run(ctx context.Context, a record.Attempt, t *record.Task) queue.Outcome {
	w.started <- struct{}{}
	<-ctx.Done()
	w.cause <- context.Cause(ctx)
	return queue.Outcome{Err: ctx.Err()}
}

func (w *waitingTasks) Policy(*record.Task) sdk.RetryPolicy { return sdk.RetryPolicy{} }

func (w *waitingTasks) Finished(*record.Task, *record.Completion, queue.Result, error, time.Duration) {
}
