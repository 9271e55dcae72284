package main

import (
	"strings"
	"testing"
)

// listedDeliveries is an admin API answer with deliveries from several
// senders, queued and inline.
const listedDeliveries = `{"deliveries":[
 {"id":4,"plugin":"hookpoint.resource","endpoint":"/resource","mode":"inline","state":"done","attempts":1,"max_attempts":12,"response_status":201,"received_at":"2026-03-04T12:00:04Z","headers":{"Content-Type":["application/json"]}},
 {"id":3,"plugin":"hookpoint.generic","endpoint":"/generic","mode":"queued","state":"done","attempts":1,"max_attempts":12,"received_at":"2026-03-04T12:00:03Z","headers":{"X-Event-Key":["repo:push"]}},
 {"id":2,"plugin":"hookpoint.gitlab","endpoint":"/gitlab","mode":"queued","state":"pending","attempts":2,"max_attempts":12,"received_at":"2026-03-04T12:00:02Z","headers":{"X-Gitlab-Event":["Merge Request Hook"],"X-Gitlab-Token":["[redacted]"]}},
 {"id":1,"plugin":"hookpoint.github","endpoint":"/github","mode":"queued","state":"done","attempts":1,"max_attempts":12,"received_at":"2026-03-04T12:00:01Z","headers":{"x-github-event":["push"]}}
],"next_before":""}`

// cell returns the cell of column col in the table row whose first cell
// is id: tabwriter starts each cell where its column's header starts.
func cell(t *testing.T, table, id, col string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	start := strings.Index(lines[0], col)
	if start < 0 {
		t.Fatalf("no column %s in:\n%s", col, table)
	}
	end := len(lines[0]) // the last column runs to the end of the line
	if i := strings.Index(lines[0][start+len(col):], "  "); i >= 0 {
		end = len(lines[0]) - len(strings.TrimLeft(lines[0][start+len(col)+i:], " "))
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 && f[0] == id {
			return strings.TrimSpace(l[start:min(end, len(l))])
		}
	}
	t.Fatalf("no row %s in:\n%s", id, table)
	return ""
}

// deliveries ls shows each delivery's event, from whichever sender's
// header carries it, and attempts without a maximum for inline ones,
// which are never retried.
func TestDeliveriesListEventAndAttempts(t *testing.T) {
	t.Parallel()
	f := newFakeAdmin(t, map[string]string{"/api/admin/deliveries": listedDeliveries})
	out, errOut, err := runHookpoint(t, nil, []string{"HOOKPOINT_SERVER=" + f.URL, "HOOKPOINT_ADMIN_TOKEN=x"}, "deliveries", "ls")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	tests := []struct {
		id, event, attempts string
	}{
		{"1", "push", "1/12"},
		{"2", "Merge Request Hook", "2/12"},
		{"3", "repo:push", "1/12"},
		{"4", "-", "1"},
	}
	for _, tt := range tests {
		if got := cell(t, out, tt.id, "EVENT"); got != tt.event {
			t.Errorf("delivery %s: EVENT %q, want %q", tt.id, got, tt.event)
		}
		if got := cell(t, out, tt.id, "ATTEMPTS"); got != tt.attempts {
			t.Errorf("delivery %s: ATTEMPTS %q, want %q", tt.id, got, tt.attempts)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
