package main

import (
	"fmt"
	"strings"
	"time"
)

// check is one verdict of the soak.
type check struct {
	ok     bool
	name   string
	detail string
}

// drainInfo is how the queue drained after the load.
type drainInfo struct {
	took    time.Duration
	drained bool
	err     error
}

// idleInfo is the server's goroutine count idle before the load and
// after the drain.
type idleInfo struct {
	before, after int
	took          time.Duration
	err           error
}

// checkLost: every acknowledged delivery was stored, handled (the
// handler's inbox message is committed with the delivery's completion)
// and seen done in the deliveries table.
func checkLost(results []result, inbox map[string]int, l *ledger) check {
	var acked, stored, done, messaged, lost int
	var examples []string
	for _, r := range results {
		if !r.acked() {
			continue
		}
		acked++
		seen := l.Seen(r.id)
		if seen&seenStored != 0 {
			stored++
		}
		if seen&seenDone != 0 {
			done++
		}
		if inbox[r.id] > 0 {
			messaged++
			continue
		}
		lost++
		if len(examples) < 5 {
			examples = append(examples, fmt.Sprintf("%s (answered %d, seen %s)", r.id, r.status, seenText(seen)))
		}
	}
	d := fmt.Sprintf("%d lost of %d acknowledged (2xx); stored %d, seen done %d, with their inbox message %d", lost, acked, stored, done, messaged)
	if done < messaged {
		d += fmt.Sprintf("; %d handled but pruned before the ledger saw them done", messaged-done)
	}
	if len(examples) > 0 {
		d += "; e.g. " + strings.Join(examples, ", ")
	}
	return check{lost == 0 && acked > 0, "acknowledged deliveries lost", d}
}

func seenText(s uint8) string {
	switch {
	case s&seenDone != 0:
		return "done"
	case s&seenStored != 0:
		return "stored, never done"
	}
	return "never"
}

// checkTwice: no delivery has more than one inbox message.
func checkTwice(results []result, inbox map[string]int) check {
	sent := make(map[string]bool, len(results))
	handledUnacked := 0
	for _, r := range results {
		sent[r.id] = true
		if !r.acked() && inbox[r.id] > 0 {
			handledUnacked++
		}
	}
	var twice, messages, strangers int
	var examples []string
	for id, n := range inbox {
		messages += n
		if !sent[id] {
			strangers += n
			continue
		}
		if n > 1 {
			twice++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("%s ×%d", id, n))
			}
		}
	}
	d := fmt.Sprintf("%d handled more than once; %d inbox messages for %d deliveries (%d of them not acknowledged: stored, then the answer was lost)",
		twice, messages, len(inbox), handledUnacked)
	if strangers > 0 {
		d += fmt.Sprintf("; %d messages name no delivery the soak sent", strangers)
	}
	if len(examples) > 0 {
		d += "; e.g. " + strings.Join(examples, ", ")
	}
	return check{twice == 0 && strangers == 0, "deliveries handled twice", d}
}

// checkOutageAnswered: every request sent while the database was cut off
// was answered within the client timeout, with 2xx or with 503 and
// Retry-After, rather than left hanging.
func checkOutageAnswered(results []result, tl *timeline) check {
	var in []result
	for _, r := range results {
		if !r.sent.Before(tl.outStart) && r.sent.Before(tl.outEnd) {
			in = append(in, r)
		}
	}
	bad := 0
	var longest time.Duration
	var lastAnswer time.Time
	for _, r := range in {
		longest = max(longest, r.took)
		if r.status != 0 && r.sent.Add(r.took).After(lastAnswer) {
			lastAnswer = r.sent.Add(r.took)
		}
		if !r.acked() && (r.status != 503 || r.retryAfter == "") {
			bad++
		}
	}
	d := fmt.Sprintf("%d sent during the outage: %s; %d neither 2xx nor 503 with Retry-After; longest wait %s",
		len(in), outcomes(in), bad, ms(longest))
	if !lastAnswer.IsZero() {
		d += fmt.Sprintf("; last answer %+.1fs from the outage's end", lastAnswer.Sub(tl.outEnd).Seconds())
	}
	return check{bad == 0 && len(in) > 0, "outage: requests answered (2xx or 503 + Retry-After), none hanging", d}
}

