package verify

import (
	"errors"
	"net/http"
	"slices"
	"strings"
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

// String says that the check is the caller's own code, which cannot
// describe itself.
func (f VerifierFunc) String() string { return "custom check" }

// All returns a Verifier that passes only if every one of vs passes; it
// returns the first failure. With no verifiers (or a nil one) it fails
// closed: every request is rejected with ErrConfig.
func All(vs ...Verifier) Verifier {
	vs = append([]Verifier(nil), vs...)
	if err := checkList("all", vs); err != nil {
		return failing{err}
	}
	return allOf(vs)
}

// allOf passes when every one of its verifiers passes.
type allOf []Verifier

func (a allOf) Verify(r *http.Request, body []byte) error {
	for _, v := range a {
		if err := v.Verify(r, body); err != nil {
			return err
		}
	}
	return nil
}

func (a allOf) String() string { return "all of: " + describeList(a) }

// CredentialNames returns the union of what its verifiers declare.
func (a allOf) CredentialNames() (headers, params []string) { return credentialUnion(a) }

// Any returns a Verifier that passes if at least one of vs passes. When all
// fail it returns the first failure that is not ErrMissing (the scheme the
// sender apparently attempted), or else the first failure. With no verifiers
// (or a nil one) it fails closed: every request is rejected with ErrConfig.
func Any(vs ...Verifier) Verifier {
	vs = append([]Verifier(nil), vs...)
	if err := checkList("any", vs); err != nil {
		return failing{err}
	}
	return anyOf(vs)
}

// anyOf passes when one of its verifiers passes.
type anyOf []Verifier

func (a anyOf) Verify(r *http.Request, body []byte) error {
	var first, attempted error
	for _, v := range a {
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
}

func (a anyOf) String() string { return "any of: " + describeList(a) }

// CredentialNames returns the union of what its verifiers declare: a
// request may carry the credentials of any of them.
func (a anyOf) CredentialNames() (headers, params []string) { return credentialUnion(a) }

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

func (f failing) String() string { return "refuses every request (" + f.err.Error() + ")" }

// CredentialNames declares nothing: no request gets as far as its
// credentials.
func (f failing) CredentialNames() (headers, params []string) { return nil, nil }

// describeList joins the descriptions of vs; a verifier that does not
// describe itself is named by what it is, never by its fields.
func describeList(vs []Verifier) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if s, ok := v.(interface{ String() string }); ok {
			parts[i] = s.String()
		} else {
			parts[i] = "custom check"
		}
	}
	return strings.Join(parts, "; ")
}

// credentialUnion returns the header and query parameter names that any of
// vs declares, each once (headers compared case-insensitively).
func credentialUnion(vs []Verifier) (headers, params []string) {
	for _, v := range vs {
		c, ok := v.(interface {
			CredentialNames() (headers, params []string)
		})
		if !ok {
			continue
		}
		hs, ps := c.CredentialNames()
		for _, h := range hs {
			if h = http.CanonicalHeaderKey(h); !slices.Contains(headers, h) {
				headers = append(headers, h)
			}
		}
		for _, p := range ps {
			if !slices.Contains(params, p) {
				params = append(params, p)
			}
		}
	}
	return headers, params
}
