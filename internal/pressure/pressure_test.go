package pressure_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/pressure"
)

func TestGauge(t *testing.T) {
	var nilGauge *pressure.Gauge
	nilGauge.Enter()
	if nilGauge.Busy() {
		t.Error("a nil gauge is busy")
	}

	g := &pressure.Gauge{}
	// Keep every processor busy.
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < 4*runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				runtime.Gosched()
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()

	for i := 0; i < 50; i++ {
		if g.Busy() {
			t.Fatal("busy with no request in flight")
		}
	}
	g.Enter()
	deadline := time.Now().Add(5 * time.Second)
	for !g.Busy() {
		if time.Now().After(deadline) {
			t.Fatalf("not busy with a request in flight and %d goroutines spinning", 4*runtime.GOMAXPROCS(0))
		}
	}
	g.Leave()
	// A busy reading holds for a while, then lapses once nothing is in
	// flight.
	if !g.Busy() {
		t.Error("not busy right after a busy reading")
	}
	time.Sleep(pressure.Hold + 50*time.Millisecond)
	if g.Busy() {
		t.Error("still busy after the hold with nothing in flight")
	}
}
