//go:build !linux

package store

// startWriteback does nothing where sync_file_range does not exist: the
// checkpoint's fsync writes the log's pages, as it would anyway.
func startWriteback(int) {}
