package app

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCKeepsTheOperatorsChoice(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(1 << 40)
	TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("GOGC unset: GC percent = %d, want %d", got, GCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit = %d, want %d", got, MemoryLimit)
	}

	debug.SetGCPercent(150)
	debug.SetMemoryLimit(1 << 40)
	TuneGC(func(k string) string { return map[string]string{"GOGC": "150", "GOMEMLIMIT": "1TiB"}[k] })
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC=150: GC percent = %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("GOMEMLIMIT=1TiB: memory limit = %d", got)
	}
}
