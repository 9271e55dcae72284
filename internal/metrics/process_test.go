package metrics

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	// A command name with spaces and parentheses; utime 250, stime 50,
	// rss 1000 pages.
	line := "4242 (a) b (c)) S 1 4242 4242 0 -1 4194304 97 0 0 0 250 50 0 0 20 0 9 0 102554 3133440 1000 18446744073709551615 0 0 0 0 0\n"
	st, err := parseProcStat(line, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if st.rssBytes != 1000*4096 || st.cpuSeconds != 3 {
		t.Errorf("got %+v, want rss 4096000 and 3 CPU seconds", st)
	}
	for _, bad := range []string{"", "4242 (a) S 1 2 3", "4242 (a) S 1 4242 4242 0 -1 4194304 97 0 0 0 x 50 0 0 20 0 9 0 102554 3133440 1000 0"} {
		if _, err := parseProcStat(bad, 4096); err == nil {
			t.Errorf("parseProcStat(%q): no error", bad)
		}
	}
}

func TestRegisterProcess(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	var b strings.Builder
	r.WriteText(&b)
	if strings.Contains(b.String(), "go_goroutines") {
		t.Fatal("process metrics written before RegisterProcess")
	}
	r.RegisterProcess()
	b.Reset()
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := []string{`(?m)^# TYPE go_goroutines gauge$`, `(?m)^go_goroutines [1-9][0-9]*$`}
	if runtime.GOOS == "linux" {
		want = append(want,
			`(?m)^# TYPE process_resident_memory_bytes gauge$`, `(?m)^process_resident_memory_bytes [1-9][0-9]*$`,
			`(?m)^# TYPE process_cpu_seconds_total counter$`, `(?m)^process_cpu_seconds_total [0-9.e+-]+$`)
	}
	for _, re := range want {
		if !regexp.MustCompile(re).MatchString(b.String()) {
			t.Errorf("no line matches %s in\n%s", re, b.String())
		}
	}
}
