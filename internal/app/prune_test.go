package app_test

import (
	"context"
	"testing"
	"time"
)

// TestPruneInterval checks that retention.prune_interval sets how often
// the pruner runs: with a retention of 1s, a handled delivery is gone
// within a few seconds, not an hour.
func TestPruneInterval(t *testing.T) {
	t.Parallel()
	b := setupWith(t, "retention:\n  deliveries: 1s\n  prune_interval: 1s\n", t.TempDir())
	body := fixture(t, "push.json")
	a := b.do(t, "POST", githubHook, body, map[string]string{
		"X-GitHub-Event": "push", "X-GitHub-Delivery": "prune-1", "X-Hub-Signature-256": sign(body),
	})
	if a.status != 202 {
		t.Fatalf("push: %d %s", a.status, a.raw)
	}
	b.waitIdle(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := b.app.Store().CountDeliveries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d["done"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the handled delivery was not pruned within 10s: %v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if msgs := b.messages(t, devChat); len(msgs) != 1 {
		t.Errorf("inbox has %d messages, want 1", len(msgs))
	}
}
