package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// stallProxy forwards TCP connections to target until stalled: then it
// moves no more bytes on open connections and holds new ones unanswered,
// as a database server that stops answering does, until resumed.
type stallProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	resumed *sync.Cond
	stalled bool
	conns   []net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	p.resumed = sync.NewCond(&p.mu)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *stallProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *stallProxy) handle(c net.Conn) {
	if !p.track(c) {
		return
	}
	p.waitRunning()
	up, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(up) {
		c.Close()
		return
	}
	go p.pipe(up, c)
	p.pipe(c, up)
}

// pipe copies src to dst, holding each chunk while the proxy is stalled.
func (p *stallProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.waitRunning()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// track remembers c to close it with the proxy; false if it is closed.
func (p *stallProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return true
}

func (p *stallProxy) waitRunning() {
	p.mu.Lock()
	for p.stalled {
		p.resumed.Wait()
	}
	p.mu.Unlock()
}

func (p *stallProxy) stall(on bool) {
	p.mu.Lock()
	p.stalled = on
	p.mu.Unlock()
	p.resumed.Broadcast()
}

func (p *stallProxy) close() {
	p.stall(false)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
}

// A PostgreSQL server that stops answering makes webhook requests fail
// fast with 503 and Retry-After instead of hanging; when it answers again
// the server recovers by itself, and every delivery acknowledged before,
// during or after the outage is handled exactly once. (A delivery refused
// with 503 may still have been stored, when the write was cut short after
// the database took it: it is then handled too, once.)
func TestDatabaseOutage(t *testing.T) {
	dbURL, err := url.Parse(storetest.NewPostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newStallProxy(t, dbURL.Host)
	dbURL.Host = proxy.ln.Addr().String()
	b := setupWith(t, fmt.Sprintf("database: {url: %q, write_timeout: 1s}\n", dbURL.String()), t.TempDir())
	client := &http.Client{Timeout: 10 * time.Second}
	seq := 0
	var ackedIDs []int
	post := func() (int, time.Duration, string) {
		seq++
		body := []byte(fmt.Sprintf(`{"ref":"refs/heads/main","repository":{"full_name":"o/r"},"pusher":{"name":"p"},"commits":[],"head_commit":{"message":"outage %d"}}`, seq))
		req, _ := http.NewRequest("POST", b.url+githubHook, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("outage-%d", seq))
		req.Header.Set("X-Hub-Signature-256", sign(body))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("delivery %d: %v", seq, err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode == http.StatusAccepted {
			ackedIDs = append(ackedIDs, seq)
		}
		return resp.StatusCode, time.Since(start), resp.Header.Get("Retry-After")
	}
	for range 10 {
		if status, _, _ := post(); status != http.StatusAccepted {
			t.Fatalf("before the outage: %d", status)
		}
	}
	b.waitIdle(t)

	proxy.stall(true)
	status, took, retry := post()
	if status != http.StatusServiceUnavailable || retry == "" || took > 5*time.Second {
		t.Fatalf("first request of the outage: %d after %v, Retry-After %q; want 503 within the write timeout", status, took, retry)
	}
	for range 5 {
		status, took, retry := post()
		if status != http.StatusServiceUnavailable || retry == "" || took > 500*time.Millisecond {
			t.Fatalf("during the outage: %d after %v, Retry-After %q; want 503 at once", status, took, retry)
		}
	}
	b.waitMetrics(t, "hookpoint_database_up 0")
	proxy.stall(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, _, _ := post()
		if status == http.StatusAccepted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d 20 s after the database came back", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for range 10 {
		if status, _, _ := post(); status != http.StatusAccepted {
			t.Fatalf("after the outage: %d", status)
		}
	}
	b.waitIdle(t)
	counts, err := b.app.Store().CountDeliveries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	handled := map[string]int{}
	msgs := b.messages(t, devChat)
	for _, m := range msgs {
		if _, after, ok := strings.Cut(m, "outage "); ok {
			handled[strings.Fields(after)[0]]++
		}
	}
	for _, n := range ackedIDs {
		if c := handled[strconv.Itoa(n)]; c != 1 {
			t.Errorf("acknowledged delivery %d handled %d times", n, c)
		}
	}
	for n, c := range handled {
		if c != 1 {
			t.Errorf("delivery %s handled %d times", n, c)
		}
	}
	if counts["done"] != int64(len(msgs)) || len(ackedIDs) < 21 {
		t.Errorf("%d acknowledged, %d messages, deliveries by state %v", len(ackedIDs), len(msgs), counts)
	}
}

// On PostgreSQL, a replica that starts again under its name (its data
// directory) takes back at once the runs it held when it crashed, instead
// of waiting for their leases to end.
func TestRestartReclaimsOwnLeases(t *testing.T) {
	dbURL := storetest.NewPostgresSchema(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("database: {url: %q}\nqueue: {lease: 1h, handler_timeout: 50m}\n", dbURL)
	b := setupWith(t, cfg, dir)
	owner, err := os.ReadFile(filepath.Join(b.data, "replica_id"))
	if err != nil {
		t.Fatal(err)
	}
	b.stop()
	// As the crashed process left it: a delivery held by this replica,
	// its lease an hour long.
	st, err := store.OpenPostgres(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"ref":"refs/heads/main","repository":{"full_name":"o/r"},"pusher":{"name":"p"},"commits":[],"head_commit":{"message":"held at the crash"}}`)
	d := &record.Delivery{Plugin: "hookpoint.github", Endpoint: "/github", Mode: record.ModeQueued, Method: "POST", Path: githubHook,
		Header: http.Header{"X-Github-Event": {"push"}}, Body: body, MaxAttempts: 3, State: record.StateRunning}
	if _, _, err := st.InsertDelivery(context.Background(), d, strings.TrimSpace(string(owner)), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	b = setupWith(t, cfg, dir)
	deadline := time.Now().Add(10 * time.Second)
	for len(b.messages(t, devChat)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the held delivery did not run within 10 s of the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
