package metrics

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// RegisterProcess adds the standard metrics of a Go process, as
// Prometheus' client libraries name them: go_goroutines, and, where
// /proc/self/stat can be read (Linux), process_resident_memory_bytes and
// process_cpu_seconds_total. They are read at every scrape.
func (r *Registry) RegisterProcess() {
	r.mu.Lock()
	r.process = true
	r.mu.Unlock()
}

// userHZ is the unit of the CPU times in /proc/self/stat: the kernel
// reports them in clock ticks of 1/100 s on every Linux architecture
// Go supports (Prometheus' client assumes the same).
const userHZ = 100

func writeProcess(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	st, err := readProcStat()
	if err != nil {
		return
	}
	fmt.Fprintf(b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", st.rssBytes)
	fmt.Fprintf(b, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %g\n", st.cpuSeconds)
}

// procStat is what the process metrics take from /proc/self/stat.
type procStat struct {
	rssBytes   int64
	cpuSeconds float64
}

func readProcStat() (procStat, error) {
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, fmt.Errorf("reading process stat: %w", err)
	}
	return parseProcStat(string(raw), int64(os.Getpagesize()))
}

// parseProcStat reads utime, stime and rss from a /proc/PID/stat line
// (proc(5)). The command name, field 2, is in parentheses and may hold
// spaces and parentheses itself, so fields are counted from the last ')'.
func parseProcStat(s string, pageSize int64) (procStat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("parsing process stat: no command name")
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, state
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("parsing process stat: %d fields after the command name, want 22 or more", len(f))
	}
	field := func(n int) (int64, error) { return strconv.ParseInt(f[n-3], 10, 64) }
	utime, err1 := field(14)
	stime, err2 := field(15)
	rss, err3 := field(24)
	if err1 != nil || err2 != nil || err3 != nil {
		return procStat{}, fmt.Errorf("parsing process stat: %q", s)
	}
	return procStat{rssBytes: rss * pageSize, cpuSeconds: float64(utime+stime) / userHZ}, nil
}
