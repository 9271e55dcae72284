package store

import "golang.org/x/sys/unix"

// startWriteback queues the file's dirty pages for writing and returns
// without waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE).
func startWriteback(fd int) {
	_ = unix.SyncFileRange(fd, 0, 0, unix.SYNC_FILE_RANGE_WRITE) // a hint: nothing to do if it fails
}
