package pressure

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestGauge(t *testing.T) {
	var nilGauge *Gauge
	nilGauge.Enter()
	if nilGauge.Busy() {
		t.Error("a nil gauge is busy")
	}

	// A fake CPU clock: the process uses share percent of its processors.
	var mu sync.Mutex
	share, used, last := 0, time.Duration(0), time.Now()
	cpuTime = func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		used += now.Sub(last) * time.Duration(runtime.GOMAXPROCS(0)*share) / 100
		last = now
		return used
	}
	defer func() { cpuTime = processCPUTime }()
	setShare := func(p int) { mu.Lock(); share = p; mu.Unlock() }

	g := &Gauge{}
	setShare(100)
	for deadline := time.Now().Add(3 * window); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if g.Busy() {
			t.Fatal("busy with no request in flight")
		}
	}
	g.Enter()
	setShare(50)
	for deadline := time.Now().Add(3 * window); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if g.Busy() {
			t.Fatal("busy with the processors half used")
		}
	}
	setShare(100)
	deadline := time.Now().Add(3 * window)
	for !g.Busy() {
		if time.Now().After(deadline) {
			t.Fatal("not busy with a request in flight and the processors fully used")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A busy reading holds for a while, then lapses once nothing is in
	// flight.
	g.Leave()
	if !g.Busy() {
		t.Error("not busy right after a busy reading")
	}
	time.Sleep(Hold + 20*time.Millisecond)
	if g.Busy() {
		t.Error("still busy after the hold with nothing in flight")
	}
}

// The real clock advances with the work the process does.
func TestProcessCPUTime(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("CPU time not measured here")
	}
	before := processCPUTime()
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if after := processCPUTime(); after-before < 10*time.Millisecond {
		t.Errorf("CPU time advanced %v over 50 ms of spinning (%d loops)", after-before, x)
	}
}
