package store

// SetResolveFault makes resolving deliveries seen before fail with f's
// error after a pipeline has committed, until the returned func is called.
func SetResolveFault(f func() error) (restore func()) {
	old := resolveFault
	resolveFault = f
	return func() { resolveFault = old }
}

// QueuedWrites returns how many writes wait for the committer.
func QueuedWrites(s *Store) int { return len(s.writer.ops) }
