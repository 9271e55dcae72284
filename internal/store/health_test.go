package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Which errors take the database down: the store's own deadline and a
// lost or refused connection do; a caller's context ending (even one that
// cuts a connect short, as at shutdown) and a refused statement do not.
func TestUnreachable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"the store's write deadline", fmt.Errorf("commit: %w: %w", errWriteTimeout, context.DeadlineExceeded), true},
		{"connection refused", fmt.Errorf("connect: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"connection lost", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"out of disk", &pgconn.PgError{Code: "53100"}, true},
		{"a caller's deadline", fmt.Errorf("exec: %w", context.DeadlineExceeded), false},
		{"a connect the caller cut short", fmt.Errorf("failed to connect: %w", &net.OpError{Op: "read", Net: "tcp", Err: context.Canceled}), false},
		{"a unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"a statement's own error", errors.New("no such column: x"), false},
	} {
		if got := unreachable(c.err); got != c.want {
			t.Errorf("%s: unreachable = %v, want %v", c.name, got, c.want)
		}
	}
}
