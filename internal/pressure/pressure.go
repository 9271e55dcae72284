// Package pressure tells background work when the request path needs the
// processors. A webhook sender waits for its answer (GitHub gives up after
// ten seconds and marks the delivery failed), while a queued run that
// starts a little later loses nothing: when the CPU cannot keep up with
// both, answering comes first and the queue catches up when the load
// eases.
package pressure

import (
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Saturation is judged from the CPU time the process used over the last
// window against what its processors (GOMAXPROCS) could give it.
const (
	// SaturatedPercent is the share of the processors' time from which
	// the process counts as saturated.
	SaturatedPercent = 90
	// window is the least time between two readings.
	window = 50 * time.Millisecond
)

// cpuTime returns the CPU time the process has used; tests replace it.
var cpuTime = processCPUTime

// Hold is how long the gauge stays busy after a busy reading, so that
// background work does not start a full batch in each lull of a heavy
// load.
const Hold = 100 * time.Millisecond

// Gauge counts requests in flight and watches the process's CPU time. The
// zero value is ready to use; a nil *Gauge is never busy.
type Gauge struct {
	inflight atomic.Int64
	busyAt   atomic.Int64 // unix nanoseconds of the last busy reading

	mu        sync.Mutex
	readAt    time.Time
	cpuAt     time.Duration
	saturated bool
}

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

// Busy reports whether requests are in flight while the process uses its
// processors to the full (work started now would delay the answers), or
// did within the last Hold.
func (g *Gauge) Busy() bool {
	if g == nil {
		return false
	}
	now := time.Now()
	if g.inflight.Load() > 0 && g.saturatedAt(now) {
		g.busyAt.Store(now.UnixNano())
		return true
	}
	return now.UnixNano()-g.busyAt.Load() < int64(Hold)
}

// saturatedAt reports whether, over the last window, the process used at
// least SaturatedPercent of its processors' time.
func (g *Gauge) saturatedAt(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	elapsed := now.Sub(g.readAt)
	if elapsed < window {
		return g.saturated
	}
	cpu := cpuTime()
	if !g.readAt.IsZero() {
		used := cpu - g.cpuAt
		g.saturated = used*100 >= elapsed*time.Duration(runtime.GOMAXPROCS(0))*SaturatedPercent
	}
	g.readAt, g.cpuAt = now, cpu
	return g.saturated
}

// Track returns a handler that counts the requests to next whose path
// starts with prefix as in flight while next serves them.
func (g *Gauge) Track(prefix string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, prefix) {
			g.Enter()
			defer g.Leave()
		}
		next.ServeHTTP(w, r)
	})
}
