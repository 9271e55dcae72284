package verify

import (
	"crypto/sha1"
	"crypto/sha256"
	"net/http"
)

// GitHub signature headers.
const (
	HeaderGitHubSignature256 = "X-Hub-Signature-256"
	HeaderGitHubSignature    = "X-Hub-Signature" // legacy SHA-1
)

const checkGitHub = "github-signature"

// GitHubOpts tunes the GitHub verifier.
type GitHubOpts struct {
	// AllowSHA1 accepts the legacy "X-Hub-Signature: sha1=<hex>" header,
	// but only when X-Hub-Signature-256 is absent.
	AllowSHA1 bool
}

// GitHub verifies "X-Hub-Signature-256: sha256=<hex>", the HMAC-SHA256 of the
// raw body, against any of secrets.
func GitHub(secrets ...string) (Verifier, error) {
	return GitHubWithOptions(GitHubOpts{}, secrets...)
}

// GitHubWithOptions is GitHub with options.
func GitHubWithOptions(opts GitHubOpts, secrets ...string) (Verifier, error) {
	keys, err := secretKeys(checkGitHub, secrets)
	if err != nil {
		return nil, err
	}
	return &github{keys: keys, allowSHA1: opts.AllowSHA1}, nil
}

type github struct {
	keys      [][]byte
	allowSHA1 bool
}

func (g *github) Verify(r *http.Request, body []byte) error {
	if g.allowSHA1 && r != nil && len(r.Header.Values(HeaderGitHubSignature256)) == 0 &&
		len(r.Header.Values(HeaderGitHubSignature)) > 0 {
		return verifyPrefixedHex(r, body, checkGitHub, HeaderGitHubSignature, "sha1=", sha1.New, sha1.Size, g.keys)
	}
	return verifyPrefixedHex(r, body, checkGitHub, HeaderGitHubSignature256, "sha256=", sha256.New, sha256.Size, g.keys)
}

func (g *github) String() string {
	if g.allowSHA1 {
		return "GitHub signature (" + HeaderGitHubSignature256 + ", HMAC-SHA256; or " + HeaderGitHubSignature + ", HMAC-SHA1)"
	}
	return "GitHub signature (" + HeaderGitHubSignature256 + ", HMAC-SHA256)"
}

// CredentialNames names both signature headers: GitHub sends the legacy
// one too, whether or not it is checked.
func (g *github) CredentialNames() (headers, params []string) {
	return []string{HeaderGitHubSignature256, HeaderGitHubSignature}, nil
}