// checkOutageRecovered: the server recovered by itself: every request
// sent from recoveryGrace after the outage's end until the next kill (or
// the end of the load), and not in flight at that kill, was acknowledged.
func checkOutageRecovered(results []result, tl *timeline) check {
	from, to := tl.outEnd.Add(recoveryGrace), tl.nextKill(tl.outEnd)
	var in []result
	var firstAck time.Time
	for _, r := range results {
		if !r.sent.Before(tl.outEnd) && r.acked() && (firstAck.IsZero() || r.sent.Add(r.took).Before(firstAck)) {
			firstAck = r.sent.Add(r.took)
		}
		if !r.sent.Before(from) && r.sent.Before(to) && !strings.HasPrefix(tl.phase(r), "kill") {
			in = append(in, r)
		}
	}
	acked := 0
	for _, r := range in {
		if r.acked() {
			acked++
		}
	}
	d := fmt.Sprintf("%d of %d sent %.0fs–%.0fs after the outage acknowledged (%s)", acked, len(in),
		from.Sub(tl.outEnd).Seconds(), to.Sub(tl.outEnd).Seconds(), outcomes(in))
	if firstAck.IsZero() {
		d += "; no request sent after the outage was acknowledged"
	} else {
		d += fmt.Sprintf("; first acknowledgement of a request sent after it: %+.1fs from its end", firstAck.Sub(tl.outEnd).Seconds())
	}
	return check{len(in) > 0 && acked == len(in), "outage: the server recovered by itself", d}
}

// checkRSS: the last server process's RSS after warm-up grows by no more
// than the allowed fraction between the first and the last window of its
// life under load (each window at most -window long).
func checkRSS(procs []sample, tl *timeline, o *options) check {
	name := "RSS flat"
	from := tl.lastStart().Add(o.warmup)
	w := min(o.window, tl.end.Sub(from)/2)
	if w < 2*o.sampleEvery {
		return check{false, name, fmt.Sprintf("the last process ran %.0fs under load after its warm-up: too short to compare two windows", tl.end.Sub(from).Seconds())}
	}
	pid := 0
	if len(procs) > 0 {
		pid = procs[len(procs)-1].pid
	}
	mean := func(a, b time.Time) (float64, int) {
		var sum float64
		n := 0
		for _, s := range procs {
			if s.pid == pid && !s.at.Before(a) && s.at.Before(b) {
				sum += float64(s.rss)
				n++
			}
		}
		if n == 0 {
			return 0, 0
		}
		return sum / float64(n), n
	}
	first, n1 := mean(from, from.Add(w))
	last, n2 := mean(tl.end.Add(-w), tl.end)
	if n1 == 0 || n2 == 0 {
		return check{false, name, fmt.Sprintf("pid %d: no samples in a window (%d, %d)", pid, n1, n2)}
	}
	g := last/first - 1
	d := fmt.Sprintf("pid %d: mean %s in %s, %s in %s: %+.1f%% (limit +%.0f%%)", pid,
		mb(first), tl.span(from, from.Add(w)), mb(last), tl.span(tl.end.Add(-w), tl.end), 100*g, 100*o.growth)
	return check{g <= o.growth, name, d}
}

// checkGoroutines: once the load stopped and the queue drained, the
// server's goroutines are back to their idle count before the load.
func checkGoroutines(g idleInfo) check {
	if g.err != nil {
		return check{false, "goroutines back to idle", fmt.Sprintf("idle before load %d; after the drain: %v", g.before, g.err)}
	}
	return check{g.after <= g.before, "goroutines back to idle",
		fmt.Sprintf("idle before load %d; %d after the drain (%.0fs after it)", g.before, g.after, g.took.Seconds())}
}

