package main

import (
	"testing"
	"time"
)

func TestPhase(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tl := &timeline{
		start: t0, end: at(100),
		kills:    []kill{{at: at(10), ready: at(10.5)}, {at: at(80), ready: at(80.5)}},
		outStart: at(40), outEnd: at(60),
	}
	tests := []struct {
		name       string
		sent, took float64
		want       string
	}{
		{"before anything", 1, 0.01, "steady"},
		{"in flight at the kill", 9.99, 0.02, "kill 1"},
		{"answered just before the kill", 9.9, 0.05, "steady"},
		{"sent before the restart answered", 10.2, 0.01, "kill 1"},
		{"sent within 1s of the restart", 11.4, 0.01, "kill 1"},
		{"after the restart settled", 11.6, 0.01, "steady"},
		{"in flight at the outage's start", 39.9, 10, "outage"},
		{"answered just before the outage", 39.9, 0.05, "steady"},
		{"sent during the outage", 50, 10, "outage"},
		{"first seconds after the outage", 61, 0.5, "after outage"},
		{"recovered", 66, 0.01, "steady"},
		{"in flight at the second kill", 79.99, 0.1, "kill 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := result{sent: at(tt.sent), took: time.Duration(tt.took * float64(time.Second))}
			if got := tl.phase(r); got != tt.want {
				t.Errorf("phase = %q, want %q", got, tt.want)
			}
		})
	}
	if got := tl.phases(); len(got) != 5 || got[1] != "kill 1" || got[2] != "outage" || got[4] != "kill 2" {
		t.Errorf("phases = %q", got)
	}
}
