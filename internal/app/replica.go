package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// replicaFile names the file in the data directory that holds this
// process's name in leases.
const replicaFile = "replica_id"

// replicaID returns the name this process holds leases under, kept in
// the data directory: a process that starts again after a crash is known
// by the same name and takes back its own runs at once, instead of
// waiting for their leases to end. The file stays locked while the
// process runs, so that two processes never share a data directory, and
// with it a name; release unlocks it.
func replicaID(dataDir string) (id string, release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", nil, fmt.Errorf("creating data directory: %w", err)
	}
	path := filepath.Join(dataDir, replicaFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return "", nil, fmt.Errorf("data directory %s is in use by another hookpoint process; give each process a data directory of its own", dataDir)
		}
		return "", nil, fmt.Errorf("locking %s: %w", path, err)
	}
	release = func() { f.Close() } // closing drops the lock
	b, err := fs.ReadFile(os.DirFS(dataDir), replicaFile)
	if err != nil {
		release()
		return "", nil, err
	}
	if id = strings.TrimSpace(string(b)); id == "" {
		var r [6]byte
		rand.Read(r[:])
		id = hex.EncodeToString(r[:])
		if _, err := f.WriteAt([]byte(id+"\n"), 0); err != nil {
			release()
			return "", nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return id, release, nil
}
