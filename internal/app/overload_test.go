package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Under a load that saturates the server for longer than the grace,
// answering comes first but the queue keeps its share: deliveries are
// handled all along, at no less than a fifth of the end-to-end capacity,
// the rate at which deliveries could be both answered and handled
// (1 / (1/answered + 1/drained), from the answer rate under the load and
// the drain rate after it). The share is a quarter of the arrivals.
func TestQueueKeepsItsShareUnderOverload(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one processor, as the benchmark's server has
	b := setupWith(t, "queue: {busy_grace: 300ms}\n", t.TempDir())
	body := fixture(t, "push.json")
	sig := sign(body)
	done := func() int64 {
		c, err := b.app.Store().CountDeliveries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return c["done"]
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var sent, refused atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 48 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", b.url+githubHook, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GitHub-Event", "push")
				req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("flood-%d-%d", c, i))
				req.Header.Set("X-Hub-Signature-256", sig)
				resp, err := client.Do(req)
				if err != nil {
					refused.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					sent.Add(1)
				} else {
					refused.Add(1)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // the load settles
	d0, s0, t0 := done(), sent.Load(), time.Now()
	time.Sleep(3 * time.Second)
	d1, s1, t1 := done(), sent.Load(), time.Now()
	close(stop)
	wg.Wait()
	handled := float64(d1-d0) / t1.Sub(t0).Seconds()
	acked := float64(s1-s0) / t1.Sub(t0).Seconds()

	time.Sleep(200 * time.Millisecond) // the last requests are answered
	d2, t2 := done(), time.Now()
	time.Sleep(time.Second)
	d3, t3 := done(), time.Now()
	drained := float64(d3-d2) / t3.Sub(t2).Seconds()
	capacity := acked // no backlog was left: the queue kept up
	if d3 > d2 {
		capacity = 1 / (1/acked + 1/drained)
	}
	t.Logf("under load: %.0f answered/s, %.0f handled/s; after it: %.0f drained/s; end to end %.0f/s; %d refused",
		acked, handled, drained, capacity, refused.Load())
	if acked == 0 || handled < capacity/5 {
		t.Errorf("under load the queue handled %.0f/s, under a fifth of the %.0f/s end to end", handled, capacity)
	}
	b.waitIdle(t)
}
