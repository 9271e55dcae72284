package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/store/storetest"
)

// The crash and scale-out tests drive real `hookpoint serve` processes with
// a webhook sender that behaves like GitHub: every push has its own
// X-GitHub-Delivery, and a push whose answer did not arrive (connection
// refused or reset, 5xx) is sent again with the same delivery id until it
// is acknowledged with a 2xx. The processes are killed and restarted under
// that load; afterwards every acknowledged delivery must have been handled
// exactly once.

const loadSecret = "crash-test secret"

// loadCommitPrefix starts the head commit message of every push the load
// sends; the rest of the message is the delivery id, so the inbox message
// the github plugin writes ("Latest: <commit message>") names its delivery.
const loadCommitPrefix = "hookpoint-load "

var loadMessageID = regexp.MustCompile(`Latest: ` + regexp.QuoteMeta(loadCommitPrefix) + `(\S+)`)

// loadBody returns push.json with its commit messages naming id.
func loadBody(t *testing.T, id string) []byte {
	t.Helper()
	return bytes.ReplaceAll(loadTemplate(t), []byte(`"message": "Initial commit"`), []byte(`"message": "`+loadCommitPrefix+id+`"`))
}

var (
	loadTemplateOnce sync.Once
	loadTemplateData []byte
	loadTemplateErr  error
)

func loadTemplate(t *testing.T) []byte {
	t.Helper()
	loadTemplateOnce.Do(func() {
		loadTemplateData, loadTemplateErr = os.ReadFile("../../plugins/github/testdata/push.json")
		if loadTemplateErr == nil && bytes.Count(loadTemplateData, []byte(`"message": "Initial commit"`)) != 2 {
			loadTemplateErr = fmt.Errorf("push.json no longer holds the two commit messages the load rewrites")
		}
	})
	if loadTemplateErr != nil {
		t.Fatal(loadTemplateErr)
	}
	return loadTemplateData
}

// loadAnswer is a webhook answer the sender got.
type loadAnswer struct {
	Status     int
	Body       string
	State      string // "accepted" or "duplicate"
	DeliveryID string // the delivery's row id
	Replica    int
}

// hookLoad sends signed pushes, each with its own delivery id, from a few
// goroutines, and resends a push that was not acknowledged with the same
// delivery id until it is.
type hookLoad struct {
	t      *testing.T
	prefix string
	total  int           // at most this many delivery ids
	pause  time.Duration // each worker's pause between deliveries
	// replicas are the base URLs of the servers; a delivery's first send
	// goes to replicas[n % len], a resend after a failure to the next one.
	replicas []string
	// redeliver, if set, is called after delivery n was acknowledged; it
	// may send it again (to check dedupe).
	redeliver func(l *hookLoad, n int, id string, first loadAnswer)

	client  *http.Client
	stopNew context.Context // no new delivery ids once done
	giveUp  context.Context // no more resends once done
	cancelN context.CancelFunc
	cancelG context.CancelFunc
	wg      sync.WaitGroup

	mu        sync.Mutex
	next      int
	attempted map[string]bool
	acked     map[string]loadAnswer
	sends     int
	connErrs  int
	status5xx int
	resends   int
	dupAcks   int // deliveries whose first 2xx was "duplicate": stored, answer lost
	problems  []string
}

func newHookLoad(t *testing.T, prefix string, total int, pause time.Duration, replicas ...string) *hookLoad {
	l := &hookLoad{
		t: t, prefix: prefix, total: total, pause: pause, replicas: replicas,
		attempted: map[string]bool{}, acked: map[string]loadAnswer{},
		client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true},
		},
	}
	l.stopNew, l.cancelN = context.WithCancel(context.Background())
	l.giveUp, l.cancelG = context.WithCancel(context.Background())
	t.Cleanup(func() { l.cancelN(); l.cancelG(); l.wg.Wait() })
	return l
}

func (l *hookLoad) id(n int) string { return fmt.Sprintf("%s-%05d", l.prefix, n) }

