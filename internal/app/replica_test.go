package app

import (
	"strings"
	"testing"
)

// A data directory keeps its replica id across restarts, and only one
// process at a time uses it.
func TestReplicaID(t *testing.T) {
	dir := t.TempDir()
	id, release, err := replicaID(dir)
	if err != nil || len(id) != 12 {
		t.Fatalf("replicaID = %q, %v", id, err)
	}
	if _, _, err := replicaID(dir); err == nil || !strings.Contains(err.Error(), "in use by another hookpoint process") {
		t.Errorf("a second user of the directory: %v; want it refused", err)
	}
	release()
	again, release2, err := replicaID(dir)
	if err != nil || again != id {
		t.Errorf("after a restart: %q, %v; want %q", again, err, id)
	}
	release2()
	if other, release3, err := replicaID(t.TempDir()); err != nil || other == id {
		t.Errorf("another directory: %q, %v; want another id", other, err)
	} else {
		release3()
	}
}
