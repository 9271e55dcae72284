package verify

import (
	"crypto/sha256"
	"mime"
	"net/http"
	"net/url"
)

// Gitea and Forgejo signature headers.
const (
	HeaderGiteaSignature   = "X-Gitea-Signature"
	HeaderForgejoSignature = "X-Forgejo-Signature"
)

const checkGitea = "gitea-signature"

// Gitea verifies "X-Gitea-Signature: <hex>" (or X-Forgejo-Signature), the
// bare hex HMAC-SHA256 of the payload. For application/json deliveries the
// payload is the raw body. For application/x-www-form-urlencoded deliveries
// Gitea signs the URL-decoded value of the "payload" form field, not the raw
// body; for GET hooks with an empty body the "payload" query parameter is
// used.
func Gitea(secrets ...string) (Verifier, error) {
	keys, err := secretKeys(checkGitea, secrets)
	if err != nil {
		return nil, err
	}
	return &gitea{keys: keys}, nil
}

type gitea struct{ keys [][]byte }

func (g *gitea) Verify(r *http.Request, body []byte) error {
	name, value, err := headerValue(r, checkGitea, HeaderGiteaSignature, HeaderForgejoSignature)
	if err != nil {
		return err
	}
	sig, err := bareHex(checkGitea, name, value)
	if err != nil {
		return err
	}
	payload, err := giteaPayload(r, body)
	if err != nil {
		return err
	}
	if !macMatch(sha256.New, g.keys, [][]byte{sig}, payload) {
		return mismatch(checkGitea, name)
	}
	return nil
}

func (*gitea) String() string {
	return "Gitea signature (" + HeaderGiteaSignature + " or " + HeaderForgejoSignature + ", HMAC-SHA256)"
}

// CredentialNames names the headers Gitea and Forgejo sign under: besides
// their own, they send the same signature under the Gogs and GitHub names.
func (*gitea) CredentialNames() (headers, params []string) {
	return []string{HeaderGiteaSignature, HeaderForgejoSignature, HeaderGogsSignature, HeaderGitHubSignature256, HeaderGitHubSignature}, nil
}

// giteaPayload returns the bytes Gitea signs for this delivery.
func giteaPayload(r *http.Request, body []byte) ([]byte, error) {
	if isForm(r) {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, newErr(checkGitea, "payload", ErrMalformed, "form body cannot be parsed")
		}
		return singlePayload(vals)
	}
	if len(body) == 0 && r.Method == http.MethodGet && r.URL != nil {
		if vals, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(vals["payload"]) > 0 {
			return singlePayload(vals)
		}
	}
	return body, nil
}

func singlePayload(vals url.Values) ([]byte, error) {
	p := vals["payload"]
	switch {
	case len(p) == 0:
		return nil, newErr(checkGitea, "payload", ErrMissing, "form field payload is missing")
	case len(p) > 1:
		return nil, newErr(checkGitea, "payload", ErrMalformed, "form field payload is given several times")
	}
	return []byte(p[0]), nil
}

// isForm reports whether r declares an application/x-www-form-urlencoded body.
func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// bareHex decodes a bare hex SHA-256 signature header.
func bareHex(check, header, value string) ([]byte, error) {
	sig, ok := decodeHex(value, sha256.Size)
	if !ok {
		return nil, newErr(check, header, ErrMalformed, header+" header must be 64 hex digits")
	}
	return sig, nil
}