// start runs the load with workers goroutines.
func (l *hookLoad) start(workers int) {
	loadTemplate(l.t)
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				n, ok := l.take()
				if !ok {
					return
				}
				l.deliver(n)
				if l.pause > 0 {
					select {
					case <-time.After(l.pause/2 + rand.N(l.pause)):
					case <-l.stopNew.Done():
					}
				}
			}
		}()
	}
}

func (l *hookLoad) take() (int, bool) {
	if l.stopNew.Err() != nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next >= l.total {
		return 0, false
	}
	n := l.next
	l.next++
	l.attempted[l.id(n)] = true
	return n, true
}

// stop sends no new deliveries, lets unacknowledged ones be resent for up
// to grace, and waits for the workers.
func (l *hookLoad) stop(grace time.Duration) {
	l.cancelN()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		l.cancelG()
		<-done
	}
}

// waitDone waits up to timeout for every delivery to be sent and
// acknowledged, then stops the load; it reports whether the load finished.
func (l *hookLoad) waitDone(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		l.cancelN()
		l.cancelG()
		<-done
		return false
	}
}

func (l *hookLoad) problem(format string, args ...any) {
	l.mu.Lock()
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

// deliver sends delivery n until it is acknowledged (or the load gives up).
func (l *hookLoad) deliver(n int) { l.deliverID(l.id(n), n, n) }

// extra sends a delivery outside the numbered ones, first to replica,
// until it is acknowledged.
func (l *hookLoad) extra(id string, replica int) {
	l.mu.Lock()
	l.attempted[id] = true
	l.mu.Unlock()
	l.deliverID(id, -1, replica)
}

// deliverID sends delivery id, first to replica first, then on to the next
// replicas until one acknowledges it; n is its number, or -1.
func (l *hookLoad) deliverID(id string, n, first int) {
	for attempt := 0; l.giveUp.Err() == nil; attempt++ {
		replica := (first + attempt) % len(l.replicas)
		a, err := l.send(replica, id)
		l.mu.Lock()
		l.sends++
		if attempt > 0 {
			l.resends++
		}
		switch {
		case err != nil:
			l.connErrs++
		case a.Status >= 500:
			l.status5xx++
		}
		l.mu.Unlock()
		switch {
		case err != nil || a.Status >= 500:
			// Not acknowledged: the sender retries with the same id.
			time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond)
			continue
		case a.Status == http.StatusAccepted && a.State == "accepted",
			a.Status == http.StatusOK && a.State == "duplicate":
			l.mu.Lock()
			l.acked[id] = a
			if a.State == "duplicate" {
				l.dupAcks++
			}
			l.mu.Unlock()
			if a.State == "duplicate" && attempt == 0 {
				l.problem("delivery %s: first send answered duplicate: %d %s", id, a.Status, a.Body)
			}
			if l.redeliver != nil && n >= 0 {
				l.redeliver(l, n, id, a)
			}
			return
		default:
			l.problem("delivery %s (replica %d): unexpected answer %d %s", id, replica, a.Status, a.Body)
			return
		}
	}
}

