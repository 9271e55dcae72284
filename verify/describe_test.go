package verify_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/verify"
)

// describeSecret is the secret every verifier below is built with; no
// description may show it.
const describeSecret = "Secret-To-Show-Nobody-42"

// credentialNamer is sdk.CredentialNamer, which verify implements without
// importing sdk.
type credentialNamer interface {
	CredentialNames() (headers, params []string)
}

// Every verifier says in words what it checks, and names the headers and
// query parameters that carry its credentials, never showing a secret or a
// Go type name.
func TestDescriptionsAndCredentialNames(t *testing.T) {
	t.Parallel()
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte(describeSecret))
	whpk := "whpk_" + base64.StdEncoding.EncodeToString(pub)
	must := func(v verify.Verifier, err error) verify.Verifier {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	github := must(verify.GitHub(describeSecret))
	allow := must(verify.IPAllow(verify.IPAllowOpts{Allow: []string{"192.30.252.0/22", "2001:db8::/32", "10.1.2.3"}}))
	bearer := must(verify.Bearer(describeSecret))
	queryToken := must(verify.Token(verify.TokenOpts{Query: "key"}, describeSecret))
	basic := must(verify.Basic(map[string]string{"deployer": describeSecret}))
	tests := []struct {
		name            string
		v               verify.Verifier
		want            string
		headers, params []string
	}{
		{"GitHub", github, "GitHub signature (X-Hub-Signature-256, HMAC-SHA256)", []string{"X-Hub-Signature-256", "X-Hub-Signature"}, nil},
		{"GitHub with SHA-1", must(verify.GitHubWithOptions(verify.GitHubOpts{AllowSHA1: true}, describeSecret)),
			"GitHub signature (X-Hub-Signature-256, HMAC-SHA256; or X-Hub-Signature, HMAC-SHA1)", []string{"X-Hub-Signature-256", "X-Hub-Signature"}, nil},
		{"GitLab", must(verify.GitLab(describeSecret)), "token in X-Gitlab-Token", []string{"X-Gitlab-Token"}, nil},
		{"Gitea", must(verify.Gitea(describeSecret)), "Gitea signature (X-Gitea-Signature or X-Forgejo-Signature, HMAC-SHA256)",
			[]string{"X-Gitea-Signature", "X-Forgejo-Signature", "X-Gogs-Signature", "X-Hub-Signature-256", "X-Hub-Signature"}, nil},
		{"Gogs", must(verify.Gogs(describeSecret)), "Gogs signature (X-Gogs-Signature, HMAC-SHA256)", []string{"X-Gogs-Signature"}, nil},
		{"Bitbucket", must(verify.Bitbucket(describeSecret)), "Bitbucket signature (X-Hub-Signature, HMAC-SHA256)", []string{"X-Hub-Signature"}, nil},
		{"Standard Webhooks", must(verify.StandardWebhooks(verify.StandardWebhooksOpts{}, whsec, whpk)),
			"Standard Webhooks signature (Webhook-Signature or Svix-Signature, HMAC-SHA256 or Ed25519, timestamp within 5m0s)",
			[]string{"Webhook-Signature", "Svix-Signature"}, nil},
		{"Stripe", must(verify.Stripe(verify.TimestampOpts{}, "whsec_"+describeSecret)), "Stripe signature (Stripe-Signature, HMAC-SHA256, timestamp within 5m0s)",
			[]string{"Stripe-Signature"}, nil},
		{"Slack", must(verify.Slack(verify.TimestampOpts{Tolerance: 90e9}, describeSecret)), "Slack signature (X-Slack-Signature, HMAC-SHA256, timestamp within 1m30s)",
			[]string{"X-Slack-Signature"}, nil},
		{"HMAC", must(verify.HMAC(verify.HMACOpts{Header: "X-Signature"}, describeSecret)), "HMAC-SHA256 signature in X-Signature (hex)", []string{"X-Signature"}, nil},
		{"HMAC with everything", must(verify.HMAC(verify.HMACOpts{Header: "X-Sig", Algorithm: "sha512", Encoding: "base64", Prefix: "v1=",
			TimestampHeader: "X-Sig-Time", Template: "{timestamp}:{header:X-Id}:{body}"}, describeSecret)),
			`HMAC-SHA512 signature in X-Sig (base64 after "v1=", of "{timestamp}:{header:X-Id}:{body}", timestamp in X-Sig-Time within 5m0s)`, []string{"X-Sig"}, nil},
		{"token header", must(verify.Token(verify.TokenOpts{Header: "X-Relay-Key"}, describeSecret)), "token in X-Relay-Key", []string{"X-Relay-Key"}, nil},
		{"token query", queryToken, "token in query parameter key", nil, []string{"key"}},
		{"bearer", bearer, "bearer token in Authorization", []string{"Authorization"}, nil},
		{"basic", basic, "Basic user name and password in Authorization", []string{"Authorization"}, nil},
		{"IP allowlist", allow, "client IP in 192.30.252.0/22, 2001:db8::/32, 10.1.2.3", nil, nil},
		{"IP allowlist behind a proxy", must(verify.IPAllow(verify.IPAllowOpts{Allow: []string{"192.30.252.0/22"}, TrustedProxies: []string{"10.0.0.0/8"}})),
			"client IP in 192.30.252.0/22 (forwarded by proxies in 10.0.0.0/8)", nil, nil},
		{"all", verify.All(allow, github), "all of: client IP in 192.30.252.0/22, 2001:db8::/32, 10.1.2.3; GitHub signature (X-Hub-Signature-256, HMAC-SHA256)",
			[]string{"X-Hub-Signature-256", "X-Hub-Signature"}, nil},
		{"any", verify.Any(bearer, basic, queryToken), "any of: bearer token in Authorization; Basic user name and password in Authorization; token in query parameter key",
			[]string{"Authorization"}, []string{"key"}},
		{"nested", verify.Any(verify.All(allow, bearer), verify.VerifierFunc(func(*http.Request, []byte) error { return nil })),
			"any of: all of: client IP in 192.30.252.0/22, 2001:db8::/32, 10.1.2.3; bearer token in Authorization; custom check", []string{"Authorization"}, nil},
		{"all of nothing", verify.All(), "refuses every request (all: no verifiers given)", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := fmt.Sprint(tt.v)
			if got != tt.want {
				t.Errorf("description\n got %s\nwant %s", got, tt.want)
			}
			for _, format := range []string{"%v", "%+v", "%s"} {
				s := fmt.Sprintf(format, tt.v)
				if strings.Contains(s, describeSecret) || strings.Contains(s, "deployer") || strings.Contains(s, "verify.") {
					t.Errorf("%s shows a secret, a user name or a Go type: %s", format, s)
				}
			}
			c, ok := tt.v.(credentialNamer)
			if !ok {
				t.Fatalf("%s does not name its credentials", got)
			}
			headers, params := c.CredentialNames()
			if !slices.Equal(headers, tt.headers) || !slices.Equal(params, tt.params) {
				t.Errorf("CredentialNames() = %q, %q; want %q, %q", headers, params, tt.headers, tt.params)
			}
		})
	}
}
