// Command hpbench is the benchmark's helper: it signs the payload, waits
// for servers, polls the queue until it drains, sends fixed bursts and
// paced light load, reads queue latencies from the admin API and prints
// the result table. bench/run.sh drives it; every address is loopback.
//
//	hpbench sign    -secret S -file F
//	hpbench wait    -url URL [-timeout 30s]
//	hpbench drain   -url ADMIN [-timeout 600s] [-interval 50ms]
//	hpbench counts  -url ADMIN [-chat inbox-group_bench]
//	hpbench send    -url WEBHOOK -secret S -file F -n N [-c 32] [-run ID]
//	hpbench trickle -url WEBHOOK -secret S -file F -rate 50 -duration 10s [-run ID]
//	hpbench latency -url ADMIN
//	hpbench replay  -url ADMIN -query Q
//	hpbench table   -results FILE
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hpbench sign|wait|drain|counts|send|trickle|latency|replay|table [flags]")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"sign": cmdSign, "wait": cmdWait, "drain": cmdDrain, "counts": cmdCounts,
		"send": cmdSend, "trickle": cmdTrickle, "latency": cmdLatency, "table": cmdTable, "replay": cmdReplay,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "hpbench: unknown command", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "hpbench "+os.Args[1]+":", err)
		os.Exit(1)
	}
}

func signature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func cmdSign(args []string) error {
	fs := flag.NewFlagSet("sign", flag.ExitOnError)
	secret := fs.String("secret", "", "webhook secret")
	file := fs.String("file", "", "payload")
	fs.Parse(args)
	body, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	fmt.Println(signature(*secret, body))
	return nil
}

var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
}

// cmdWait waits until the server answers any HTTP request.
func cmdWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	url := fs.String("url", "", "URL to GET")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after")
	fs.Parse(args)
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(*url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", *url, *timeout)
}

// exists reports whether the admin API lists at least one delivery in state.
func exists(admin, state string) (bool, error) {
	resp, err := client.Get(admin + "/api/admin/deliveries?limit=1&state=" + state)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return false, fmt.Errorf("deliveries?state=%s: %s %s", state, resp.Status, b)
	}
	var v struct {
		Deliveries []json.RawMessage `json:"deliveries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return false, err
	}
	return len(v.Deliveries) > 0, nil
}

// cmdDrain polls until no delivery is pending or running and prints the
// unix time in milliseconds at which the queue was seen empty. At the
// timeout it prints the time and exits 3.
func cmdDrain(args []string) error {
	fs := flag.NewFlagSet("drain", flag.ExitOnError)
	admin := fs.String("url", "", "admin base URL")
	timeout := fs.Duration("timeout", 600*time.Second, "give up after")
	interval := fs.Duration("interval", 50*time.Millisecond, "poll interval")
	fs.Parse(args)
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		pending, err := exists(*admin, "pending")
		if err != nil {
			return err
		}
		running := false
		if !pending {
			if running, err = exists(*admin, "running"); err != nil {
				return err
			}
		}
		if !pending && !running {
			fmt.Println(time.Now().UnixMilli())
			return nil
		}
		time.Sleep(*interval)
	}
	fmt.Println(time.Now().UnixMilli())
	fmt.Fprintf(os.Stderr, "hpbench drain: queue not drained within %s\n", *timeout)
	os.Exit(3)
	return nil
}

// cmdCounts prints the deliveries by state (from /metrics) and the inbox
// messages of the chat, as key=value pairs.
func cmdCounts(args []string) error {
	fs := flag.NewFlagSet("counts", flag.ExitOnError)
	admin := fs.String("url", "", "admin base URL")
	chat := fs.String("chat", "inbox-group_bench", "inbox chat key")
	fs.Parse(args)
	resp, err := client.Get(*admin + "/metrics")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	states := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, `hookpoint_queue_depth{state="`)
		if !ok {
			continue
		}
		state, val, _ := strings.Cut(rest, `"} `)
		f, _ := strconv.ParseFloat(strings.TrimSpace(val), 64)
		states[state] = int64(f)
	}
	cresp, err := client.Get(*admin + "/api/admin/chats")
	if err != nil {
		return err
	}
	defer cresp.Body.Close()
	var chats struct {
		Chats []struct {
			ChatKey  string `json:"chat_key"`
			Messages int64  `json:"messages"`
		} `json:"chats"`
	}
	if err := json.NewDecoder(cresp.Body).Decode(&chats); err != nil {
		return fmt.Errorf("reading chats: %w", err)
	}
	var inboxN int64
	for _, c := range chats.Chats {
		if c.ChatKey == *chat {
			inboxN = c.Messages
		}
	}
	var total int64
	for _, n := range states {
		total += n
	}
	fmt.Printf("total=%d pending=%d running=%d done=%d failed=%d dead=%d inbox=%d\n",
		total, states["pending"], states["running"], states["done"], states["failed"], states["dead"], inboxN)
	return nil
}