// send posts the signed push of delivery id to a replica once.
func (l *hookLoad) send(replica int, id string) (loadAnswer, error) {
	body := loadBody(l.t, id)
	mac := hmac.New(sha256.New, []byte(loadSecret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(l.giveUp, "POST", l.replicas[replica]+"/api/plugin/hookpoint.github/webhook/github", bytes.NewReader(body))
	if err != nil {
		return loadAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := l.client.Do(req)
	if err != nil {
		return loadAnswer{}, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return loadAnswer{}, err
	}
	a := loadAnswer{Status: resp.StatusCode, Body: strings.TrimSpace(string(raw)), Replica: replica}
	var v struct {
		Status     string `json:"status"`
		DeliveryID string `json:"delivery_id"`
	}
	if json.Unmarshal(raw, &v) == nil {
		a.State, a.DeliveryID = v.Status, v.DeliveryID
	}
	return a, nil
}

func (l *hookLoad) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d deliveries sent (%d sends, %d resends), %d acknowledged (%d of them first as duplicate: stored, answer lost), %d connection errors, %d 5xx",
		len(l.attempted), l.sends, l.resends, len(l.acked), l.dupAcks, l.connErrs, l.status5xx)
}

// ackedIDs returns the acknowledged delivery ids, and reports attempted
// deliveries that were never acknowledged and unexpected answers.
func (l *hookLoad) ackedIDs() map[string]loadAnswer {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		l.t.Error(p)
	}
	var missing []string
	for id := range l.attempted {
		if _, ok := l.acked[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		l.t.Errorf("%d deliveries were never acknowledged although the server was up: %v", len(missing), firstN(missing, 20))
	}
	out := make(map[string]loadAnswer, len(l.acked))
	for id, a := range l.acked {
		out[id] = a
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// adminGet GETs an admin API path on base and decodes its JSON answer.
func adminGet(base, path string, v any) error {
	resp, err := http.Get(base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, v)
}

// loadDelivery is a delivery row as the admin API lists it.
type loadDelivery struct {
	ID         int64  `json:"id"`
	DeliveryID string `json:"delivery_id"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	LastError  string `json:"last_error"`
	ReplayOf   int64  `json:"replay_of"`
}

// allDeliveries lists every delivery of the github endpoint.
func allDeliveries(t *testing.T, base string) []loadDelivery {
	t.Helper()
	var all []loadDelivery
	before := ""
	for {
		q := url.Values{"plugin": {"hookpoint.github"}, "limit": {"10000"}}
		if before != "" {
			q.Set("before", before)
		}
		var page struct {
			Deliveries []loadDelivery `json:"deliveries"`
			NextBefore string         `json:"next_before"`
		}
		if err := adminGet(base, "/api/admin/deliveries?"+q.Encode(), &page); err != nil {
			t.Fatalf("listing deliveries: %v", err)
		}
		all = append(all, page.Deliveries...)
		if page.NextBefore == "" {
			return all
		}
		before = page.NextBefore
	}
}

// inboxTexts returns the texts of every inbox message of chat.
func inboxTexts(t *testing.T, base, chat string) []string {
	t.Helper()
	var texts []string
	after := ""
	for {
		q := url.Values{"limit": {"10000"}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Messages   []struct{ Text string } `json:"messages"`
			NextCursor string                  `json:"next_cursor"`
		}
		if err := adminGet(base, "/api/admin/chats/"+chat+"/messages?"+q.Encode(), &page); err != nil {
			t.Fatalf("reading the inbox: %v", err)
		}
		for _, m := range page.Messages {
			texts = append(texts, m.Text)
		}
		if page.NextCursor == "" {
			return texts
		}
		after = page.NextCursor
	}
}

// queueDepth reads hookpoint_queue_depth from /metrics.
func queueDepth(base string) (map[string]float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, `hookpoint_queue_depth{state="`)
		if !ok {
			continue
		}
		state, value, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %v", line, err)
		}
		out[state] = v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if _, ok := out["pending"]; !ok {
		return nil, fmt.Errorf("/metrics has no hookpoint_queue_depth")
	}
	return out, nil
}

// waitQueueIdle waits until no delivery is pending or running, twice in a
// row, and returns the last depth seen.
func waitQueueIdle(t *testing.T, base string, timeout time.Duration) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	idle := 0
	var depth map[string]float64
	var err error
	for {
		depth, err = queueDepth(base)
		if err == nil && depth["pending"] == 0 && depth["running"] == 0 {
			if idle++; idle == 2 {
				return depth
			}
		} else {
			idle = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not idle within %v: depth %v, err %v", timeout, depth, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkExactlyOnce checks that every acknowledged delivery is stored, done,
// and wrote exactly one inbox message, and that nothing else was stored
// or sent. depth is the idle queue's depth by state.
func checkExactlyOnce(t *testing.T, base, chat string, acked map[string]loadAnswer, depth map[string]float64) {
	t.Helper()
	if len(acked) == 0 {
		t.Fatal("no delivery was acknowledged")
	}
	rows := allDeliveries(t, base)
	byID := map[string]loadDelivery{}
	states := map[string]int{}
	for _, d := range rows {
		states[d.State]++
		if d.DeliveryID == "" || d.ReplayOf != 0 {
			t.Errorf("unexpected delivery row %+v", d)
			continue
		}
		if prev, dup := byID[d.DeliveryID]; dup {
			t.Errorf("delivery id %s stored twice: rows %d and %d", d.DeliveryID, prev.ID, d.ID)
		}
		byID[d.DeliveryID] = d
		if d.State != "done" {
			t.Errorf("delivery %s (row %d) is %s after %d attempts: %s", d.DeliveryID, d.ID, d.State, d.Attempts, d.LastError)
		}
		if _, ok := acked[d.DeliveryID]; !ok {
			t.Errorf("delivery %s (row %d) is stored but was never acknowledged nor meant to be sent", d.DeliveryID, d.ID)
		}
	}
	for id, a := range acked {
		d, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("LOST: delivery %s was acknowledged (%d %s) but is not in the database", id, a.Status, a.Body)
		case a.DeliveryID != strconv.FormatInt(d.ID, 10):
			t.Errorf("delivery %s was acknowledged as row %s but is stored as row %d", id, a.DeliveryID, d.ID)
		}
	}
	if want := float64(len(acked)); depth["done"] != want || depth["failed"] != 0 || depth["dead"] != 0 {
		t.Errorf("queue depth %v, want done=%v and no failed or dead", depth, want)
	}

	texts := inboxTexts(t, base, chat)
	perID := map[string]int{}
	for _, text := range texts {
		m := loadMessageID.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("inbox message names no delivery: %q", text)
			continue
		}
		perID[m[1]]++
	}
	var lost, dups []string
	for id := range acked {
		switch perID[id] {
		case 1:
		case 0:
			lost = append(lost, id)
		default:
			dups = append(dups, fmt.Sprintf("%s×%d", id, perID[id]))
		}
	}
	for id := range perID {
		if _, ok := acked[id]; !ok {
			t.Errorf("inbox message for delivery %s, which was never acknowledged", id)
		}
	}
	sort.Strings(lost)
	sort.Strings(dups)
	if len(lost) > 0 {
		t.Errorf("LOST: %d acknowledged deliveries wrote no inbox message: %v", len(lost), firstN(lost, 20))
	}
	if len(dups) > 0 {
		t.Errorf("DUPLICATED: %d deliveries wrote more than one inbox message: %v", len(dups), firstN(dups, 20))
	}
	if len(texts) != len(acked) || len(rows) != len(acked) {
		t.Errorf("%d acknowledged delivery ids, %d delivery rows (%v), %d inbox messages: want all equal", len(acked), len(rows), states, len(texts))
	}
}

// loadConfig writes the config of a server under crash tests: the github
// plugin notifying chat, a short lease so a killed process's claims are
// taken over quickly.
func loadConfig(t *testing.T, dir, chat string) {
	t.Helper()
	cfg := `
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:TEST_GH_SECRET}
      NOTIFICATION_CHAT_KEY: ` + chat + `
queue:
  lease: 3s
  handler_timeout: 2s
  poll_interval: 100ms
server:
  shutdown_timeout: 10s
`
	if err := os.WriteFile(filepath.Join(dir, "hookpoint.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// logCount sums the count attribute of the log lines with msg, in the logs
// of procs: how many runs were rescued or released.
func logCount(procs []*proc, msg string) int {
	total := 0
	for _, p := range procs {
		for _, line := range strings.Split(p.log(), "\n") {
			if !strings.Contains(line, msg) {
				continue
			}
			_, rest, ok := strings.Cut(line, " count=")
			if !ok {
				continue
			}
			n, _ := strconv.Atoi(strings.Fields(rest + " ")[0])
			total += n
		}
	}
	return total
}

// stablePort returns a free loopback address whose port lies below the
// kernel's ephemeral port range: while a killed server is down, no
// outgoing connection and no other test's freePort can take its port, so
// the restart can listen on it again.
func stablePort(t *testing.T) string {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	const first = 20000
	for range 100 {
		if lo <= first+1000 {
			break
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(first+rand.IntN(lo-first)))
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			return addr
		}
	}
	return freePort(t)
}

// startHealthy starts a server and waits until it is healthy, starting it
// again if its port is still taken.
func startHealthy(t *testing.T, dir string, env []string, base string, args ...string) *proc {
	t.Helper()
	for try := 1; ; try++ {
		p := start(t, dir, env, args...)
		err := awaitHealthy(p, base, 20*time.Second)
		if err == nil {
			return p
		}
		if try < 5 && strings.Contains(p.log(), "address already in use") {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		t.Fatalf("%v (server log below)", err)
	}
}

// awaitHealthy is waitHealthy returning an error.
func awaitHealthy(p *proc, base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case err := <-p.done:
			return fmt.Errorf("server exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server not healthy within %v", timeout)
}

// logIfPassed logs only when the test has not failed.
func logIfPassed(t *testing.T, format string, args ...any) {
	t.Helper()
	if !t.Failed() {
		t.Logf(format, args...)
	}
}

// sleepRandom sleeps between lo and hi.
func sleepRandom(lo, hi time.Duration) {
	time.Sleep(lo + rand.N(hi-lo))
}

// kill9 SIGKILLs p and waits for it to be gone.
func kill9(t *testing.T, p *proc) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("process still running 10s after SIGKILL")
	}
}

// TestCrashLosesNothing SIGKILLs the server at random moments while a
// sender pushes signed deliveries and resends the unanswered ones with the
// same delivery id, restarts it on the same database each time, ends with
// a SIGTERM under load, and checks that every acknowledged delivery was
// handled exactly once.
func TestCrashLosesNothing(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dir := t.TempDir()
			var dbArgs []string
			if db == "postgres" {
				dbArgs = []string{"--database", storetest.NewPostgresSchema(t)}
			} else {
				dbArgs = []string{"--data", filepath.Join(dir, "state")}
			}
			const chat = "inbox-group_crash"
			loadConfig(t, dir, chat)
			addr := stablePort(t)
			base := "http://" + addr
			env := []string{"TEST_GH_SECRET=" + loadSecret}
			args := append([]string{"--listen", addr}, dbArgs...)
			began := time.Now()

			p := startHealthy(t, dir, env, base, args...)
			procs := []*proc{p}
			restart := func() {
				t.Helper()
				sleepRandom(0, 300*time.Millisecond) // the sender meets a closed port for a while
				p = startHealthy(t, dir, env, base, args...)
				procs = append(procs, p)
			}

			// About 300 deliveries a second from 8 senders (at most 5000), so
			// the load outlasts the kills and the SIGTERM.
			load := newHookLoad(t, "crash-"+db, 5000, 25*time.Millisecond, base)
			load.start(8)

			kills := 3 + rand.IntN(2)
			for i := range kills {
				sleepRandom(700*time.Millisecond, 2500*time.Millisecond)
				kill9(t, p)
				t.Logf("SIGKILL %d/%d at %v: %s", i+1, kills, time.Since(began).Round(time.Millisecond), load.summary())
				restart()
			}

			// A graceful stop under load: exit status 0, nothing lost.
			sleepRandom(500*time.Millisecond, 1500*time.Millisecond)
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-p.done:
				if err != nil {
					t.Errorf("exit after SIGTERM under load: %v (server log below)", err)
				} else if !strings.Contains(p.log(), "stopped") {
					t.Errorf("no clean stop in the log after SIGTERM (server log below)")
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("no exit within 20s of SIGTERM (server log below)")
			}
			t.Logf("SIGTERM at %v: %s", time.Since(began).Round(time.Millisecond), load.summary())
			restart()

			sleepRandom(300*time.Millisecond, 800*time.Millisecond)
			load.stop(20 * time.Second)
			t.Logf("load stopped at %v after %d server runs: %s", time.Since(began).Round(time.Millisecond), len(procs), load.summary())
			acked := load.ackedIDs()
			depth := waitQueueIdle(t, base, 30*time.Second)
			checkExactlyOnce(t, base, chat, acked, depth)
			logIfPassed(t, "checked at %v: %d deliveries handled exactly once, queue %v; runs rescued after a crash: %d, released at SIGTERM: %d",
				time.Since(began).Round(time.Millisecond), len(acked), depth,
				logCount(procs, "rescued runs whose worker stopped"), logCount(procs, "released unfinished runs"))
		})
	}
}
