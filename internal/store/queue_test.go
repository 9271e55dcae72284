package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// ctx is the context of the queue tests.
var ctx = context.Background()

func claimOne(t *testing.T, s *store.Store, owner string) *record.Delivery {
	t.Helper()
	ds, err := s.DeliveryQueue().Claim(ctx, owner, 1, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v %v", ds, err)
	}
	return ds[0]
}

// completion records the end of d's run by owner in state, with messages
// for a successful run.
func completion(d *record.Delivery, owner string, state record.State, texts ...string) *record.Completion {
	now := time.Now()
	c := &record.Completion{Attempt: d.Attempt(), Owner: owner, State: state, RunAt: now, FinishedAt: now, ResponseStatus: 200}
	if state == record.StatePending {
		c.FinishedAt = time.Time{}
	}
	for _, text := range texts {
		c.Messages = append(c.Messages, record.Message{ChatKey: "inbox-q", Plugin: "t.p", Text: text})
	}
	return c
}

func inboxTexts(t *testing.T, s *store.Store) []string {
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

// due makes a pending delivery runnable now.
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

// The deliveries and tasks tables as queues, on both databases: what a
// claim takes and leases, what a completion writes and when it is
// refused, rescues and releases.
func TestQueueConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Run("claim leases, completion writes the run's messages", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "a")
			got := claimOne(t, s, "w1")
			if a := got.Attempt(); a.ID != id || a.Number != 1 || a.Max != 3 {
				t.Fatalf("attempt = %+v", a)
			}
			if ds, _ := s.DeliveryQueue().Claim(ctx, "w2", 10, time.Minute); len(ds) != 0 {
				t.Fatalf("a claimed row was claimed again: %v", ds)
			}
			if err := s.DeliveryQueue().Complete(ctx, completion(got, "w1", record.StateDone, "hello")); err != nil {
				t.Fatal(err)
			}
			stored, _ := s.Delivery(ctx, id)
			if stored.State != record.StateDone || stored.ResponseStatus != 200 || stored.FinishedAt.IsZero() || stored.StartedAt.IsZero() {
				t.Errorf("delivery = %+v", stored)
			}
			if m := inboxTexts(t, s); len(m) != 1 || m[0] != "hello" {
				t.Errorf("messages = %v", m)
			}
		})

		t.Run("dedupe by delivery id", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "dup")
			again, res, err := s.InsertDelivery(ctx, storetest.QueuedDelivery("dup"), "", time.Time{})
			if err != nil || res != record.Duplicate || again != id {
				t.Fatalf("second insert: %d %v %v, want duplicate of %d", again, res, err, id)
			}
			other := storetest.QueuedDelivery("dup")
			other.Endpoint = "/other"
			if _, res, _ := s.InsertDelivery(ctx, other, "", time.Time{}); res != record.Stored {
				t.Errorf("same id on another endpoint: %v", res)
			}
			for range 2 {
				if _, res, _ := s.InsertDelivery(ctx, storetest.QueuedDelivery(""), "", time.Time{}); res != record.Stored {
					t.Errorf("no id: %v", res)
				}
			}
		})

		t.Run("a retry waits for its time; a failed run writes nothing", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "r")
			c := completion(claimOne(t, s, "w"), "w", record.StatePending, "never")
			c.State, c.RunAt, c.LastError, c.Messages = record.StatePending, time.Now().Add(time.Hour), "boom", nil
			if err := s.DeliveryQueue().Complete(ctx, c); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Delivery(ctx, id)
			if got.State != record.StatePending || got.Attempts != 1 || got.LastError != "boom" || time.Until(got.RunAt) < 50*time.Minute {
				t.Fatalf("after a failure: %+v", got)
			}
			if ds, _ := s.DeliveryQueue().Claim(ctx, "w", 10, time.Minute); len(ds) != 0 {
				t.Fatal("claimed before its run_at")
			}
			due(t, s, id)
			again := claimOne(t, s, "w")
			if again.Attempt().Number != 2 {
				t.Fatalf("attempt = %d, want 2", again.Attempt().Number)
			}
			dead := completion(again, "w", record.StateDead, "also never")
			dead.LastError = "boom"
			if err := s.DeliveryQueue().Complete(ctx, dead); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Delivery(ctx, id); got.State != record.StateDead || len(inboxTexts(t, s)) != 0 {
				t.Fatalf("dead letter = %+v, messages %v", got, inboxTexts(t, s))
			}
			if n, err := s.RetryDead(ctx, record.DeliveryFilter{}); err != nil || n != 1 {
				t.Fatalf("retry dead: %d %v", n, err)
			}
			if a := claimOne(t, s, "w").Attempt(); a.Number != 1 {
				t.Errorf("retried dead letter starts at attempt %d", a.Number)
			}
		})

		t.Run("a snooze gives its attempt back", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "s")
			c := completion(claimOne(t, s, "w"), "w", record.StatePending)
			c.RunAt, c.AttemptsDelta = time.Now().Add(time.Hour), -1
			if err := s.DeliveryQueue().Complete(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Delivery(ctx, id); got.State != record.StatePending || got.Attempts != 0 || time.Until(got.RunAt) < 50*time.Minute {
				t.Errorf("snoozed = %+v", got)
			}
		})

		t.Run("lease lost drops the outcome", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "l")
			ds, _ := s.DeliveryQueue().Claim(ctx, "crashed", 1, time.Millisecond)
			time.Sleep(5 * time.Millisecond)
			if n, err := s.DeliveryQueue().Rescue(ctx, time.Now(), ""); err != nil || n != 1 {
				t.Fatalf("rescue: %d %v", n, err)
			}
			got := claimOne(t, s, "rescuer")
			if a := got.Attempt(); a.ID != id || a.Number != 2 {
				t.Fatalf("rescued attempt = %+v", a)
			}
			err := s.DeliveryQueue().Complete(ctx, completion(ds[0], "crashed", record.StateDone, "late"))
			if !errors.Is(err, record.ErrLeaseLost) {
				t.Fatalf("late completion: %v", err)
			}
			if err := s.DeliveryQueue().Complete(ctx, completion(got, "rescuer", record.StateDone, "once")); err != nil {
				t.Fatal(err)
			}
			if m := inboxTexts(t, s); len(m) != 1 || m[0] != "once" {
				t.Errorf("messages = %v", m)
			}
		})

		t.Run("a lost lease fails only its own completion", func(t *testing.T) {
			s := storetest.Open(t, d)
			for _, id := range []string{"g1", "g2", "g3", "lost"} {
				storetest.InsertQueued(t, s, id)
			}
			q := s.DeliveryQueue()
			ds, _ := q.Claim(ctx, "w", 4, time.Minute)
			if len(ds) != 4 {
				t.Fatalf("claimed %v", ds)
			}
			stale := ds[3]
			if n, err := q.Release(ctx, "w"); err != nil || n != 4 {
				t.Fatalf("release: %d %v", n, err)
			}
			// Another worker holds them now; "w" gets back all but the last.
			taken, _ := q.Claim(ctx, "other", 4, time.Minute)
			for _, got := range taken[:3] {
				if err := q.Complete(ctx, completion(got, "other", record.StateDone)); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range []string{"h1", "h2", "h3"} {
				storetest.InsertQueued(t, s, id)
			}
			mine, _ := q.Claim(ctx, "w", 3, time.Minute)
			// Complete all four at once, so that they can share a commit.
			errs := make([]error, 4)
			var wg sync.WaitGroup
			for i, got := range append(mine, stale) {
				wg.Go(func() { errs[i] = q.Complete(ctx, completion(got, "w", record.StateDone, fmt.Sprint("m", i))) })
			}
			wg.Wait()
			for i, err := range errs[:3] {
				if err != nil {
					t.Errorf("completion %d: %v", i, err)
				}
			}
			if !errors.Is(errs[3], record.ErrLeaseLost) {
				t.Errorf("stale completion: %v", errs[3])
			}
			if m := inboxTexts(t, s); len(m) != 3 {
				t.Errorf("messages = %v, want m0 m1 m2", m)
			}
		})

		t.Run("effects that need a result still commit with the run", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "e")
			// A message with an attachment and a task both read what they
			// wrote: on PostgreSQL the completion cannot be a pipeline and
			// runs in a transaction.
			c := completion(claimOne(t, s, "w"), "w", record.StateDone)
			c.Messages = []record.Message{{ChatKey: "inbox-q", Plugin: "t.p", Text: "with file",
				Attachments: []record.Attachment{{Name: "a.txt", ContentType: "text/plain", Data: []byte("hi")}}}}
			tid, err := s.ReserveTaskID(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c.Tasks = []record.NewTask{{ID: tid, Plugin: "t.p", Kind: "follow-up", Args: []byte(`{}`), MaxAttempts: 1, Delivery: id}}
			if err := s.DeliveryQueue().Complete(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Delivery(ctx, id); got.State != record.StateDone {
				t.Errorf("delivery state = %s", got.State)
			}
			if got, err := s.Task(ctx, tid); err != nil || got.Kind != "follow-up" || got.Delivery != id {
				t.Errorf("task %d: %+v %v", tid, got, err)
			}
			ms, _ := s.InboxMessages(ctx, "inbox-q", 0, 10)
			if len(ms) != 1 || ms[0].Text != "with file" || len(ms[0].Attachments) != 1 || ms[0].Attachments[0].Size != 2 {
				t.Errorf("messages = %+v", ms)
			}
		})

		t.Run("release keeps the attempt", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "x")
			claimOne(t, s, "me")
			if n, err := s.DeliveryQueue().Release(ctx, "me"); err != nil || n != 1 {
				t.Fatalf("release: %d %v", n, err)
			}
			if got, _ := s.Delivery(ctx, id); got.State != record.StatePending || got.Attempts != 0 {
				t.Errorf("released = %+v", got)
			}
		})

		t.Run("concurrent claimers never share a row", func(t *testing.T) {
			s := storetest.Open(t, d)
			const n = 300
			for i := 0; i < n; i++ {
				storetest.InsertQueued(t, s, fmt.Sprint("c", i))
			}
			var mu sync.Mutex
			seen := map[int64]string{}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				owner := fmt.Sprint("w", w)
				wg.Go(func() {
					for {
						ds, err := s.DeliveryQueue().Claim(ctx, owner, 7, time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, got := range ds {
							if prev, dup := seen[got.ID]; dup {
								t.Errorf("row %d claimed by %s and %s", got.ID, prev, owner)
							}
							seen[got.ID] = owner
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(seen) != n {
				t.Errorf("claimed %d rows, want %d", len(seen), n)
			}
		})

		t.Run("replay links to the original", func(t *testing.T) {
			s := storetest.Open(t, d)
			id := storetest.InsertQueued(t, s, "orig")
			ids, _, err := s.ReplayDeliveries(ctx, record.DeliveryFilter{ID: id})
			if err != nil || len(ids) != 1 {
				t.Fatalf("replay: %v %v", ids, err)
			}
			r, _ := s.Delivery(ctx, ids[0])
			if r.ReplayOf != id || r.State != record.StatePending || r.DeliveryID != "orig" || string(r.Body) != `{"n":1}` || r.Header.Get("X-Event") != "push" {
				t.Errorf("replay = %+v", r)
			}
			if byID, _ := s.Deliveries(ctx, record.DeliveryFilter{DeliveryID: "orig"}); len(byID) != 2 {
				t.Errorf("filter by delivery id found %d", len(byID))
			}
		})

		t.Run("claimed rows are read whole", func(t *testing.T) {
			s := storetest.Open(t, d)
			want := storetest.QueuedDelivery("whole")
			id := storetest.InsertQueued(t, s, "whole")
			got := claimOne(t, s, "w")
			if got.Attempt() != (record.Attempt{ID: id, Number: 1, Max: 3}) || got.State != record.StateRunning ||
				got.Plugin != want.Plugin || got.Endpoint != want.Endpoint || got.DeliveryID != "whole" ||
				string(got.Body) != string(want.Body) || got.Header.Get("X-Event") != "push" || got.StartedAt.IsZero() {
				t.Errorf("claimed delivery = %+v", got)
			}
			tid, _, err := s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{"n":7}`), UniqueKey: "u", MaxAttempts: 4})
			if err != nil {
				t.Fatal(err)
			}
			ts, err := s.TaskQueue().Claim(ctx, "w", 4, time.Minute)
			if err != nil || len(ts) != 1 {
				t.Fatalf("claim tasks: %v %v", ts, err)
			}
			task := ts[0]
			if task.Attempt() != (record.Attempt{ID: tid, Number: 1, Max: 4}) || task.Kind != "k" || string(task.Args) != `{"n":7}` ||
				task.UniqueKey != "u" || task.State != record.StateRunning {
				t.Errorf("claimed task = %+v", task)
			}
		})

		t.Run("unique tasks", func(t *testing.T) {
			s := storetest.Open(t, d)
			nt := record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), UniqueKey: "u", MaxAttempts: 2}
			a, existed, err := s.Enqueue(ctx, nt)
			if err != nil || existed {
				t.Fatal(existed, err)
			}
			b, existed, err := s.Enqueue(ctx, nt)
			if err != nil || !existed || b != a {
				t.Fatalf("second unique enqueue: %d %v %v", b, existed, err)
			}
			if id, found, err := s.PendingTask(ctx, "t.p", "k", "u"); err != nil || !found || id != a {
				t.Fatalf("PendingTask = %d %v %v, want %d", id, found, err, a)
			}
			ts, _ := s.TaskQueue().Claim(ctx, "w", 5, time.Minute)
			if len(ts) != 1 {
				t.Fatalf("claimed %d tasks", len(ts))
			}
			now := time.Now()
			if err := s.TaskQueue().Complete(ctx, &record.Completion{Attempt: ts[0].Attempt(), Owner: "w", State: record.StateDone, RunAt: now, FinishedAt: now}); err != nil {
				t.Fatal(err)
			}
			if _, found, _ := s.PendingTask(ctx, "t.p", "k", "u"); found {
				t.Error("PendingTask found a finished task")
			}
			c, existed, _ := s.Enqueue(ctx, nt)
			if existed || c == a {
				t.Error("a finished task blocked a new one with its key")
			}
			if got, _ := s.CancelTask(ctx, "t.p", c); got != record.Cancelled {
				t.Errorf("cancel of a pending task: %v", got)
			}
			if ts, _ := s.TaskQueue().Claim(ctx, "w", 5, time.Minute); len(ts) != 0 {
				t.Error("a cancelled task was claimed")
			}
		})

		t.Run("reserved task ids are unique and used", func(t *testing.T) {
			s := storetest.Open(t, d)
			r1, err1 := s.ReserveTaskID(ctx)
			plain, _, err2 := s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1})
			r2, err3 := s.ReserveTaskID(ctx)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			if r1 == plain || r2 == plain || r1 == r2 {
				t.Fatalf("ids %d, %d (reserved) and %d (enqueued) collide", r1, r2, plain)
			}
			got, _, err := s.Enqueue(ctx, record.NewTask{ID: r2, Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1})
			if err != nil || got != r2 {
				t.Fatalf("enqueue with reserved id %d = %d, %v", r2, got, err)
			}
		})

		t.Run("delayed task waits for its time", func(t *testing.T) {
			s := storetest.Open(t, d)
			s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1, RunAt: time.Now().Add(time.Hour)})
			now, _, _ := s.Enqueue(ctx, record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1})
			ts, _ := s.TaskQueue().Claim(ctx, "w", 5, time.Minute)
			if len(ts) != 1 || ts[0].ID != now {
				t.Fatalf("claimed %v, want only task %d", ts, now)
			}
		})

		t.Run("prune keeps failed work longer", func(t *testing.T) {
			s := storetest.Open(t, d)
			done, dead, pending := storetest.InsertQueued(t, s, "done"), storetest.InsertQueued(t, s, "dead"), storetest.InsertQueued(t, s, "pending")
			for _, id := range []int64{done, dead} {
				due(t, s, id) // claimed first
			}
			ds, _ := s.DeliveryQueue().Claim(ctx, "w", 2, time.Minute)
			for _, got := range ds {
				state := record.StateDone
				if got.ID == dead {
					state = record.StateDead
				}
				if err := s.DeliveryQueue().Complete(ctx, completion(got, "w", state)); err != nil {
					t.Fatal(err)
				}
			}
			future := time.Now().Add(time.Minute)
			n, err := s.PruneDeliveries(ctx, future, time.Now().Add(-time.Hour))
			if err != nil || n != 1 {
				t.Fatalf("prune: %d %v, want the done delivery only", n, err)
			}
			if _, err := s.Delivery(ctx, done); !errors.Is(err, record.ErrNotFound) {
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
			if _, res, _ := s.InsertDelivery(ctx, storetest.QueuedDelivery("done"), "", time.Time{}); res != record.Stored {
				t.Errorf("after pruning, the id is still a duplicate")
			}
		})
	})
}

// OldestDue says how long the oldest due pending row has waited; rows
// not yet due and running ones do not count.
func TestOldestDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		q := s.DeliveryQueue()
		if age, err := q.OldestDue(ctx); err != nil || age != 0 {
			t.Fatalf("empty queue: %v, %v", age, err)
		}
		a := storetest.InsertQueued(t, s, "old")
		storetest.InsertQueued(t, s, "new")
		err := s.Do(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE deliveries SET run_at = ? WHERE id = ?`, time.Now().Add(-time.Minute).UnixMicro(), a)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if age, err := q.OldestDue(ctx); err != nil || age < time.Minute || age > 2*time.Minute {
			t.Fatalf("a row due a minute ago: %v, %v", age, err)
		}
		claimOne(t, s, "w") // the old one, running now
		if age, err := q.OldestDue(ctx); err != nil || age > 30*time.Second {
			t.Fatalf("with the old one running: %v, %v; want the new one's few ms", age, err)
		}
	})
}

// A process that starts again under its owner rescues what it held, lease
// or not, and no other owner's rows; Release keeps the rows it is told
// are running.
func TestRescueAndReleaseByOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		q := s.DeliveryQueue()
		for _, id := range []string{"m1", "m2", "o1"} {
			storetest.InsertQueued(t, s, id)
		}
		mine, _ := q.Claim(ctx, "me", 2, time.Hour)
		theirs, _ := q.Claim(ctx, "other", 1, time.Hour)
		inline := &record.Delivery{Plugin: "t.p", Endpoint: "/i", Mode: record.ModeInline, Method: "POST", Path: "/", MaxAttempts: 1, DeliveryID: "i"}
		iid, _, err := s.InsertDelivery(ctx, inline, "me", time.Now().Add(time.Hour))
		if err != nil || len(mine) != 2 || len(theirs) != 1 {
			t.Fatal(mine, theirs, err)
		}
		if n, err := q.Release(ctx, "me", mine[0].ID); err != nil || n != 1 {
			t.Fatalf("release keeping one: %d, %v; want the other one", n, err)
		}
		if n, err := q.Rescue(ctx, time.Unix(1<<40, 0), "me"); err != nil || n != 1 {
			t.Fatalf("rescue of my leases: %d, %v; want the one still running", n, err)
		}
		for _, c := range []struct {
			id    int64
			state record.State
		}{{mine[0].ID, record.StatePending}, {mine[1].ID, record.StatePending}, {theirs[0].ID, record.StateRunning}, {iid, record.StateFailed}} {
			if got, _ := s.Delivery(ctx, c.id); got.State != c.state {
				t.Errorf("delivery %d: %s, want %s", c.id, got.State, c.state)
			}
		}
	})
}

