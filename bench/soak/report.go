package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// report is the soak's result: the text printed at the end, the checks,
// and the raw data written beside it.
type report struct {
	text    strings.Builder
	checks  []check
	results []result
	procs   []sample
	tables  []tableSizes
	inbox   map[string]int
	tl      *timeline
	ledger  *ledger
}

// report evaluates the run.
func (s *soak) report(results []result, inbox map[string]int, d drainInfo, g idleInfo) *report {
	o, tl := s.opts, &s.tl
	procs, tables := s.sampler.Samples()
	r := &report{results: results, procs: procs, tables: tables, inbox: inbox, tl: tl, ledger: s.ledger}
	slices.SortFunc(r.results, func(a, b result) int { return a.sent.Compare(b.sent) })
	w := &r.text
	kills := make([]string, len(o.kills))
	for i, k := range o.kills {
		kills[i] = k.String()
	}
	outage := "no database outage"
	if o.outage > 0 {
		outage = fmt.Sprintf("database outage (%s) of %s at %s", o.outageMode, o.outage, o.outageAt)
	}
	fmt.Fprintf(w, "Hookpoint soak, %s: %s at %g/s, SIGKILL restarts at [%s], %s; retention %s pruned every %s; PostgreSQL through a proxy\n",
		tl.start.UTC().Format("2006-01-02T15:04Z"), o.duration, o.rate, strings.Join(kills, " "), outage, o.retention, o.pruneEvery)
	fmt.Fprintf(w, "space of pruned rows reused by %s\n", s.vacuum.why)
	fmt.Fprintf(w, "\ntimeline (from the start of the load):\n")
	for _, n := range tl.notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintf(w, "  %+7.1fs  load ends; queue drained %.1fs after the last answer; ledger polls missed: %d; VACUUMs failed: %d\n",
		o.duration.Seconds(), d.took.Seconds(), s.ledger.missed, s.vacuum.failed.Load())
	r.requestTable()
	r.resources(g)
	r.checks = []check{
		checkLost(results, inbox, s.ledger),
		checkTwice(results, inbox),
	}
	if o.outage > 0 {
		r.checks = append(r.checks, checkOutageAnswered(results, tl), checkOutageRecovered(results, tl))
	}
	r.checks = append(r.checks,
		checkRSS(procs, tl, o),
		checkGoroutines(g),
		checkBounded(tables, tl, o, &s.vacuum),
		checkDrained(d, o),
		checkServer(tl, s.srv.Unexpected()),
	)
	return r
}

// requestTable writes what became of the requests, by the phase of the
// run in which they were sent.
func (r *report) requestTable() {
	by := map[string][]result{}
	for _, x := range r.results {
		p := r.tl.phase(x)
		by[p] = append(by[p], x)
	}
	acked := 0
	for _, x := range r.results {
		if x.acked() {
			acked++
		}
	}
	w := &r.text
	fmt.Fprintf(w, "\nrequests: %d sent, %d acknowledged (2xx); by phase (kill N: in flight at the kill or sent until 1s after the restart answered;\n"+
		"outage: sent during it or in flight at its start; after outage: sent in its first %s):\n", len(r.results), acked, recoveryGrace)
	fmt.Fprintf(w, "  %-13s %7s %7s %8s %8s %8s  %s\n", "phase", "sent", "2xx", "p50", "p99", "max", "outcomes (status, or error)")
	for _, p := range r.tl.phases() {
		rs := by[p]
		if len(rs) == 0 {
			continue
		}
		n := 0
		took := make([]time.Duration, len(rs))
		for i, x := range rs {
			took[i] = x.took
			if x.acked() {
				n++
			}
		}
		slices.Sort(took)
		fmt.Fprintf(w, "  %-13s %7d %7d %8s %8s %8s  %s\n", p, len(rs), n,
			ms(pct(took, 50)), ms(pct(took, 99)), ms(took[len(took)-1]), outcomes(rs))
	}
}

