package verify

import (
	"net/http"
	"strings"
)

const checkBearer = "bearer-token"

const bearerChallenge = `Bearer realm="` + Realm + `"`

// Bearer verifies "Authorization: Bearer <token>" against any of tokens, in
// constant time. Every failure is ErrUnauthorized (401): a missing or
// malformed header carries the challenge `Bearer realm="hookpoint"`, a wrong
// token adds `error="invalid_token"` (RFC 6750).
func Bearer(tokens ...string) (Verifier, error) {
	set, err := newTokenSet(checkBearer, tokens)
	if err != nil {
		return nil, err
	}
	return bearer{set}, nil
}

type bearer struct{ set tokenSet }

func (bearer) String() string { return "bearer token in Authorization" }

func (bearer) CredentialNames() (headers, params []string) {
	return []string{"Authorization"}, nil
}

func (b bearer) Verify(r *http.Request, _ []byte) error {
	fail := func(reason, challenge string) error {
		return &Error{Check: checkBearer, Header: "Authorization", Kind: ErrUnauthorized, Reason: reason, Challenge: challenge}
	}
	_, value, err := headerValue(r, checkBearer, "Authorization")
	if err != nil {
		return fail("Authorization header is missing or repeated", bearerChallenge)
	}
	scheme, token, ok := strings.Cut(value, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return fail("Authorization header does not carry a Bearer token", bearerChallenge)
	}
	if !b.set.match(token) {
		return fail("wrong bearer token", bearerChallenge+`, error="invalid_token"`)
	}
	return nil
}
