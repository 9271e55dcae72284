package app_test

import (
	"runtime"
	"strings"
	"testing"
)

// TestProcessMetrics checks that /metrics carries the standard process
// metrics a soak test or an operator watches for leaks.
func TestProcessMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := b.do(t, "GET", "/metrics", nil, nil)
	wants := []string{"\ngo_goroutines "}
	if runtime.GOOS == "linux" {
		wants = append(wants, "\nprocess_resident_memory_bytes ", "\nprocess_cpu_seconds_total ")
	}
	for _, want := range wants {
		if !strings.Contains(m.raw, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
}