type sender struct {
	url, sig, run string
	body          []byte
	seq           atomic.Int64
	accepted      atomic.Int64
	other         atomic.Int64
	errs          atomic.Int64
	mu            sync.Mutex
	lat           []time.Duration
	firstErr      atomic.Value
}

func newSender(url, secret, file, run string) (*sender, error) {
	body, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if run == "" {
		run = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return &sender{url: url, sig: signature(secret, body), run: run, body: body}, nil
}

func (s *sender) one() {
	n := s.seq.Add(1)
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(s.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("%s-%d", s.run, n))
	req.Header.Set("X-Hub-Signature-256", s.sig)
	req.Header.Set("User-Agent", "GitHub-Hookshot/hpbench")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		s.errs.Add(1)
		s.firstErr.CompareAndSwap(nil, err.Error())
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode == http.StatusAccepted {
		s.accepted.Add(1)
	} else {
		s.other.Add(1)
		s.firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %s", resp.Status, b))
	}
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
}

func (s *sender) report(took time.Duration) {
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	fe, _ := s.firstErr.Load().(string)
	fmt.Printf("sent=%d accepted=%d other=%d errors=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f first_error=%q\n",
		s.seq.Load(), s.accepted.Load(), s.other.Load(), s.errs.Load(), took.Seconds(),
		float64(s.accepted.Load())/took.Seconds(), ms(pct(s.lat, 50)), ms(pct(s.lat, 99)), fe)
}

// cmdSend sends exactly n signed deliveries over c connections.
func cmdSend(args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	url := fs.String("url", "", "webhook URL")
	secret := fs.String("secret", "", "webhook secret")
	file := fs.String("file", "", "payload")
	n := fs.Int("n", 20000, "deliveries to send")
	c := fs.Int("c", 32, "connections")
	run := fs.String("run", "", "delivery id prefix")
	fs.Parse(args)
	s, err := newSender(*url, *secret, *file, *run)
	if err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	for i := 0; i < *c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(*n) {
				s.one()
			}
		}()
	}
	wg.Wait()
	s.report(time.Since(start))
	return nil
}

// cmdTrickle sends deliveries at a fixed rate (open loop) for a duration.
func cmdTrickle(args []string) error {
	fs := flag.NewFlagSet("trickle", flag.ExitOnError)
	url := fs.String("url", "", "webhook URL")
	secret := fs.String("secret", "", "webhook secret")
	file := fs.String("file", "", "payload")
	rate := fs.Float64("rate", 50, "requests per second")
	dur := fs.Duration("duration", 10*time.Second, "how long")
	run := fs.String("run", "", "delivery id prefix")
	fs.Parse(args)
	s, err := newSender(*url, *secret, *file, *run)
	if err != nil {
		return err
	}
	every := time.Duration(float64(time.Second) / *rate)
	total := int(dur.Seconds() * *rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		wg.Add(1)
		go func() { defer wg.Done(); s.one() }()
	}
	wg.Wait()
	s.report(time.Since(start))
	return nil
}

// cmdLatency reads every delivery from the admin API and prints the
// distribution of started_at - received_at.
func cmdLatency(args []string) error {
	fs := flag.NewFlagSet("latency", flag.ExitOnError)
	admin := fs.String("url", "", "admin base URL")
	fs.Parse(args)
	var lat []time.Duration
	missing := 0
	before := ""
	for page := 0; page < 1000; page++ {
		u := *admin + "/api/admin/deliveries?limit=10000"
		if before != "" {
			u += "&before=" + before
		}
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		var v struct {
			Deliveries []struct {
				ReceivedAt time.Time  `json:"received_at"`
				StartedAt  *time.Time `json:"started_at"`
			} `json:"deliveries"`
			NextBefore string `json:"next_before"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err != nil {
			return err
		}
		for _, d := range v.Deliveries {
			if d.StartedAt == nil {
				missing++
				continue
			}
			lat = append(lat, d.StartedAt.Sub(d.ReceivedAt))
		}
		if v.NextBefore == "" {
			break
		}
		before = v.NextBefore
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("count=%d not_started=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
		len(lat), missing, ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), ms(pct(lat, 100)))
	return nil
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cmdReplay asks the admin API to replay the deliveries a filter selects
// and prints how many it replayed and how long the request took.
func cmdReplay(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ExitOnError)
	admin := fs.String("url", "", "admin base URL")
	query := fs.String("query", "", "the replay's filter, e.g. plugin=hookpoint.github&limit=10000")
	fs.Parse(args)
	start := time.Now()
	resp, err := client.Post(*admin+"/api/admin/deliveries/replay?"+*query, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Replayed int   `json:"replayed"`
		Matched  int64 `json:"matched"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("replay answered %s: %v", resp.Status, err)
	}
	fmt.Printf("REPLAY replayed=%d matched=%d seconds=%.3f\n", out.Replayed, out.Matched, time.Since(start).Seconds())
	return nil
}
