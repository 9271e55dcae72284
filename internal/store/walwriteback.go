package store

import (
	"os"
	"sync"
	"time"
)

// walWritebackEvery is the least time between two starts of the log's
// writeback: started after every commit, it cost more than it saved
// (bench/README.md, "WAL writeback").
const walWritebackEvery = 30 * time.Millisecond

// walWriteback starts writing the SQLite write-ahead log's new pages to
// disk as commits add them, without waiting for them, so that the
// checkpoint's fsync, which holds the process's processor while it waits,
// finds them done. A hint to the kernel: durability is still the
// checkpoint's fsync.
type walWriteback struct {
	mu   sync.Mutex // the group commit and bulk operations both commit
	path string
	f    *os.File  // opened at the first commit, when the log exists
	last time.Time // of the last start
}

// committed is called after each commit.
func (w *walWriteback) committed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if now.Sub(w.last) < walWritebackEvery {
		return
	}
	if w.f == nil {
		f, err := os.Open(w.path)
		if err != nil {
			return // no log yet; a later commit tries again
		}
		w.f = f
	}
	w.last = now
	startWriteback(int(w.f.Fd()))
}

func (w *walWriteback) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}
