package verify

import (
	"errors"
	"net/http"
)

// Verifier checks one incoming request. r is the original request (headers,
// URL query, RemoteAddr); body is the raw body, already read by the server
// (r.Body must not be read). Verify returns nil if the request is authentic
// and an *Error otherwise.
type Verifier interface {
	Verify(r *http.Request, body []byte) error
}

// VerifierFunc adapts an ordinary function to the Verifier interface.
type VerifierFunc func(r *http.Request, body []byte) error

// Verify calls f(r, body).
func (f VerifierFunc) Verify(r *http.Request, body []byte) error { return f(r, body) }

// All returns a Verifier that passes only if every one of vs passes; it
// returns the first failure. With no verifiers (or a nil one) it fails
// closed: every request is rejected with ErrConfig.
func All(vs ...Verifier) Verifier {
	vs = append([]Verifier(nil), vs...)
	if err := checkList("all", vs); err != nil {
		return failing{err}
	}
	return VerifierFunc(func(r *http.Request, body []byte) error {
		for _, v := range vs {
			if err := v.Verify(r, body); err != nil {
				return err
			}
		}
		return nil
	})
}

// Any returns a Verifier that passes if at least one of vs passes. When all
// fail it returns the first failure that is not ErrMissing (the scheme the
// sender apparently attempted), or else the first failure. With no verifiers
// (or a nil one) it fails closed: every request is rejected with ErrConfig.
func Any(vs ...Verifier) Verifier {
	vs = append([]Verifier(nil), vs...)
	if err := checkList("any", vs); err != nil {
		return failing{err}
	}
	return VerifierFunc(func(r *http.Request, body []byte) error {
		var first, attempted error
		for _, v := range vs {
			err := v.Verify(r, body)
			if err == nil {
				return nil
			}
			if first == nil {
				first = err
			}
			if attempted == nil && !errors.Is(err, ErrMissing) {
				attempted = err
			}
		}
		if attempted != nil {
			return attempted
		}
		return first
	})
}

func checkList(check string, vs []Verifier) error {
	if len(vs) == 0 {
		return configErr(check, "no verifiers given")
	}
	for _, v := range vs {
		if f, ok := v.(VerifierFunc); v == nil || ok && f == nil {
			return configErr(check, "nil verifier given")
		}
	}
	return nil
}

// failing rejects every request with a fixed error.
type failing struct{ err error }

func (f failing) Verify(*http.Request, []byte) error { return f.err }
