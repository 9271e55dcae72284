package app

import (
	"runtime/debug"
)

// Garbage collector settings of a server whose environment sets neither
// GOGC nor GOMEMLIMIT.
const (
	// GCPercent is GOGC: the heap may grow to five times what is live
	// before a collection. A webhook server's live heap is a few MB, and
	// collecting at every doubling cost a tenth of the CPU end to end
	// (bench/README.md, "GOGC").
	GCPercent = 400
	// MemoryLimit is GOMEMLIMIT: near it the collector runs sooner, so a
	// large live heap (big payloads) is not multiplied by five.
	MemoryLimit = 256 << 20
)

// TuneGC applies GCPercent and MemoryLimit where getenv (os.Getenv)
// shows that the operator has not chosen their own.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
