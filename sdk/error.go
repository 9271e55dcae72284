package sdk

import (
	"fmt"
	"net/http"
)

// HTTPError is an error answered with its status and the JSON body
// {"detail": Detail}: the seed's HTTPException.
type HTTPError struct {
	// Status is the HTTP status code.
	Status int
	// Detail is the text sent to the client.
	Detail string
	// Header holds extra response headers, e.g. Allow or Retry-After.
	Header http.Header
	// Err is the underlying cause; it is logged, never sent.
	Err error
}

// Error returns an HTTPError with status and detail.
func Error(status int, detail string) *HTTPError {
	return &HTTPError{Status: status, Detail: detail}
}

// Errorf returns an HTTPError with status and a formatted detail. A %w
// verb also records the wrapped error as the cause.
func Errorf(status int, format string, args ...any) *HTTPError {
	err := fmt.Errorf(format, args...)
	return &HTTPError{Status: status, Detail: err.Error(), Err: unwrapOne(err)}
}

func unwrapOne(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

func (e *HTTPError) Error() string {
	if e.Err != nil && e.Err.Error() != e.Detail {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Detail, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Detail)
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }
