package main

import (
	"strings"
	"testing"
	"time"
)

func TestSinceUntil(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in, want string
	}{
		{"1h", "2026-03-04T11:00:00Z"},
		{"30m", "2026-03-04T11:30:00Z"},
		{"2h45m", "2026-03-04T09:15:00Z"},
		{"2026-01-02T15:04:05Z", "2026-01-02T15:04:05Z"},
		{"2026-01-02T15:04:05+02:00", "2026-01-02T15:04:05+02:00"},
	}
	for _, tt := range tests {
		got, err := sinceUntil("since", tt.in, now)
		if err != nil || got != tt.want {
			t.Errorf("sinceUntil(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"yesterday", "1 hour", "-1h", "2026-01-02", "5"} {
		if _, err := sinceUntil("until", bad, now); err == nil || !strings.Contains(err.Error(), "--until") || !strings.Contains(err.Error(), "RFC 3339") {
			t.Errorf("sinceUntil(%q) = %v; want an error naming --until and what it takes", bad, err)
		}
	}
}

// deliveries ls --since 1h asks the server for an RFC 3339 time an hour ago.
func TestDeliveriesSinceDuration(t *testing.T) {
	t.Parallel()
	f := newFakeAdmin(t, map[string]string{"/api/admin/deliveries": `{"deliveries":[]}`})
	env := []string{"HOOKPOINT_SERVER=" + f.URL, "HOOKPOINT_ADMIN_TOKEN=x"}
	before := time.Now()
	if out, errOut, err := runHookpoint(t, nil, env, "deliveries", "ls", "--since", "1h", "--until", "30m"); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	q := f.lastQuery()
	since, err := time.Parse(time.RFC3339, q.Get("since"))
	if err != nil || since.Before(before.Add(-time.Hour-time.Second)) || since.After(time.Now().Add(-time.Hour)) {
		t.Errorf("since = %q (%v), want an RFC 3339 time an hour ago", q.Get("since"), err)
	}
	if until, err := time.Parse(time.RFC3339, q.Get("until")); err != nil || until.Sub(since) < 29*time.Minute {
		t.Errorf("until = %q (%v), want half an hour ago", q.Get("until"), err)
	}
	_, errOut, err := runHookpoint(t, nil, env, "deliveries", "replay", "--since", "last week")
	if err == nil || !strings.Contains(errOut, "--since") || !strings.Contains(errOut, "duration") {
		t.Errorf("bad --since: %v %q", err, errOut)
	}
}
