package verify

import (
	"crypto/sha256"
	"net/http"
)

// HeaderGogsSignature is the Gogs signature header.
const HeaderGogsSignature = "X-Gogs-Signature"

const checkGogs = "gogs-signature"

// Gogs verifies "X-Gogs-Signature: <hex>", the bare hex HMAC-SHA256 of the raw
// body.
func Gogs(secrets ...string) (Verifier, error) {
	keys, err := secretKeys(checkGogs, secrets)
	if err != nil {
		return nil, err
	}
	return &gogs{keys: keys}, nil
}

type gogs struct{ keys [][]byte }

func (g *gogs) Verify(r *http.Request, body []byte) error {
	name, value, err := headerValue(r, checkGogs, HeaderGogsSignature)
	if err != nil {
		return err
	}
	sig, err := bareHex(checkGogs, name, value)
	if err != nil {
		return err
	}
	if !macMatch(sha256.New, g.keys, [][]byte{sig}, body) {
		return mismatch(checkGogs, name)
	}
	return nil
}

func (*gogs) String() string { return "Gogs signature (" + HeaderGogsSignature + ", HMAC-SHA256)" }

func (*gogs) CredentialNames() (headers, params []string) {
	return []string{HeaderGogsSignature}, nil
}
