//go:build !unix

package app

import (
	"errors"
	"os"
)

// errLocked says another process holds the lock.
var errLocked = errors.New("locked by another process")

// lockFile does nothing where flock(2) is missing: the data directory is
// not protected from a second process there.
func lockFile(*os.File) error { return nil }
