package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions([]string{"-out", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if o.duration != 10*time.Minute || o.rate != 100 || o.outageMode != "hang" || o.outageAt != 290*time.Second ||
		!slices.Equal(o.kills, []time.Duration{150 * time.Second, 450 * time.Second}) {
		t.Errorf("defaults: %+v", o)
	}
	o, err = parseOptions([]string{"-out", "x", "-short", "-rate", "20"})
	if err != nil {
		t.Fatal(err)
	}
	if o.duration != time.Minute || o.rate != 20 || o.outageAt != 13*time.Second || o.window != 6*time.Second ||
		!slices.Equal(o.kills, []time.Duration{8 * time.Second, 41 * time.Second}) {
		t.Errorf("-short with -rate 20: %+v", o)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out", nil, "-out"},
		{"kill in the outage", []string{"-out", "x", "-kill-at", "300s"}, "within"},
		{"kills out of order", []string{"-out", "x", "-kill-at", "2m,1m"}, "grow"},
		{"kill after the end", []string{"-out", "x", "-duration", "1m", "-kill-at", "70s", "-outage-mode", "none"}, "inside"},
		{"outage too late", []string{"-out", "x", "-duration", "1m", "-outage-at", "50s", "-kill-at", "none"}, "does not fit"},
		{"bad mode", []string{"-out", "x", "-outage-mode", "flap"}, "outage-mode"},
		{"prune too often", []string{"-out", "x", "-prune-every", "100ms"}, "prune-every"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parseOptions(tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