// Cancelling a task: a pending one at once, a running one marked for its
// runner (CancelRequested finds it), a finished or another plugin's or
// missing one not at all.
func TestCancelTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		nt := record.NewTask{Plugin: "t.p", Kind: "k", Args: []byte(`{}`), MaxAttempts: 1}
		running, _, _ := s.Enqueue(ctx, nt)
		if ts, _ := s.TaskQueue().Claim(ctx, "w", 1, time.Minute); len(ts) != 1 {
			t.Fatal("claim")
		}
		pending, _, _ := s.Enqueue(ctx, nt)
		for _, c := range []struct {
			plugin string
			id     int64
			want   record.Cancel
		}{
			{"other.p", running, record.CancelNotFound},
			{"t.p", 999999, record.CancelNotFound},
			{"t.p", running, record.CancelRequested},
			{"", pending, record.Cancelled},
			{"t.p", pending, record.CancelFinished},
		} {
			if got, err := s.CancelTask(ctx, c.plugin, c.id); err != nil || got != c.want {
				t.Errorf("cancel %s %d: %v, %v; want %v", c.plugin, c.id, got, err, c.want)
			}
		}
		if ids, err := s.TaskQueue().CancelRequested(ctx, "w"); err != nil || len(ids) != 1 || ids[0] != running {
			t.Errorf("CancelRequested = %v, %v; want [%d]", ids, err, running)
		}
		if ids, _ := s.TaskQueue().CancelRequested(ctx, "another owner"); len(ids) != 0 {
			t.Errorf("another owner's CancelRequested = %v", ids)
		}
	})
}

