package queue_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
	"github.com/hookpoint/hookpoint/sdk"
)

var ctx = context.Background()

func newDelivery(id string) *store.Delivery {
	return &store.Delivery{
		Plugin: "t.p", Endpoint: "/e", Mode: store.ModeQueued, Method: "POST", Path: "/api/plugin/t.p/webhook/e",
		Header: http.Header{"X-Event": {"push"}}, Body: []byte(`{"n":1}`), DeliveryID: id, MaxAttempts: 3,
	}
}

func insert(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	rowID, res, err := s.InsertDelivery(ctx, newDelivery(id), "", time.Time{})
	if err != nil || res != store.Inserted {
		t.Fatalf("insert %q: %v %v", id, res, err)
	}
	return rowID
}

func claimOne(t *testing.T, s *store.Store, owner string) queue.Job {
	t.Helper()
	jobs, err := queue.Claim(ctx, s, queue.Deliveries, owner, 1, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v %v", jobs, err)
	}
	return jobs[0]
}

// inboxEffect writes a message the way the inbox adapter does: a deferred
// statement, which a pipelined completion on PostgreSQL can carry.
func inboxEffect(text string) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		return store.SaveInboxMessageTx(ctx, tx, "inbox-q", "t.p", text, nil)
	}
}

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

func TestQueueConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Run("complete with effects", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "a")
			job := claimOne(t, s, "w1")
			if job.ID != id || job.Attempt != 1 || job.MaxAttempts != 3 {
				t.Fatalf("job = %+v", job)
			}
			if jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "w2", 10, time.Minute); len(jobs) != 0 {
				t.Fatalf("a claimed row was claimed again: %v", jobs)
			}
			res, err := queue.Complete(ctx, s, queue.Deliveries, "w1", job, queue.Outcome{Effects: inboxEffect("hello"), ResponseStatus: 200}, sdk.RetryPolicy{})
			if err != nil || res != queue.ResultDone {
				t.Fatalf("complete: %v %v", res, err)
			}
			got, _ := s.Delivery(ctx, id)
			if got.State != store.StateDone || got.ResponseStatus != 200 || got.FinishedAt == nil || got.StartedAt == nil {
				t.Errorf("delivery = %+v", got)
			}
			if m := messages(t, s); len(m) != 1 || m[0] != "hello" {
				t.Errorf("messages = %v", m)
			}
		})

		t.Run("dedupe by delivery id", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "dup")
			again, res, err := s.InsertDelivery(ctx, newDelivery("dup"), "", time.Time{})
			if err != nil || res != store.Duplicate || again != id {
				t.Fatalf("second insert: %d %v %v, want duplicate of %d", again, res, err, id)
			}
			other := newDelivery("dup")
			other.Endpoint = "/other"
			if _, res, _ := s.InsertDelivery(ctx, other, "", time.Time{}); res != store.Inserted {
				t.Errorf("same id on another endpoint: %v", res)
			}
			if _, res, _ := s.InsertDelivery(ctx, newDelivery(""), "", time.Time{}); res != store.Inserted {
				t.Errorf("no id: %v", res)
			}
			if _, res, _ := s.InsertDelivery(ctx, newDelivery(""), "", time.Time{}); res != store.Inserted {
				t.Errorf("no id, twice: %v", res)
			}
		})

		t.Run("retry with backoff then dead letter", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "r")
			policy := sdk.RetryPolicy{MinBackoff: time.Hour}
			job := claimOne(t, s, "w")
			res, err := queue.Complete(ctx, s, queue.Deliveries, "w", job, queue.Outcome{Err: errors.New("boom"), Effects: inboxEffect("never")}, policy)
			if err != nil || res != queue.ResultRetry {
				t.Fatalf("first failure: %v %v", res, err)
			}
			got, _ := s.Delivery(ctx, id)
			if got.State != store.StatePending || got.Attempts != 1 || got.LastError != "boom" || time.Until(got.RunAt) < 45*time.Minute {
				t.Fatalf("after a failure: %+v", got)
			}
			if jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "w", 10, time.Minute); len(jobs) != 0 {
				t.Fatal("claimed before its run_at")
			}
			// Make it due twice more; the third failure is the last attempt.
			for attempt := 2; attempt <= 3; attempt++ {
				due(t, s, id)
				job := claimOne(t, s, "w")
				if job.Attempt != attempt {
					t.Fatalf("attempt = %d, want %d", job.Attempt, attempt)
				}
				res, _ = queue.Complete(ctx, s, queue.Deliveries, "w", job, queue.Outcome{Err: errors.New("boom")}, policy)
			}
			if res != queue.ResultDead {
				t.Fatalf("after the last attempt: %v", res)
			}
			got, _ = s.Delivery(ctx, id)
			if got.State != store.StateDead || len(messages(t, s)) != 0 {
				t.Fatalf("dead letter = %+v, messages %v", got, messages(t, s))
			}
			dead, _ := s.Deliveries(ctx, store.DeliveryFilter{State: store.StateDead})
			if len(dead) != 1 {
				t.Fatalf("dead letters: %d", len(dead))
			}
			if n, err := s.RetryDead(ctx, store.DeliveryFilter{}); err != nil || n != 1 {
				t.Fatalf("retry dead: %d %v", n, err)
			}
			job = claimOne(t, s, "w")
			if job.Attempt != 1 {
				t.Errorf("retried dead letter starts at attempt %d", job.Attempt)
			}
		})

		t.Run("permanent failure and snooze", func(t *testing.T) {
			s := storetest.Open(t, d)
			a, b, c := insert(t, s, "a"), insert(t, s, "b"), insert(t, s, "c")
			jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "w", 3, time.Minute)
			if len(jobs) != 3 {
				t.Fatalf("claimed %d", len(jobs))
			}
			byID := map[int64]queue.Job{}
			for _, j := range jobs {
				byID[j.ID] = j
			}
			r1, _ := queue.Complete(ctx, s, queue.Deliveries, "w", byID[a], queue.Outcome{Err: sdk.Cancel(errors.New("bad payload"))}, sdk.RetryPolicy{})
			r2, _ := queue.Complete(ctx, s, queue.Deliveries, "w", byID[b], queue.Outcome{Err: sdk.Error(400, "bad")}, sdk.RetryPolicy{})
			r3, _ := queue.Complete(ctx, s, queue.Deliveries, "w", byID[c], queue.Outcome{Err: sdk.Snooze(time.Hour)}, sdk.RetryPolicy{})
			if r1 != queue.ResultDead || r2 != queue.ResultDead || r3 != queue.ResultSnoozed {
				t.Fatalf("results %v %v %v", r1, r2, r3)
			}
			got, _ := s.Delivery(ctx, c)
			if got.State != store.StatePending || got.Attempts != 0 || time.Until(got.RunAt) < 50*time.Minute {
				t.Errorf("snoozed = %+v", got)
			}
		})

		t.Run("lease lost drops the outcome", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "l")
			jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "crashed", 1, time.Millisecond)
			time.Sleep(5 * time.Millisecond)
			if n, err := queue.Rescue(ctx, s, queue.Deliveries, false); err != nil || n != 1 {
				t.Fatalf("rescue: %d %v", n, err)
			}
			job := claimOne(t, s, "rescuer")
			if job.ID != id || job.Attempt != 2 {
				t.Fatalf("rescued job = %+v", job)
			}
			_, err := queue.Complete(ctx, s, queue.Deliveries, "crashed", jobs[0], queue.Outcome{Effects: inboxEffect("late")}, sdk.RetryPolicy{})
			if !errors.Is(err, queue.ErrLeaseLost) {
				t.Fatalf("late completion: %v", err)
			}
			if _, err := queue.Complete(ctx, s, queue.Deliveries, "rescuer", job, queue.Outcome{Effects: inboxEffect("once")}, sdk.RetryPolicy{}); err != nil {
				t.Fatal(err)
			}
			if m := messages(t, s); len(m) != 1 || m[0] != "once" {
				t.Errorf("messages = %v", m)
			}
		})

		t.Run("a lost lease fails only its own completion", func(t *testing.T) {
			s := storetest.Open(t, d)
			for _, id := range []string{"g1", "g2", "g3", "lost"} {
				insert(t, s, id)
			}
			jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "w", 4, time.Minute)
			if len(jobs) != 4 {
				t.Fatalf("claimed %v", jobs)
			}
			stale := jobs[3]
			stale.Attempt = 1
			if n, err := queue.Release(ctx, s, queue.Deliveries, "w"); err != nil || n != 4 {
				t.Fatalf("release: %d %v", n, err)
			}
			// Another worker holds them now; "w" gets back all but the last.
			taken, _ := queue.Claim(ctx, s, queue.Deliveries, "other", 4, time.Minute)
			for _, j := range taken[:3] {
				if _, err := queue.Complete(ctx, s, queue.Deliveries, "other", j, queue.Outcome{}, sdk.RetryPolicy{}); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range []string{"h1", "h2", "h3"} {
				insert(t, s, id)
			}
			mine, _ := queue.Claim(ctx, s, queue.Deliveries, "w", 3, time.Minute)
			// Complete all four at once, so that they can share a commit.
			errs := make([]error, 4)
			var wg sync.WaitGroup
			for i, j := range append(mine, stale) {
				wg.Go(func() {
					_, errs[i] = queue.Complete(ctx, s, queue.Deliveries, "w", j, queue.Outcome{Effects: inboxEffect(fmt.Sprint("m", i))}, sdk.RetryPolicy{})
				})
			}
			wg.Wait()
			for i, err := range errs[:3] {
				if err != nil {
					t.Errorf("completion %d: %v", i, err)
				}
			}
			if !errors.Is(errs[3], queue.ErrLeaseLost) {
				t.Errorf("stale completion: %v", errs[3])
			}
			if m := messages(t, s); len(m) != 3 {
				t.Errorf("messages = %v, want m0 m1 m2", m)
			}
		})

		t.Run("effects that need a result still commit with the run", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "e")
			job := claimOne(t, s, "w")
			var task int64
			effects := func(ctx context.Context, tx *store.Tx) error {
				// Both read what they wrote: on PostgreSQL the completion
				// cannot be a pipeline and runs in a transaction.
				if _, err := store.AddInboxMessageTx(ctx, tx, "inbox-q", "t.p", "with id", nil); err != nil {
					return err
				}
				var err error
				task, _, err = store.EnqueueTx(ctx, tx, store.NewTask{Plugin: "t.p", Kind: "follow-up", Args: []byte(`{}`), MaxAttempts: 1})
				return err
			}
			if res, err := queue.Complete(ctx, s, queue.Deliveries, "w", job, queue.Outcome{Effects: effects}, sdk.RetryPolicy{}); err != nil || res != queue.ResultDone {
				t.Fatalf("complete: %v %v", res, err)
			}
			if got, _ := s.Delivery(ctx, id); got.State != store.StateDone {
				t.Errorf("delivery state = %s", got.State)
			}
			if got, err := s.Task(ctx, task); err != nil || got.Kind != "follow-up" {
				t.Errorf("task %d: %+v %v", task, got, err)
			}
			if m := messages(t, s); len(m) != 1 || m[0] != "with id" {
				t.Errorf("messages = %v", m)
			}
		})

		t.Run("release at shutdown keeps the attempt", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "x")
			claimOne(t, s, "me")
			if n, err := queue.Release(ctx, s, queue.Deliveries, "me"); err != nil || n != 1 {
				t.Fatalf("release: %d %v", n, err)
			}
			got, _ := s.Delivery(ctx, id)
			if got.State != store.StatePending || got.Attempts != 0 {
				t.Errorf("released = %+v", got)
			}
		})

		t.Run("concurrent claimers never share a row", func(t *testing.T) {
			s := storetest.Open(t, d)
			const n = 300
			for i := 0; i < n; i++ {
				insert(t, s, fmt.Sprint("c", i))
			}
			var mu sync.Mutex
			seen := map[int64]string{}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				owner := fmt.Sprint("w", w)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						jobs, err := queue.Claim(ctx, s, queue.Deliveries, owner, 7, time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if len(jobs) == 0 {
							return
						}
						mu.Lock()
						for _, j := range jobs {
							if prev, dup := seen[j.ID]; dup {
								t.Errorf("row %d claimed by %s and %s", j.ID, prev, owner)
							}
							seen[j.ID] = owner
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != n {
				t.Errorf("claimed %d rows, want %d", len(seen), n)
			}
		})

		t.Run("replay links to the original", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := insert(t, s, "orig")
			ids, err := s.ReplayDeliveries(ctx, store.DeliveryFilter{ID: id})
			if err != nil || len(ids) != 1 {
				t.Fatalf("replay: %v %v", ids, err)
			}
			r, _ := s.Delivery(ctx, ids[0])
			if r.ReplayOf != id || r.State != store.StatePending || r.DeliveryID != "orig" || string(r.Body) != `{"n":1}` || r.Header.Get("X-Event") != "push" {
				t.Errorf("replay = %+v", r)
			}
			byID, _ := s.Deliveries(ctx, store.DeliveryFilter{DeliveryID: "orig"})
			if len(byID) != 2 {
				t.Errorf("filter by delivery id found %d", len(byID))
			}
		})

		t.Run("claimed rows are read whole", func(t *testing.T) {
			s := storetest.Open(t, d)
			want := newDelivery("whole")
			id := insert(t, s, "whole")
			ds, err := queue.ClaimRows(ctx, s, queue.Deliveries, "w", 4, time.Minute, store.DeliveryRows)
			if err != nil || len(ds) != 1 {
				t.Fatalf("claim deliveries: %v %v", ds, err)
			}
			got := ds[0].Row
			if ds[0].Job != (queue.Job{ID: id, Attempt: 1, MaxAttempts: 3}) || got.ID != id || got.State != store.StateRunning ||
				got.Plugin != want.Plugin || got.Endpoint != want.Endpoint || got.DeliveryID != "whole" ||
				string(got.Body) != string(want.Body) || got.Header.Get("X-Event") != "push" || got.StartedAt == nil {
				t.Errorf("claimed delivery = %+v, job %+v", got, ds[0].Job)
			}

			nt := store.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{"n":7}`), UniqueKey: "u", MaxAttempts: 4}
			tid, _, err := s.Enqueue(ctx, nt)
			if err != nil {
				t.Fatal(err)
			}
			ts, err := queue.ClaimRows(ctx, s, queue.Tasks, "w", 4, time.Minute, store.TaskRows)
			if err != nil || len(ts) != 1 {
				t.Fatalf("claim tasks: %v %v", ts, err)
			}
			task := ts[0].Row
			if ts[0].Job != (queue.Job{ID: tid, Attempt: 1, MaxAttempts: 4}) || task.Kind != "k" || string(task.Args) != `{"n":7}` ||
				task.UniqueKey != "u" || task.State != store.StateRunning {
				t.Errorf("claimed task = %+v, job %+v", task, ts[0].Job)
			}
		})

		t.Run("unique tasks", func(t *testing.T) {
			s := storetest.Open(t, d)
			nt := store.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), UniqueKey: "u", MaxAttempts: 2}
			a, existed, err := s.Enqueue(ctx, nt)
			if err != nil || existed {
				t.Fatal(existed, err)
			}
			b, existed, err := s.Enqueue(ctx, nt)
			if err != nil || !existed || b != a {
				t.Fatalf("second unique enqueue: %d %v %v", b, existed, err)
			}
			jobs, _ := queue.Claim(ctx, s, queue.Tasks, "w", 5, time.Minute)
			if len(jobs) != 1 {
				t.Fatalf("claimed %d tasks", len(jobs))
			}
			queue.Complete(ctx, s, queue.Tasks, "w", jobs[0], queue.Outcome{}, sdk.RetryPolicy{})
			c, existed, _ := s.Enqueue(ctx, nt)
			if existed || c == a {
				t.Error("a finished task blocked a new one with its key")
			}
			if ok, _ := s.CancelTask(ctx, "t.p", c); !ok {
				t.Error("cancel of a pending task failed")
			}
			if jobs, _ := queue.Claim(ctx, s, queue.Tasks, "w", 5, time.Minute); len(jobs) != 0 {
				t.Error("a cancelled task was claimed")
			}
		})

		t.Run("delayed task waits for its time", func(t *testing.T) {
			s := storetest.Open(t, d)
			s.Enqueue(ctx, store.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1, RunAt: time.Now().Add(time.Hour)})
			now, _, _ := s.Enqueue(ctx, store.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1})
			jobs, _ := queue.Claim(ctx, s, queue.Tasks, "w", 5, time.Minute)
			if len(jobs) != 1 || jobs[0].ID != now {
				t.Fatalf("claimed %v, want only task %d", jobs, now)
			}
		})

		t.Run("prune keeps failed work longer", func(t *testing.T) {
			s := storetest.Open(t, d)
			done, dead, pending := insert(t, s, "done"), insert(t, s, "dead"), insert(t, s, "pending")
			for _, id := range []int64{done, dead} {
				due(t, s, id)
			}
			jobs, _ := queue.Claim(ctx, s, queue.Deliveries, "w", 2, time.Minute)
			for _, j := range jobs {
				o := queue.Outcome{}
				if j.ID == dead {
					o.Err = sdk.Cancel(errors.New("bad"))
				}
				queue.Complete(ctx, s, queue.Deliveries, "w", j, o, sdk.RetryPolicy{})
			}
			_ = pending
			future := time.Now().Add(time.Minute)
			n, err := s.PruneDeliveries(ctx, future, time.Now().Add(-time.Hour))
			if err != nil || n != 1 {
				t.Fatalf("prune: %d %v, want the done delivery only", n, err)
			}
			if _, err := s.Delivery(ctx, done); !errors.Is(err, store.ErrNotFound) {
				t.Error("done delivery kept")
			}
			for _, id := range []int64{dead, pending} {
				if _, err := s.Delivery(ctx, id); err != nil {
					t.Errorf("delivery %d pruned: %v", id, err)
				}
			}
			if n, _ := s.PruneDeliveries(ctx, future, future); n != 1 {
				t.Errorf("second prune removed %d, want the dead one", n)
			}
			// Their headers and bodies go with them.
			var payloads int
			if err := s.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_payloads`).Scan(&payloads); err != nil || payloads != 1 {
				t.Errorf("%d payloads left after pruning (%v), want the pending delivery's only", payloads, err)
			}
			// The dedupe record goes with the delivery: the id is new again.
			if _, res, _ := s.InsertDelivery(ctx, newDelivery("done"), "", time.Time{}); res != store.Inserted {
				t.Errorf("after pruning, the id is still a duplicate")
			}
		})

		t.Run("held deliveries start at once and run once", func(t *testing.T) {
			s := storetest.Open(t, d)
			w := &countingWork{s: s, failEvery: 2} // every second first attempt fails and is retried
			r := queue.NewRunner[*store.Delivery](s, queue.Deliveries, "r1", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			if r.Reserve() {
				t.Fatal("Reserve took a worker of a runner that is not running")
			}
			stop := start(r)
			// A second runner, as another replica: it must not claim held rows.
			other := queue.NewRunner[*store.Delivery](s, queue.Deliveries, "r2", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			defer start(other)()
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
				dl := newDelivery(fmt.Sprint("held", i))
				dl.State = store.StateRunning
				id, res, err := s.InsertDelivery(ctx, dl, "r1", time.Now().Add(time.Minute))
				if err != nil || res != store.Inserted {
					t.Fatalf("insert: %v %v", res, err)
				}
				if dl.ID != id || dl.State != store.StateRunning || dl.Attempts != 1 || dl.StartedAt != nil {
					t.Fatalf("held delivery as returned: id %d (want %d), state %q, attempts %d, started %v", dl.ID, id, dl.State, dl.Attempts, dl.StartedAt)
				}
				stored, err := s.Delivery(ctx, id)
				if err != nil || stored.State != store.StateRunning || stored.Attempts != 1 {
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
			if len(m) != n || len(uniq) != n || counts[store.StateDone] != n {
				t.Fatalf("%d messages (%d distinct), states %v; want %d done once each", len(m), len(uniq), counts, n)
			}
			// The failed first attempts were retried by a claim: attempts 2.
			list, err := s.Deliveries(ctx, store.DeliveryFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			retried := 0
			for _, dl := range list {
				if dl.Attempts == 2 {
					retried++
				}
				// Its first run's start, recorded by the completion.
				if dl.StartedAt == nil || dl.StartedAt.Before(dl.ReceivedAt) || dl.FinishedAt == nil || dl.StartedAt.After(*dl.FinishedAt) {
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
			r := queue.NewRunner[*store.Delivery](s, queue.Deliveries, "r1", queue.Config{Workers: 2, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
			claims, stopClaims := context.WithCancel(ctx)
			runs, stopRuns := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { r.Run(claims, runs); close(done) }()
			waitReserve(t, r)
			dl := newDelivery("held")
			dl.State = store.StateRunning
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
			if err != nil || got.State != store.StatePending || got.Attempts != 0 {
				t.Fatalf("held delivery after shutdown: %+v %v; want pending, its attempt not counted", got, err)
			}
		})

		t.Run("runner processes everything once", func(t *testing.T) {
			s := storetest.Open(t, d)
			const n = 200
			for i := 0; i < n; i++ {
				insert(t, s, fmt.Sprint("run", i))
			}
			w := &countingWork{s: s, failEvery: 7}
			r := queue.NewRunner[*store.Delivery](s, queue.Deliveries, "r1", queue.Config{Workers: 4, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
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
			if counts[store.StateDone] != n {
				t.Errorf("states = %v", counts)
			}
		})
	})
}

// While Busy reports true, a runner starts BusyRuns runs per poll
// interval, not a full batch; when it turns false, it works off the rest
// at full speed.
func TestRunnerGivesWayWhileBusy(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	const n = 40
	for i := 0; i < n; i++ {
		insert(t, s, fmt.Sprint("busy", i))
	}
	var busy atomic.Bool
	busy.Store(true)
	w := &countingWork{s: s, failEvery: 1 << 30}
	cfg := queue.Config{Workers: 8, Poll: 200 * time.Millisecond, Busy: busy.Load, BusyRuns: 2}
	r := queue.NewRunner[*store.Delivery](s, queue.Deliveries, "r1", cfg, w, slog.New(slog.DiscardHandler))
	defer start(r)()

	// 1 s while busy: at most BusyRuns per 200 ms, about ten in all.
	time.Sleep(time.Second)
	if got := len(messages(t, s)); got == 0 || got > 14 {
		t.Fatalf("%d of %d deliveries handled in 1 s while busy; want a trickle of 2 per 200 ms", got, n)
	}
	busy.Store(false)
	r.Notify()
	if got := waitMessages(t, s, n, 10*time.Second); got != n {
		t.Fatalf("%d of %d deliveries handled after the load eased", got, n)
	}
}

// start runs r until the returned stop is called, which waits for it.
func start(r *queue.Runner[*store.Delivery]) (stop func()) {
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

// due makes a pending row runnable now.
func due(t *testing.T, s *store.Store, id int64) {
	t.Helper()
	err := s.Do(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE deliveries SET run_at = 0 WHERE id = ?`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countingWork writes one message per delivery; every failEvery-th first
// attempt fails, to exercise retries.
type countingWork struct {
	s         *store.Store
	failEvery int64
	n         atomic.Int64
}

func (w *countingWork) Rows() store.QueueRows[*store.Delivery] { return store.DeliveryRows }

func (w *countingWork) Run(ctx context.Context, job queue.Job, d *store.Delivery) queue.Outcome {
	if job.Attempt == 1 && w.n.Add(1)%w.failEvery == 0 {
		return queue.Outcome{Err: errors.New("transient")}
	}
	return queue.Outcome{Effects: inboxEffect(d.DeliveryID)}
}

func (w *countingWork) Policy(*store.Delivery) sdk.RetryPolicy {
	return sdk.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func (w *countingWork) Finished(queue.Job, *store.Delivery, queue.Result, error, time.Duration) {}

// waitReserve waits until Reserve takes a worker of r (once r is open,
// after its start-up rescue, and a worker is idle) and leaves it reserved.
func waitReserve(t *testing.T, r *queue.Runner[*store.Delivery]) {
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

func (w *blockingWork) Rows() store.QueueRows[*store.Delivery] { return store.DeliveryRows }

func (w *blockingWork) Run(ctx context.Context, job queue.Job, d *store.Delivery) queue.Outcome {
	w.started <- struct{}{}
	<-ctx.Done()
	return queue.Outcome{Err: ctx.Err()}
}

func (w *blockingWork) Policy(*store.Delivery) sdk.RetryPolicy { return sdk.RetryPolicy{} }

func (w *blockingWork) Finished(queue.Job, *store.Delivery, queue.Result, error, time.Duration) {}