// checkBounded: the tables retention governs (deliveries, payloads,
// tasks) stop growing once retention is in force. Rows: the deliveries
// kept in the last window of the load are at most what the load sends in
// one retention and one prune interval, plus the allowed growth. Bytes:
// their peak size in that window exceeds the peak of the first window
// after the space of pruned rows can be reused (retention, two prune
// intervals and two vacuums later; an outage before then, which stops the
// pruning, postpones it by its length) by no more than the allowed
// growth. A run too short for that window reports the bytes unchecked.
func checkBounded(tables []tableSizes, tl *timeline, o *options, v *vacuumPlan) check {
	name := "database bounded by retention"
	w := o.window
	peak := func(a, b time.Time) (tableSizes, bool) {
		var best tableSizes
		found := false
		for _, t := range tables {
			if !t.at.Before(a) && t.at.Before(b) && (!found || t.retainedBytes() > best.retainedBytes()) {
				best, found = t, true
			}
		}
		return best, found
	}
	last, ok := peak(tl.end.Add(-w), tl.end)
	if !ok {
		return check{false, name, "no table sizes sampled in the last window"}
	}
	var rows int64
	for _, t := range tables {
		if !t.at.Before(tl.end.Add(-w)) && t.at.Before(tl.end) {
			rows = max(rows, t.rows["deliveries"])
		}
	}
	limit := int64((1 + o.growth) * o.rate * (o.retention + o.pruneEvery).Seconds())
	ok = rows <= limit
	d := fmt.Sprintf("at most %d deliveries kept in %s (limit %d: %g/s × (retention %s + prune interval %s) + %.0f%%)",
		rows, tl.span(tl.end.Add(-w), tl.end), limit, o.rate, o.retention, o.pruneEvery, 100*o.growth)
	from := tl.start.Add(o.retention + 2*o.pruneEvery + 2*v.every)
	if !tl.outStart.IsZero() && tl.outStart.Before(from) {
		from = from.Add(tl.outEnd.Sub(tl.outStart))
	}
	if from.Add(w).After(tl.end.Add(-w)) {
		return check{ok, name, d + fmt.Sprintf("; bytes not checked: the space of pruned rows is reused from %s on (%s), too late in a run of %s",
			tl.at(from), v.why, o.duration)}
	}
	first, found := peak(from, from.Add(w))
	if !found {
		return check{false, name, d + "; no table sizes sampled in the first window"}
	}
	g := float64(last.retainedBytes())/float64(first.retainedBytes()) - 1
	d += fmt.Sprintf("; deliveries+payloads+tasks peak %s in %s, %s in %s: %+.1f%% (limit +%.0f%%)",
		mb(float64(first.retainedBytes())), tl.span(from, from.Add(w)),
		mb(float64(last.retainedBytes())), tl.span(tl.end.Add(-w), tl.end), 100*g, 100*o.growth)
	return check{ok && g <= o.growth, name, d}
}

// checkDrained: the queue emptied within the drain timeout.
func checkDrained(d drainInfo, o *options) check {
	switch {
	case d.err != nil:
		return check{false, "queue drained", d.err.Error()}
	case !d.drained:
		return check{false, "queue drained", fmt.Sprintf("deliveries still pending or running after %s", o.drainTimeout)}
	}
	return check{true, "queue drained", fmt.Sprintf("%.1fs after the last answer", d.took.Seconds())}
}

// checkServer: the server exited only when killed, and every restart
// succeeded.
func checkServer(tl *timeline, unexpected []string) check {
	var bad []string
	for i, k := range tl.kills {
		if k.err != nil {
			bad = append(bad, fmt.Sprintf("restart %d: %v", i+1, k.err))
		}
	}
	bad = append(bad, unexpected...)
	if len(bad) > 0 {
		return check{false, "server up except when killed", strings.Join(bad, "; ")}
	}
	return check{true, "server up except when killed", fmt.Sprintf("%d SIGKILL restarts, no other exit", len(tl.kills))}
}
