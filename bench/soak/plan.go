package main

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// timeline is what happened when: the load's span, the restarts and the
// outage, in wall-clock time.
type timeline struct {
	start, end       time.Time // of sending
	kills            []kill
	outStart, outEnd time.Time // zero without an outage
	notes            []string  // one line per event, for the report
}

// kill is one SIGKILL restart.
type kill struct {
	at, ready      time.Time // killed; the new process answering
	oldPID, newPID int
	err            error // the restart failed
}

// recoveryGrace is the time after the outage's end that the server is
// given to recover before every request must be acknowledged again.
const recoveryGrace = 5 * time.Second

// runPlan kills and restarts the server and cuts the database off at the
// planned times.
func (s *soak) runPlan(ctx context.Context) {
	type step struct {
		at time.Duration
		do func()
	}
	var steps []step
	for _, k := range s.opts.kills {
		steps = append(steps, step{k, func() { s.restart(ctx) }})
	}
	if s.opts.outage > 0 {
		steps = append(steps,
			step{s.opts.outageAt, s.outageStart},
			step{s.opts.outageAt + s.opts.outage, s.outageEnd})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	for _, st := range steps {
		t := time.NewTimer(time.Until(s.tl.start.Add(st.at)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		st.do()
	}
}

// restart kills the server with SIGKILL and starts it again at once on
// the same config, data directory and schema.
func (s *soak) restart(ctx context.Context) {
	k := kill{at: time.Now(), oldPID: s.srv.pid()}
	s.srv.kill()
	k.err = s.srv.start(ctx)
	k.ready, k.newPID = time.Now(), s.srv.pid()
	s.tl.kills = append(s.tl.kills, k)
	if k.err != nil {
		s.note("SIGKILL pid %d; the restart failed: %v", k.oldPID, k.err)
		return
	}
	s.note("SIGKILL pid %d; pid %d answering after %.1fs", k.oldPID, k.newPID, k.ready.Sub(k.at).Seconds())
}

func (s *soak) outageStart() {
	s.tl.outStart = time.Now()
	s.proxy.Down(s.opts.outageMode)
	s.note("database outage (%s) starts", s.opts.outageMode)
}

func (s *soak) outageEnd() {
	s.proxy.Up()
	s.tl.outEnd = time.Now()
	s.note("database outage ends after %.1fs", s.tl.outEnd.Sub(s.tl.outStart).Seconds())
}

// note logs an event and keeps it for the report.
func (s *soak) note(format string, args ...any) {
	line := fmt.Sprintf("%+7.1fs  %s", time.Since(s.tl.start).Seconds(), fmt.Sprintf(format, args...))
	s.tl.notes = append(s.tl.notes, line)
	s.logf(format, args...)
}

// phase names the part of the run a request belongs to: the kill it was
// in flight at or sent in until 1s after the restart answered; the outage
// it was sent in or in flight at the start of; the first recoveryGrace
// after the outage; or steady.
func (tl *timeline) phase(r result) string {
	answered := r.sent.Add(r.took)
	for i, k := range tl.kills {
		if r.sent.Before(k.ready.Add(time.Second)) && !answered.Before(k.at) {
			return fmt.Sprintf("kill %d", i+1)
		}
	}
	if !tl.outStart.IsZero() {
		switch {
		case tl.inOutage(r.sent) || r.sent.Before(tl.outStart) && !answered.Before(tl.outStart):
			return "outage"
		case !r.sent.Before(tl.outEnd) && r.sent.Before(tl.outEnd.Add(recoveryGrace)):
			return "after outage"
		}
	}
	return "steady"
}

// inOutage reports whether t falls in the outage.
func (tl *timeline) inOutage(t time.Time) bool {
	return !tl.outStart.IsZero() && !t.Before(tl.outStart) && t.Before(tl.outEnd)
}

// phases lists the phase names in the order of the run.
func (tl *timeline) phases() []string {
	type p struct {
		at   time.Time
		name string
	}
	ps := []p{{tl.start, "steady"}}
	for i, k := range tl.kills {
		ps = append(ps, p{k.at, fmt.Sprintf("kill %d", i+1)})
	}
	if !tl.outStart.IsZero() {
		ps = append(ps, p{tl.outStart, "outage"}, p{tl.outEnd, "after outage"})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].at.Before(ps[j].at) })
	out := make([]string, len(ps))
	for i, x := range ps {
		out[i] = x.name
	}
	return out
}

// lastStart is when the last server process started answering.
func (tl *timeline) lastStart() time.Time {
	if n := len(tl.kills); n > 0 {
		return tl.kills[n-1].ready
	}
	return tl.start
}

// nextKill is the first kill after t, or the end of the load.
func (tl *timeline) nextKill(t time.Time) time.Time {
	for _, k := range tl.kills {
		if k.at.After(t) {
			return k.at
		}
	}
	return tl.end
}
