package verify

import (
	"errors"
	"net/http"
)

// Sentinel error kinds. Every *Error carries one of them as its Kind, so
// callers can match with errors.Is.
var (
	// ErrMissing: a required header, credential or parameter is absent (400).
	ErrMissing = errors.New("verify: missing")
	// ErrMalformed: a header is present but cannot be parsed (400).
	ErrMalformed = errors.New("verify: malformed")
	// ErrMismatch: the signature or token is wrong (403).
	ErrMismatch = errors.New("verify: mismatch")
	// ErrExpired: the signed timestamp is outside the tolerance, in the past
	// or in the future (403).
	ErrExpired = errors.New("verify: expired")
	// ErrForbiddenAddress: the client IP is not in the allowlist (403).
	ErrForbiddenAddress = errors.New("verify: forbidden address")
	// ErrUnauthorized: Basic or Bearer credentials are missing or wrong (401,
	// with a WWW-Authenticate challenge).
	ErrUnauthorized = errors.New("verify: unauthorized")
	// ErrNoSecret: a verifier was constructed without a usable secret (a
	// configuration error, 500).
	ErrNoSecret = errors.New("verify: no secret")
	// ErrConfig: a verifier was constructed with invalid options (a
	// configuration error, 500).
	ErrConfig = errors.New("verify: invalid configuration")
)

// Error is the error every verifier returns on failure.
type Error struct {
	Check     string // failing check, e.g. "github-signature", "gitlab-token", "ip-allowlist"
	Header    string // header or query parameter involved, if any
	Kind      error  // one of the sentinel errors
	Reason    string // human text; never contains secrets or signature values
	Challenge string // WWW-Authenticate value for 401 responses
}

// Error returns "check: reason".
func (e *Error) Error() string {
	reason := e.Reason
	if reason == "" {
		if e.Kind != nil {
			reason = e.Kind.Error()
		} else {
			reason = "verification failed"
		}
		if e.Header != "" {
			reason = e.Header + ": " + reason
		}
	}
	if e.Check == "" {
		return reason
	}
	return e.Check + ": " + reason
}

// Unwrap returns e.Kind.
func (e *Error) Unwrap() error { return e.Kind }

// Status returns the HTTP status code to answer a failed request with:
// 400 for ErrMissing and ErrMalformed, 401 for ErrUnauthorized (and any error
// carrying a Challenge), 403 for ErrMismatch, ErrExpired and
// ErrForbiddenAddress, and 500 for the configuration errors ErrNoSecret and
// ErrConfig.
func (e *Error) Status() int {
	if e.Challenge != "" {
		return http.StatusUnauthorized
	}
	switch e.Kind {
	case ErrMissing, ErrMalformed:
		return http.StatusBadRequest
	case ErrUnauthorized:
		return http.StatusUnauthorized
	case ErrNoSecret, ErrConfig:
		return http.StatusInternalServerError
	default:
		return http.StatusForbidden
	}
}

func newErr(check, header string, kind error, reason string) *Error {
	return &Error{Check: check, Header: header, Kind: kind, Reason: reason}
}

func missingHeader(check, header string) *Error {
	return newErr(check, header, ErrMissing, header+" header is missing")
}

func mismatch(check, header string) *Error {
	return newErr(check, header, ErrMismatch, header+" signature does not match")
}

func configErr(check, reason string) *Error {
	return newErr(check, "", ErrConfig, reason)
}

func noSecret(check, reason string) *Error {
	return newErr(check, "", ErrNoSecret, reason)
}
