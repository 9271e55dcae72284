// Package pressure tells background work when the request path needs the
// processors. A webhook sender waits for its answer (GitHub gives up after
// ten seconds and marks the delivery failed), while a queued run that
// starts a little later loses nothing: when the CPU cannot keep up with
// both, answering comes first and the queue catches up when the load
// eases.
package pressure

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

const runnableMetric = "/sched/goroutines/runnable:goroutines"

// Gauge counts requests in flight. The zero value is ready to use; a nil
// *Gauge is never busy.
type Gauge struct {
	inflight atomic.Int64
	busyAt   atomic.Int64 // unix nanoseconds of the last busy reading
}

// Hold is how long the gauge stays busy after a busy reading. Run queues
// empty for an instant even under full load (while every request waits
// for the same commit, say); without it, background work would start a
// full batch in each such instant.
const Hold = 100 * time.Millisecond

// Enter records a request that started; call Leave when it is answered.
func (g *Gauge) Enter() {
	if g != nil {
		g.inflight.Add(1)
	}
}

// Leave records a request that was answered.
func (g *Gauge) Leave() {
	if g != nil {
		g.inflight.Add(-1)
	}
}

// Busy reports whether requests are in flight while more goroutines are
// ready to run than there are processors to run them (the CPU is the
// bottleneck, and work started now would delay the answers), or were
// within the last Hold.
func (g *Gauge) Busy() bool {
	if g == nil {
		return false
	}
	now := time.Now().UnixNano()
	if g.inflight.Load() > 0 && Runnable() >= runtime.GOMAXPROCS(0) {
		g.busyAt.Store(now)
		return true
	}
	return now-g.busyAt.Load() < int64(Hold)
}

var (
	runnableMu     sync.Mutex
	runnableSample = []metrics.Sample{{Name: runnableMetric}}
)

// Runnable returns the approximate number of goroutines ready to run but
// not running (the scheduler's run queues).
func Runnable() int {
	runnableMu.Lock()
	defer runnableMu.Unlock()
	metrics.Read(runnableSample)
	if runnableSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int(runnableSample[0].Value.Uint64())
}
