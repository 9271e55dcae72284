package store

import (
	"context"
	"errors"
)

// SetResolveFault makes resolving deliveries seen before fail with f's
// error after a pipeline has committed, until the returned func is called.
func SetResolveFault(f func() error) (restore func()) {
	old := resolveFault
	resolveFault = f
	return func() { resolveFault = old }
}

// QueuedWrites returns how many writes wait for the committer.
func QueuedWrites(s *Store) int { return len(s.writer.ops) }

// QueryAlone runs one statement outside the group commit (PostgreSQL).
func (s *Store) QueryAlone(ctx context.Context, read func(Rows) error, query string, args ...any) error {
	p, ok := s.engine.(*postgresEngine)
	if !ok {
		return errors.New("queryAlone is for PostgreSQL")
	}
	return p.queryAlone(ctx, read, query, args...)
}
