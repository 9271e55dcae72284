package verify

import (
	"crypto/sha256"
	"hash"
	"net/http"
)

const checkBitbucket = "bitbucket-signature"

// Bitbucket verifies "X-Hub-Signature: sha256=<hex>", the HMAC-SHA256 of the
// raw body, as sent by Bitbucket Cloud and Bitbucket Server/Data Center.
func Bitbucket(secrets ...string) (Verifier, error) {
	keys, err := secretKeys(checkBitbucket, secrets)
	if err != nil {
		return nil, err
	}
	return &bitbucket{keys: keys}, nil
}

type bitbucket struct{ keys [][]byte }

func (b *bitbucket) Verify(r *http.Request, body []byte) error {
	return verifyPrefixedHex(r, body, checkBitbucket, HeaderGitHubSignature, "sha256=", sha256.New, sha256.Size, b.keys)
}

func (*bitbucket) String() string {
	return "Bitbucket signature (" + HeaderGitHubSignature + ", HMAC-SHA256)"
}

func (*bitbucket) CredentialNames() (headers, params []string) {
	return []string{HeaderGitHubSignature}, nil
}

// verifyPrefixedHex checks a "<prefix><hex hmac>" header over the raw body.
func verifyPrefixedHex(r *http.Request, body []byte, check, header, prefix string, newHash func() hash.Hash, size int, keys [][]byte) error {
	name, value, err := headerValue(r, check, header)
	if err != nil {
		return err
	}
	sig, err := prefixedHex(check, name, value, prefix, size)
	if err != nil {
		return err
	}
	if !macMatch(newHash, keys, [][]byte{sig}, body) {
		return mismatch(check, name)
	}
	return nil
}
