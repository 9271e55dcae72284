package verify

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// Realm is the realm announced in Basic and Bearer challenges.
const Realm = "hookpoint"

const checkBasic = "basic-auth"

// basicChallenge is the WWW-Authenticate value Basic failures carry.
const basicChallenge = `Basic realm="` + Realm + `"`

// Basic verifies HTTP Basic credentials against users (user name to
// password). Every failure, whether credentials are missing, malformed or
// wrong, is ErrUnauthorized (401) with a Basic challenge, so that clients may
// retry with other credentials. An empty map or an empty password is a
// construction error wrapping ErrNoSecret.
func Basic(users map[string]string) (Verifier, error) {
	if len(users) == 0 {
		return nil, noSecret(checkBasic, "no user configured")
	}
	b := &basic{}
	for u, p := range users {
		if p == "" {
			return nil, noSecret(checkBasic, "empty password configured")
		}
		b.creds = append(b.creds, [2][sha256.Size]byte{sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))})
	}
	return b, nil
}

type basic struct {
	creds [][2][sha256.Size]byte // digests of user and password
}

func (*basic) String() string { return "Basic user name and password in Authorization" }

func (*basic) CredentialNames() (headers, params []string) {
	return []string{"Authorization"}, nil
}

func (b *basic) Verify(r *http.Request, _ []byte) error {
	fail := func(reason string) error {
		return &Error{Check: checkBasic, Header: "Authorization", Kind: ErrUnauthorized, Reason: reason, Challenge: basicChallenge}
	}
	_, _, err := headerValue(r, checkBasic, "Authorization")
	if err != nil {
		return fail("Authorization header is missing or repeated")
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return fail("Authorization header does not carry Basic credentials")
	}
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	match := 0
	for _, c := range b.creds {
		match |= subtle.ConstantTimeCompare(u[:], c[0][:]) & subtle.ConstantTimeCompare(p[:], c[1][:])
	}
	if match != 1 {
		return fail("wrong user name or password")
	}
	return nil
}
