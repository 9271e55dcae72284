package store

import (
	"os"
	"sync"
	"time"
)

// walWritebackEvery is the least time between two starts of the log's
// writeback. After every commit, the writes were smaller and cost more
// than they saved: ingest ran 3–12 % slower; every 30 ms it ran as fast
// as with none (bench/README.md, item 37).
const walWritebackEvery = 30 * time.Millisecond

// walWriteback starts writing the SQLite write-ahead log's new pages to
// disk as commits add them, without waiting for them. With
// synchronous=NORMAL a commit does not sync the log: the checkpoint does,
// before it copies the log into the database file. Left to that fsync,
// everything written since the last checkpoint went to disk inside it, and
// on one P the whole process stood still for as long, since a goroutine in
// a system call keeps its P until the runtime takes it back, up to 10 ms
// later. Started early, the writes overlap the work that follows, and the
// checkpoint's fsync finds them done. It is a hint to the kernel:
// durability is still the checkpoint's fsync.
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
