package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// TestScaleOutPostgres runs three `serve` processes on one PostgreSQL
// schema, spreads signed deliveries round-robin across them, redelivers
// some to another replica than the one that acknowledged them, sends others
// to two replicas at once, SIGKILLs one replica mid-run, and checks that
// the others handle every delivery exactly once (the dead replica's claims
// are taken over when their lease expires).
func TestScaleOutPostgres(t *testing.T) {
	dbURL := storetest.NewPostgresSchema(t)
	dir := t.TempDir()
	const chat = "inbox-group_scale"
	loadConfig(t, dir, chat)
	env := []string{"TEST_GH_SECRET=" + loadSecret}
	began := time.Now()

	// Started together: they migrate the fresh schema at the same time.
	const replicas, victim = 3, 2
	procs := make([]*proc, replicas)
	bases := make([]string, replicas)
	for i := range replicas {
		addr := freePort(t)
		bases[i] = "http://" + addr
		procs[i] = start(t, dir, env, "--listen", addr, "--database", dbURL, "--data", filepath.Join(dir, fmt.Sprintf("data%d", i)))
	}
	for i := range replicas {
		waitHealthy(t, procs[i], bases[i])
	}
	t.Logf("%d replicas healthy at %v", replicas, time.Since(began).Round(time.Millisecond))

	// Every fourth delivery is sent again, once acknowledged, to another
	// replica: it must answer duplicate with the same delivery.
	var redeliveries sync.Map // id -> answer
	load := newHookLoad(t, "scale", 2000, 15*time.Millisecond, bases...)
	load.redeliver = func(l *hookLoad, n int, id string, first loadAnswer) {
		if n%4 != 0 {
			return
		}
		for attempt := 1; l.giveUp.Err() == nil; attempt++ {
			replica := (first.Replica + 1 + attempt%2) % replicas // never the one that acknowledged it
			a, err := l.send(replica, id)
			if err != nil || a.Status >= 500 {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if a.Status != http.StatusOK || a.State != "duplicate" || a.DeliveryID != first.DeliveryID {
				l.problem("redelivery of %s to replica %d (first acknowledged by replica %d as row %s): %d %s, want 200 duplicate of row %s",
					id, replica, first.Replica, first.DeliveryID, a.Status, a.Body, first.DeliveryID)
			}
			redeliveries.Store(id, a)
			return
		}
	}
	load.start(6)

	// Meanwhile pairs of senders race the same new delivery id to the two
	// replicas that stay up: exactly one is accepted, the other is a
	// duplicate of the same delivery.
	const pairs = 100
	pairAcked := map[string]loadAnswer{}
	var pairProblems []string
	pairsDone := make(chan struct{})
	go func() {
		defer close(pairsDone)
		for i := range pairs {
			if load.giveUp.Err() != nil {
				return
			}
			id := fmt.Sprintf("scale-pair-%03d", i)
			var answers [2]loadAnswer
			var errs [2]error
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for r := range 2 {
				wg.Go(func() {
					<-gate
					answers[r], errs[r] = load.send(r, id)
				})
			}
			close(gate)
			wg.Wait()
			// A send that got no answer is sent again; its first try may
			// have been stored, so then only the delivery is checked.
			retried := false
			for r := range 2 {
				for errs[r] != nil || answers[r].Status >= 500 {
					if load.giveUp.Err() != nil {
						return
					}
					retried = true
					time.Sleep(20 * time.Millisecond)
					answers[r], errs[r] = load.send(r, id)
				}
			}
			a, b := answers[0], answers[1]
			if b.State == "accepted" {
				a, b = b, a
			}
			if a.Status/100 != 2 || b.Status/100 != 2 || a.DeliveryID == "" || a.DeliveryID != b.DeliveryID ||
				(!retried && (a.Status != http.StatusAccepted || a.State != "accepted" || b.Status != http.StatusOK || b.State != "duplicate")) {
				pairProblems = append(pairProblems, fmt.Sprintf("pair %s: answers %d %s and %d %s, want one 202 accepted and one 200 duplicate of the same delivery", id, answers[0].Status, answers[0].Body, answers[1].Status, answers[1].Body))
			}
			pairAcked[id] = a
			time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond)
		}
	}()

	// Kill the victim while it holds claims, so that the survivors must
	// rescue them. To know its claims: freeze the survivors (SIGSTOP) and
	// note the running deliveries, give the victim a burst of deliveries
	// (it is told of them at once and is now the only one claiming), then
	// freeze it too. Deliveries running now that were not before can only
	// have been claimed by the victim. If there are none, thaw everyone
	// and try again a little later. Each freeze lasts well under the 3s
	// lease.
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	signal := func(sig syscall.Signal, ps ...*proc) {
		t.Helper()
		for _, p := range ps {
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatalf("%v: %v", sig, err)
			}
		}
	}
	survivors := []*proc{procs[0], procs[1]}
	sleepRandom(1000*time.Millisecond, 2000*time.Millisecond)
	var held map[int64]string
	for try := 1; try <= 10 && len(held) == 0; try++ {
		signal(syscall.SIGSTOP, survivors...)
		time.Sleep(200 * time.Millisecond)
		before := runningDeliveries(t, db)
		var burst sync.WaitGroup
		for k := range 40 {
			burst.Go(func() { load.extra(fmt.Sprintf("scale-burst%d-%02d", try, k), victim) })
		}
		burst.Wait()
		signal(syscall.SIGSTOP, procs[victim])
		time.Sleep(200 * time.Millisecond)
		held = map[int64]string{}
		owners := map[string]bool{}
		for id, owner := range runningDeliveries(t, db) {
			if _, ok := before[id]; !ok {
				held[id] = owner
				owners[owner] = true
			}
		}
		signal(syscall.SIGCONT, survivors...)
		if len(owners) > 1 {
			t.Errorf("deliveries claimed while only replica %d ran have %d lease owners: %v", victim, len(owners), held)
		}
		if len(held) == 0 {
			signal(syscall.SIGCONT, procs[victim])
			sleepRandom(100*time.Millisecond, 400*time.Millisecond)
		}
	}
	kill9(t, procs[victim])
	t.Logf("SIGKILL of replica %d at %v, holding %d claims: %s", victim, time.Since(began).Round(time.Millisecond), len(held), load.summary())
	if len(held) == 0 {
		t.Logf("replica %d was never caught holding a claim; its rescue is not exercised this time", victim)
	}

	if !load.waitDone(60 * time.Second) {
		t.Errorf("load did not finish within 60s: %s", load.summary())
	}
	<-pairsDone
	t.Logf("load done at %v: %s", time.Since(began).Round(time.Millisecond), load.summary())
	acked := load.ackedIDs()
	for _, p := range pairProblems {
		t.Error(p)
	}
	numbered := 0
	for i := range load.total {
		if _, ok := acked[load.id(i)]; ok {
			numbered++
		}
	}
	if numbered != load.total {
		t.Errorf("%d of %d deliveries acknowledged", numbered, load.total)
	}
	nRedelivered := 0
	redeliveries.Range(func(_, _ any) bool { nRedelivered++; return true })
	if want := (load.total + 3) / 4; nRedelivered != want {
		t.Errorf("%d redeliveries answered, want %d", nRedelivered, want)
	}
	if len(pairAcked) != pairs {
		t.Errorf("%d of %d raced pairs acknowledged", len(pairAcked), pairs)
	}
	for id, a := range pairAcked {
		acked[id] = a
	}

	depth := waitQueueIdle(t, bases[0], 30*time.Second)
	checkExactlyOnce(t, bases[1], chat, acked, depth)
	// The killed replica's claims were taken over: run again by a survivor.
	for id := range held {
		var d loadDelivery
		if err := adminGet(bases[0], fmt.Sprintf("/api/admin/deliveries/%d", id), &d); err != nil {
			t.Fatal(err)
		}
		if d.State != "done" || d.Attempts < 2 {
			t.Errorf("delivery row %d, claimed by the killed replica: state %s after %d attempts, want done after a second attempt", id, d.State, d.Attempts)
		}
	}
	rescued := logCount(survivors, "rescued runs whose worker stopped")
	if rescued < len(held) {
		t.Errorf("the survivors logged %d rescued runs, want at least the %d claims of the killed replica", rescued, len(held))
	}
	logIfPassed(t, "checked at %v: %d deliveries (%d redelivered to another replica, %d raced to two) handled exactly once, queue %v; runs rescued: %d",
		time.Since(began).Round(time.Millisecond), len(acked), nRedelivered, pairs, depth, rescued)
}

// runningDeliveries returns the running deliveries and their lease owners.
func runningDeliveries(t *testing.T, db *sql.DB) map[int64]string {
	t.Helper()
	rows, err := db.Query(`SELECT id, lease_owner FROM deliveries WHERE state = 'running'`)
	if err != nil {
		t.Fatalf("reading running deliveries: %v", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var owner string
		if err := rows.Scan(&id, &owner); err != nil {
			t.Fatal(err)
		}
		out[id] = owner
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