// resources writes the server's RSS and goroutines per process and the
// database's size over the run.
func (r *report) resources(g idleInfo) {
	w := &r.text
	fmt.Fprintf(w, "\nserver processes (RSS from /proc, goroutines from /metrics):\n")
	var pids []int
	for _, s := range r.procs {
		if !slices.Contains(pids, s.pid) {
			pids = append(pids, s.pid)
		}
	}
	for _, pid := range pids {
		var first, last time.Time
		var minR, maxR int64 = math.MaxInt64, 0
		maxG := 0
		for _, s := range r.procs {
			if s.pid != pid {
				continue
			}
			if first.IsZero() {
				first = s.at
			}
			last = s.at
			minR, maxR, maxG = min(minR, s.rss), max(maxR, s.rss), max(maxG, s.goroutines)
		}
		fmt.Fprintf(w, "  pid %-8d %s  RSS %s–%s  goroutines up to %d\n", pid, r.tl.span(first, last), mb(float64(minR)), mb(float64(maxR)), maxG)
	}
	fmt.Fprintf(w, "  goroutines idle before the load %d, after the drain %d\n", g.before, g.after)
	failed, inOutage := 0, 0
	for _, s := range r.procs {
		if s.goroutines < 0 {
			failed++
			if r.tl.inOutage(s.at) {
				inOutage++
			}
		}
	}
	fmt.Fprintf(w, "  /metrics unanswered within the sample interval: %d of %d scrapes, %d of them during the outage\n", failed, len(r.procs), inOutage)
	if len(r.tables) == 0 {
		return
	}
	first, last := r.tables[0], r.tables[len(r.tables)-1]
	fmt.Fprintf(w, "\ndatabase tables (pg_total_relation_size; rows), first and last sample:\n")
	for _, t := range slices.Sorted(maps.Keys(last.bytes)) {
		fmt.Fprintf(w, "  %-20s %10s → %10s   %8d → %8d rows\n", t, mb(float64(first.bytes[t])), mb(float64(last.bytes[t])), first.rows[t], last.rows[t])
	}
	if n := last.rows["inbox_messages"] - first.rows["inbox_messages"]; n > 0 {
		fmt.Fprintf(w, "  inbox_messages (kept for retention.messages, 30 days here) grew %s for %d messages (%.0f bytes each)\n",
			mb(float64(last.bytes["inbox_messages"]-first.bytes["inbox_messages"])), n,
			float64(last.bytes["inbox_messages"]-first.bytes["inbox_messages"])/float64(n))
	}
}

func (r *report) passed() bool {
	for _, c := range r.checks {
		if !c.ok {
			return false
		}
	}
	return true
}

// write prints the report to w and saves it, with the raw requests,
// samples and table sizes, in dir.
func (r *report) write(w io.Writer, dir string) error {
	t := &r.text
	fmt.Fprintf(t, "\nchecks:\n")
	failed := 0
	for _, c := range r.checks {
		v := "PASS"
		if !c.ok {
			v = "FAIL"
			failed++
		}
		fmt.Fprintf(t, "  %s  %s: %s\n", v, c.name, c.detail)
	}
	if failed == 0 {
		fmt.Fprintf(t, "\nresult: PASS (%d checks)\n", len(r.checks))
	} else {
		fmt.Fprintf(t, "\nresult: FAIL (%d of %d checks)\n", failed, len(r.checks))
	}
	fmt.Fprintf(t, "raw data and server logs: %s\n", dir)
	if _, err := io.WriteString(w, t.String()); err != nil {
		return err
	}
	return writeFiles(dir, map[string]func(*bufio.Writer){
		"report.txt":   func(b *bufio.Writer) { b.WriteString(t.String()) },
		"requests.tsv": r.writeRequests,
		"samples.tsv":  r.writeSamples,
		"tables.tsv":   r.writeTables,
	})
}

func writeFiles(dir string, files map[string]func(*bufio.Writer)) error {
	for name, fill := range files {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		b := bufio.NewWriter(f)
		fill(b)
		err = b.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

func (r *report) writeRequests(b *bufio.Writer) {
	b.WriteString("delivery_id\tsent_s\ttook_ms\toutcome\tphase\tseen\tinbox_messages\n")
	for _, x := range r.results {
		fmt.Fprintf(b, "%s\t%.3f\t%.1f\t%s\t%s\t%s\t%d\n", x.id, x.sent.Sub(r.tl.start).Seconds(), float64(x.took)/1e6,
			x.outcome(), r.tl.phase(x), seenText(r.ledger.Seen(x.id)), r.inbox[x.id])
	}
}

func (r *report) writeSamples(b *bufio.Writer) {
	b.WriteString("t_s\tpid\trss_bytes\tgoroutines\n")
	for _, s := range r.procs {
		fmt.Fprintf(b, "%.1f\t%d\t%d\t%d\n", s.at.Sub(r.tl.start).Seconds(), s.pid, s.rss, s.goroutines)
	}
}

func (r *report) writeTables(b *bufio.Writer) {
	b.WriteString("t_s\ttable\tbytes\trows\n")
	for _, t := range r.tables {
		for _, name := range slices.Sorted(maps.Keys(t.bytes)) {
			fmt.Fprintf(b, "%.1f\t%s\t%d\t%d\n", t.at.Sub(r.tl.start).Seconds(), name, t.bytes[name], t.rows[name])
		}
	}
}

// outcomes counts results by outcome, most frequent first: "202×950 timeout×50".
func outcomes(rs []result) string {
	n := map[string]int{}
	for _, r := range rs {
		n[r.outcome()]++
	}
	keys := slices.SortedFunc(maps.Keys(n), func(a, b string) int { return cmp.Or(n[b]-n[a], strings.Compare(a, b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, n[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// at is t as an offset from the start of the load.
func (tl *timeline) at(t time.Time) string { return fmt.Sprintf("%+.0fs", t.Sub(tl.start).Seconds()) }

// span is a window as offsets from the start of the load.
func (tl *timeline) span(a, b time.Time) string {
	return fmt.Sprintf("%.0f–%.0fs", a.Sub(tl.start).Seconds(), b.Sub(tl.start).Seconds())
}

func mb(b float64) string { return fmt.Sprintf("%.1f MB", b/1e6) }

func ms(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/1e6)
}

// pct is the p-th percentile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
