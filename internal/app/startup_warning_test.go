package app_test

import (
	"strings"
	"testing"
	"time"
)

// warnings waits for the startup log, then returns its WARN lines.
func warnings(t *testing.T, b *testBundle) []string {
	t.Helper()
	startupDatabase(t, b) // the first startup line
	time.Sleep(50 * time.Millisecond)
	var out []string
	for line := range strings.Lines(b.logs.String()) {
		if strings.Contains(line, `"level":"WARN"`) {
			out = append(out, line)
		}
	}
	return out
}

// A first run with nothing configured serves no webhook, and says once
// what to do about it; a configured server says nothing of the kind.
func TestNothingServedWarnsOnce(t *testing.T) {
	t.Parallel()
	b := startApp(t, "", t.TempDir())
	ws := warnings(t, b)
	if len(ws) != 1 || !strings.Contains(ws[0], "no webhook is served") || !strings.Contains(ws[0], "hookpoint init") || !strings.Contains(ws[0], "GITHUB_WEBHOOK_SECRET") {
		t.Errorf("warnings = %q, want one that says to run hookpoint init", ws)
	}
	b = setup(t)
	for _, w := range warnings(t, b) {
		if strings.Contains(w, "hookpoint init") {
			t.Errorf("a server with webhooks warns: %s", w)
		}
	}
}