// Inbox messages older than the cutoff go, with their files.
func TestPruneMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		old, err := s.AddInboxMessage(ctx, record.Message{ChatKey: "inbox-p", Plugin: "t.p", Text: "old",
			Attachments: []record.Attachment{{Name: "a.txt", ContentType: "text/plain", Data: []byte("x")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddInboxMessage(ctx, record.Message{ChatKey: "inbox-p", Plugin: "t.p", Text: "new"}); err != nil {
			t.Fatal(err)
		}
		err = s.Do(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE inbox_messages SET created_at = ? WHERE id = ?`, time.Now().Add(-48*time.Hour).UnixMicro(), old)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.PruneMessages(ctx, time.Now().Add(-24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("PruneMessages = %d, %v; want the old one", n, err)
		}
		if ms, _ := s.InboxMessages(ctx, "inbox-p", 0, 10); len(ms) != 1 || ms[0].Text != "new" {
			t.Errorf("left: %+v", ms)
		}
		if _, err := s.InboxFile(ctx, old, 0); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("the old message's file: %v; want it gone", err)
		}
	})
}

// A write whose own caller's deadline passes while its transaction runs
// fails alone: the store stays up for every other write.
func TestCallerDeadlineDoesNotTakeTheStoreDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		err := s.Do(short, func(tx *store.Tx) error {
			<-short.Done()
			_, err := tx.Exec(short, `UPDATE deliveries SET state = state WHERE id = 0`)
			return err
		})
		if err == nil || errors.Is(err, record.ErrUnavailable) {
			t.Fatalf("the late write: %v; want its own deadline's error", err)
		}
		if !s.Up() {
			t.Fatal("a caller's deadline took the store down")
		}
		storetest.InsertQueued(t, s, "after")
	})
}
