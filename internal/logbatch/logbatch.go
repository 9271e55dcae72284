// Package logbatch writes log lines in batches. A busy server logs a few
// lines per request; written one by one, each is a system call (and, on a
// pipe to a log collector, a wake-up of the reader). A Writer hands the
// lines to a goroutine of its own, which writes everything logged since its
// last write at once: under load many lines per call, at light load each
// line within moments of being logged.
package logbatch

import (
	"io"
	"runtime"
	"sync"
)

// maxPending is how many bytes may wait for the writing goroutine before
// Write blocks until they are written: a log that cannot keep up slows the
// loggers down instead of growing without bound.
const maxPending = 1 << 20

// keepCap is the largest buffer kept for reuse after a write; a larger one,
// grown by a burst, is left to the garbage collector.
const keepCap = 64 << 10

// Writer batches writes to an underlying writer. It is safe for concurrent
// use. Each Write is kept whole and in order. Close writes what is left.
type Writer struct {
	out  io.Writer
	kick chan struct{} // a line is waiting; capacity 1
	done chan struct{} // closed when the writing goroutine has stopped

	mu      sync.Mutex
	written sync.Cond // signalled after each batch is taken
	pending []byte    // lines not yet taken by the writing goroutine
	spare   []byte    // the buffer of the last batch, for reuse
	closed  bool
}

// New returns a Writer that writes to out from a goroutine of its own,
// until Close.
func New(out io.Writer) *Writer {
	w := &Writer{out: out, kick: make(chan struct{}, 1), done: make(chan struct{})}
	w.written.L = &w.mu
	go w.run()
	return w
}

// Write queues p to be written and returns len(p). Errors of the
// underlying writer are not reported: there is nowhere to log them. After
// Close, Write writes to the underlying writer directly.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	for !w.closed && len(w.pending) > 0 && len(w.pending)+len(p) > maxPending {
		w.written.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		return w.out.Write(p)
	}
	if len(w.pending) == 0 {
		// Under the lock, so that Close cannot close the channel first.
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	w.pending = append(w.pending, p...)
	w.mu.Unlock()
	return len(p), nil
}

// run writes the pending lines each time Write signals some.
func (w *Writer) run() {
	defer close(w.done)
	for range w.kick {
		// Let the goroutines that are running log too: with one P, this
		// goroutine would otherwise run as soon as the first line wakes
		// it, and write that line alone.
		runtime.Gosched()
		w.mu.Lock()
		batch := w.pending
		w.pending = w.spare[:0]
		w.written.Broadcast()
		w.mu.Unlock()
		if len(batch) > 0 {
			w.out.Write(batch)
		}
		if cap(batch) > keepCap {
			batch = nil
		}
		w.mu.Lock()
		w.spare = batch[:0]
		w.mu.Unlock()
	}
}

// Close writes the lines still pending and stops the writing goroutine.
// Later writes go to the underlying writer directly.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.written.Broadcast()
	w.mu.Unlock()
	close(w.kick)
	<-w.done
	return nil
}
