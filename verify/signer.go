package verify

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Signer produces the headers a real sender attaches to a webhook delivery.
type Signer interface {
	Sign(body []byte, now time.Time) (http.Header, error)
}

// SignerOpts carries scheme-specific settings for NewSigner.
type SignerOpts struct {
	// MessageID is the webhook-id (svix-id) for "standard-webhooks" and
	// "svix"; when empty each Sign call generates a random "msg_..." id.
	MessageID string
	// HMAC describes the "hmac" scheme.
	HMAC HMACOpts
	// Header holds extra headers to send along; for "hmac" they also supply
	// the values of {header:Name} template placeholders.
	Header http.Header
	// TokenHeader is the header for "token" (default "X-Webhook-Token").
	TokenHeader string
	// User is the user name for "basic" (default "hookpoint").
	User string
}

// DefaultTokenHeader is the header the "token" signer uses by default.
const DefaultTokenHeader = "X-Webhook-Token"

var schemes = []string{
	"github", "github-sha1", "gitlab", "gitea", "gogs", "bitbucket",
	"standard-webhooks", "svix", "stripe", "slack", "hmac", "token", "bearer", "basic",
}

// Schemes returns the scheme names NewSigner accepts.
func Schemes() []string { return slices.Clone(schemes) }

// signerFunc adapts a function to Signer, adding extra headers.
type signerFunc struct {
	extra http.Header
	sign  func(h http.Header, body []byte, now time.Time) error
}

func (s signerFunc) Sign(body []byte, now time.Time) (http.Header, error) {
	h := s.extra.Clone()
	if h == nil {
		h = http.Header{}
	}
	if err := s.sign(h, body, now); err != nil {
		return nil, err
	}
	return h, nil
}

// NewSigner returns a Signer for scheme (one of Schemes) keyed with secret.
// An empty secret is an error wrapping ErrNoSecret, an unknown scheme or bad
// options an error wrapping ErrConfig.
func NewSigner(scheme, secret string, opts SignerOpts) (Signer, error) {
	const check = "signer"
	if !slices.Contains(schemes, scheme) {
		return nil, configErr(check, "unknown scheme "+strconv.Quote(scheme))
	}
	if secret == "" {
		return nil, noSecret(check, "no secret configured")
	}
	key := []byte(secret)
	var sign func(h http.Header, body []byte, now time.Time) error
	switch scheme {
	case "github", "github-sha1", "gitea", "gogs", "bitbucket":
		sign = func(h http.Header, body []byte, _ time.Time) error {
			s256 := hex.EncodeToString(macSum(sha256.New, key, body))
			s1 := "sha1=" + hex.EncodeToString(macSum(sha1.New, key, body))
			switch scheme {
			case "github":
				h.Set(HeaderGitHubSignature256, "sha256="+s256)
				h.Set(HeaderGitHubSignature, s1)
			case "github-sha1":
				h.Set(HeaderGitHubSignature, s1)
			case "gitea":
				h.Set(HeaderGiteaSignature, s256)
				h.Set(HeaderGogsSignature, s256)
				h.Set(HeaderGitHubSignature, s1)
				h.Set(HeaderGitHubSignature256, "sha256="+s256)
			case "gogs":
				h.Set(HeaderGogsSignature, s256)
			case "bitbucket":
				h.Set(HeaderGitHubSignature, "sha256="+s256)
			}
			return nil
		}
	case "gitlab", "token", "bearer":
		if strings.ContainsAny(secret, "\r\n") {
			return nil, configErr(check, "token contains a line break")
		}
		name, value := HeaderGitLabToken, secret
		switch scheme {
		case "token":
			name = opts.TokenHeader
			if name == "" {
				name = DefaultTokenHeader
			}
			if !validHeaderName(name) {
				return nil, configErr(check, "TokenHeader must be a valid header name")
			}
		case "bearer":
			name, value = "Authorization", "Bearer "+secret
		}
		sign = func(h http.Header, _ []byte, _ time.Time) error {
			h.Set(name, value)
			return nil
		}
	case "basic":
		user := opts.User
		if user == "" {
			user = Realm
		}
		if strings.Contains(user, ":") {
			return nil, configErr(check, "basic user name contains a colon")
		}
		value := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
		sign = func(h http.Header, _ []byte, _ time.Time) error {
			h.Set("Authorization", value)
			return nil
		}
	case "standard-webhooks", "svix":
		k, err := parseStandardSecret(secret)
		if err != nil {
			return nil, noSecret(check, "secret "+err.Error())
		}
		if k.hmac == nil && k.priv == nil {
			return nil, configErr(check, "cannot sign with a public key")
		}
		idH, tsH, sigH := HeaderWebhookID, HeaderWebhookTimestamp, HeaderWebhookSignature
		if scheme == "svix" {
			idH, tsH, sigH = HeaderSvixID, HeaderSvixTimestamp, HeaderSvixSignature
		}
		sign = func(h http.Header, body []byte, now time.Time) error {
			id := opts.MessageID
			if id == "" {
				id = "msg_" + rand.Text()
			}
			ts := strconv.FormatInt(now.Unix(), 10)
			prefix := []byte(id + "." + ts + ".")
			var sig string
			if k.hmac != nil {
				sig = "v1," + base64.StdEncoding.EncodeToString(macSum(sha256.New, k.hmac, prefix, body))
			} else {
				msg := append(prefix, body...)
				sig = "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, msg))
			}
			h.Set(idH, id)
			h.Set(tsH, ts)
			h.Set(sigH, sig)
			return nil
		}
	case "stripe":
		sign = func(h http.Header, body []byte, now time.Time) error {
			t := now.Unix()
			sum := macSum(sha256.New, key, []byte(strconv.FormatInt(t, 10)+"."), body)
			h.Set(HeaderStripeSignature, formatStripeSignature(t, sum))
			return nil
		}
	case "slack":
		sign = func(h http.Header, body []byte, now time.Time) error {
			ts := strconv.FormatInt(now.Unix(), 10)
			h.Set(HeaderSlackTimestamp, ts)
			h.Set(HeaderSlackSignature, "v0="+hex.EncodeToString(macSum(sha256.New, key, []byte("v0:"+ts+":"), body)))
			return nil
		}
	case "hmac":
		if _, err := newHMACScheme(opts.HMAC); err != nil {
			return nil, err
		}
		sign = func(h http.Header, body []byte, now time.Time) error {
			sh, err := SignHMAC(opts.HMAC, secret, body, now, h)
			if err != nil {
				return err
			}
			for k, v := range sh {
				h[k] = v
			}
			return nil
		}
	}
	return signerFunc{extra: opts.Header.Clone(), sign: sign}, nil
}
