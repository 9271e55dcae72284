package verify

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

const checkToken = "token"

// TokenOpts says where Token looks for the shared token. Exactly one of
// Header and Query must be set.
type TokenOpts struct {
	Header string // request header, e.g. "X-Webhook-Token"
	Query  string // URL query parameter, e.g. "token"
}

// Token verifies a shared token sent verbatim in a header or a query
// parameter against any of tokens, in constant time.
func Token(opts TokenOpts, tokens ...string) (Verifier, error) {
	if (opts.Header == "") == (opts.Query == "") {
		return nil, configErr(checkToken, "exactly one of Header and Query must be set")
	}
	set, err := newTokenSet(checkToken, tokens)
	if err != nil {
		return nil, err
	}
	if opts.Header != "" {
		return headerToken{check: checkToken, header: opts.Header, set: set}, nil
	}
	return queryToken{param: opts.Query, set: set}, nil
}

// tokenSet holds SHA-256 digests of the accepted tokens: comparing
// fixed-size digests in constant time does not leak token lengths.
type tokenSet [][sha256.Size]byte

func newTokenSet(check string, tokens []string) (tokenSet, error) {
	if len(tokens) == 0 {
		return nil, noSecret(check, "no token configured")
	}
	set := make(tokenSet, len(tokens))
	for i, t := range tokens {
		if t == "" {
			return nil, noSecret(check, "empty token configured")
		}
		set[i] = sha256.Sum256([]byte(t))
	}
	return set, nil
}

// match reports in constant time whether v is one of the tokens. It always
// compares against every token.
func (s tokenSet) match(v string) bool {
	h := sha256.Sum256([]byte(v))
	ok := 0
	for i := range s {
		ok |= subtle.ConstantTimeCompare(h[:], s[i][:])
	}
	return ok == 1
}

type headerToken struct {
	check, header string
	set           tokenSet
}

func (t headerToken) String() string { return "token in " + t.header }

func (t headerToken) CredentialNames() (headers, params []string) {
	return []string{t.header}, nil
}

func (t headerToken) Verify(r *http.Request, _ []byte) error {
	name, value, err := headerValue(r, t.check, t.header)
	if err != nil {
		return err
	}
	if !t.set.match(value) {
		return newErr(t.check, name, ErrMismatch, name+" token does not match")
	}
	return nil
}

type queryToken struct {
	param string
	set   tokenSet
}

func (t queryToken) String() string { return "token in query parameter " + t.param }

func (t queryToken) CredentialNames() (headers, params []string) {
	return nil, []string{t.param}
}

func (t queryToken) Verify(r *http.Request, _ []byte) error {
	var vals []string
	if r != nil && r.URL != nil {
		vals = r.URL.Query()[t.param]
	}
	value := ""
	for i, v := range vals {
		v = strings.TrimSpace(v)
		if i > 0 && v != value {
			return newErr(checkToken, t.param, ErrMalformed, "query parameter "+t.param+" is given several times with different values")
		}
		value = v
	}
	if value == "" {
		return newErr(checkToken, t.param, ErrMissing, "query parameter "+t.param+" is missing")
	}
	if !t.set.match(value) {
		return newErr(checkToken, t.param, ErrMismatch, "query parameter "+t.param+" token does not match")
	}
	return nil
}
