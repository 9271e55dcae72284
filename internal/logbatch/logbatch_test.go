package logbatch

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an underlying writer that counts its calls and can be held:
// while held, Write blocks.
type recorder struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	calls int
	hold  sync.RWMutex
}

func (r *recorder) Write(p []byte) (int, error) {
	r.hold.RLock()
	defer r.hold.RUnlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return r.buf.Write(p)
}

func (r *recorder) state() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String(), r.calls
}

// waitFor polls until the recorder holds want or a second has passed.
func waitFor(t *testing.T, r *recorder, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		got, _ := r.state()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("output is %q, want %q", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLineIsWrittenWithoutClose(t *testing.T) {
	rec := &recorder{}
	w := New(rec)
	defer w.Close()
	fmt.Fprintln(w, "level=INFO msg=one")
	waitFor(t, rec, "level=INFO msg=one\n")
	fmt.Fprintln(w, "level=INFO msg=two")
	waitFor(t, rec, "level=INFO msg=one\nlevel=INFO msg=two\n")
}

func TestLinesLoggedDuringAWriteGoOutTogether(t *testing.T) {
	rec := &recorder{}
	w := New(rec)
	defer w.Close()
	rec.hold.Lock() // the log's destination is slow
	fmt.Fprintln(w, "line 0")
	var want strings.Builder
	want.WriteString("line 0\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(w, "line %d\n", i)
		fmt.Fprintf(&want, "line %d\n", i)
	}
	rec.hold.Unlock()
	waitFor(t, rec, want.String())
	if _, calls := rec.state(); calls > 2 {
		t.Errorf("101 lines took %d writes, want at most 2 (the first line's, then the rest)", calls)
	}
}

func TestConcurrentLinesStayWholeAndInOrder(t *testing.T) {
	rec := &recorder{}
	w := New(rec)
	const writers, lines = 8, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "g=%d i=%d %s\n", g, i, strings.Repeat("x", i%97))
			}
		})
	}
	wg.Wait()
	w.Close()
	out, _ := rec.state()
	next := make([]int, writers)
	n := 0
	for line := range strings.Lines(out) {
		var g, i int
		head, pad, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " x")
		if _, err := fmt.Sscanf(head, "g=%d i=%d", &g, &i); err != nil || !strings.HasSuffix(line, "\n") {
			t.Fatalf("line %q is not whole", line)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d came where %d was due", g, i, next[g])
		}
		if want := max(i%97-1, 0); len(pad) != want {
			t.Fatalf("line %q is not whole", line)
		}
		next[g]++
		n++
	}
	if n != writers*lines {
		t.Fatalf("%d lines written, want %d", n, writers*lines)
	}
}

func TestWriteWaitsWhenTheLogFallsBehind(t *testing.T) {
	rec := &recorder{}
	w := New(rec)
	defer w.Close()
	rec.hold.Lock()
	fmt.Fprintln(w, "first") // taken by the writing goroutine, which blocks on it
	big := bytes.Repeat([]byte("y"), maxPending-10)
	big[len(big)-1] = '\n'
	w.Write(big) // waits in the buffer
	returned := make(chan struct{})
	go func() {
		w.Write([]byte("one line too many\n"))
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("Write returned while more than the pending limit waited")
	case <-time.After(50 * time.Millisecond):
	}
	rec.hold.Unlock()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Write still waiting after the log caught up")
	}
}

func TestCloseWritesWhatIsPendingThenWritesDirectly(t *testing.T) {
	rec := &recorder{}
	w := New(rec)
	rec.hold.Lock()
	fmt.Fprintln(w, "a")
	fmt.Fprintln(w, "b")
	closed := make(chan struct{})
	go func() {
		w.Close()
		close(closed)
	}()
	rec.hold.Unlock()
	<-closed
	if got, _ := rec.state(); got != "a\nb\n" {
		t.Fatalf("after Close the output is %q, want both lines", got)
	}
	fmt.Fprintln(w, "c")
	if got, _ := rec.state(); got != "a\nb\nc\n" {
		t.Fatalf("a line after Close: output is %q, want it written at once", got)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
