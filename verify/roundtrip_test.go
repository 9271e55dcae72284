package verify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Unix(1_700_000_000, 0)

func fixedClock() time.Time { return testNow }

// testHMACOptions exercises every template feature.
var testHMACOptions = HMACOpts{
	Header:          "X-Signature",
	Algorithm:       "sha512",
	Encoding:        "base64",
	Prefix:          "sha512=",
	TimestampHeader: "X-Timestamp",
	Template:        "{timestamp}:{header:X-Event}:{body}",
	Now:             fixedClock,
}

// rtCase describes how a Signer scheme maps to its Verifier.
type rtCase struct {
	scheme    string
	secret    func(i int) string // i-th distinct secret
	verifier  func(secrets ...string) (Verifier, error)
	opts      SignerOpts
	sigHeader string // header to tamper with
	sigMarker string // the signature starts after this marker in the header value
	bodyBound bool   // the signature covers the body
	authKind  error  // kind for wrong credentials
	missKind  error  // kind for missing credentials
}

func plainSecret(i int) string { return "s3cr3t-value-" + string(rune('A'+i)) }

func whsecSecret(i int) string {
	return PrefixSymmetricSecret + base64.StdEncoding.EncodeToString([]byte("sw-key-material-"+string(rune('A'+i))))
}

func rtCases() []rtCase {
	ts := TimestampOpts{Now: fixedClock}
	sw := StandardWebhooksOpts{Now: fixedClock}
	c := []rtCase{
		{scheme: "github", verifier: GitHub, sigHeader: HeaderGitHubSignature256, sigMarker: "sha256="},
		{scheme: "github-sha1", verifier: func(s ...string) (Verifier, error) {
			return GitHubWithOptions(GitHubOpts{AllowSHA1: true}, s...)
		}, sigHeader: HeaderGitHubSignature, sigMarker: "sha1="},
		{scheme: "gitlab", verifier: GitLab, sigHeader: HeaderGitLabToken},
		{scheme: "gitea", verifier: Gitea, sigHeader: HeaderGiteaSignature},
		{scheme: "gogs", verifier: Gogs, sigHeader: HeaderGogsSignature},
		{scheme: "bitbucket", verifier: Bitbucket, sigHeader: HeaderGitHubSignature, sigMarker: "sha256="},
		{scheme: "standard-webhooks", secret: whsecSecret, verifier: func(s ...string) (Verifier, error) {
			return StandardWebhooks(sw, s...)
		}, sigHeader: HeaderWebhookSignature, sigMarker: "v1,"},
		{scheme: "svix", secret: whsecSecret, verifier: func(s ...string) (Verifier, error) {
			return StandardWebhooks(sw, s...)
		}, sigHeader: HeaderSvixSignature, sigMarker: "v1,", opts: SignerOpts{MessageID: "msg_fixed"}},
		{scheme: "stripe", secret: func(i int) string { return "whsec_" + plainSecret(i) }, verifier: func(s ...string) (Verifier, error) {
			return Stripe(ts, s...)
		}, sigHeader: HeaderStripeSignature, sigMarker: "v1="},
		{scheme: "slack", verifier: func(s ...string) (Verifier, error) { return Slack(ts, s...) },
			sigHeader: HeaderSlackSignature, sigMarker: "v0="},
		{scheme: "hmac", verifier: func(s ...string) (Verifier, error) { return HMAC(testHMACOptions, s...) },
			opts:      SignerOpts{HMAC: testHMACOptions, Header: http.Header{"X-Event": {"push"}}},
			sigHeader: "X-Signature", sigMarker: "sha512="},
		{scheme: "token", verifier: func(s ...string) (Verifier, error) {
			return Token(TokenOpts{Header: DefaultTokenHeader}, s...)
		}, sigHeader: DefaultTokenHeader},
		{scheme: "bearer", verifier: Bearer, sigHeader: "Authorization", sigMarker: "Bearer ",
			authKind: ErrUnauthorized, missKind: ErrUnauthorized},
		{scheme: "basic", verifier: func(s ...string) (Verifier, error) {
			users := map[string]string{}
			for i, p := range s {
				users[basicUser(i)] = p
			}
			return Basic(users)
		}, sigHeader: "Authorization", sigMarker: "Basic ", authKind: ErrUnauthorized, missKind: ErrUnauthorized},
	}
	for i := range c {
		if c[i].secret == nil {
			c[i].secret = plainSecret
		}
		if c[i].authKind == nil {
			c[i].authKind = ErrMismatch
		}
		if c[i].missKind == nil {
			c[i].missKind = ErrMissing
		}
		switch c[i].scheme {
		case "gitlab", "token", "bearer", "basic":
		default:
			c[i].bodyBound = true
		}
	}
	return c
}

func basicUser(i int) string { return "user" + string(rune('a'+i)) }

// signerFor returns the signer of tc for its i-th secret.
func signerFor(t testing.TB, tc rtCase, i int) Signer {
	t.Helper()
	opts := tc.opts
	if tc.scheme == "basic" {
		opts.User = basicUser(i)
	}
	s, err := NewSigner(tc.scheme, tc.secret(i), opts)
	if err != nil {
		t.Fatalf("NewSigner(%s): %v", tc.scheme, err)
	}
	return s
}

func signedRequest(t testing.TB, s Signer, body []byte) *http.Request {
	t.Helper()
	h, err := s.Sign(body, testNow)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

// tamper changes the first signature character after marker.
func tamper(t testing.TB, r *http.Request, header, marker string) {
	t.Helper()
	v := r.Header.Get(header)
	i := strings.Index(v, marker)
	if i < 0 {
		t.Fatalf("marker %q not in %s", marker, header)
	}
	i += len(marker)
	b := []byte(v)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	r.Header.Set(header, string(b))
}

func TestSchemesCovered(t *testing.T) {
	var got []string
	for _, tc := range rtCases() {
		got = append(got, tc.scheme)
	}
	if !slices.Equal(got, Schemes()) {
		t.Fatalf("round-trip cases %v != Schemes() %v", got, Schemes())
	}
}

func TestRoundTrip(t *testing.T) {
	body := []byte(`{"action":"opened","number":1}`)
	for _, tc := range rtCases() {
		t.Run(tc.scheme, func(t *testing.T) {
			v, err := tc.verifier(tc.secret(0))
			if err != nil {
				t.Fatal(err)
			}
			signer := signerFor(t, tc, 0)
			sigs := map[string]bool{}
			check := func(name string, r *http.Request, body []byte, kind error) {
				t.Helper()
				err := v.Verify(r, body)
				if kind == nil {
					if err != nil {
						t.Errorf("%s: %v", name, err)
					}
					return
				}
				if !errors.Is(err, kind) {
					t.Errorf("%s: got %v, want %v", name, err, kind)
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s: %T is not *Error", name, err)
				}
				if e.Check == "" || e.Reason == "" {
					t.Errorf("%s: incomplete error %#v", name, e)
				}
				if kind == ErrUnauthorized && (e.Challenge == "" || e.Status() != http.StatusUnauthorized) {
					t.Errorf("%s: 401 without challenge: %#v", name, e)
				}
				assertNoLeak(t, err, tc.secret(0))
				for s := range sigs {
					assertNoLeak(t, err, s)
				}
			}

			r := signedRequest(t, signer, body)
			for _, vals := range r.Header {
				sigs[vals[0]] = true
			}
			if sv := r.Header.Get(tc.sigHeader); sv != "" {
				_, after, _ := strings.Cut(sv, tc.sigMarker)
				sigs[after] = true
			}
			check("signed", r, body, nil)

			tampered := append(slices.Clone(body), ' ')
			if tc.bodyBound {
				check("tampered body", signedRequest(t, signer, body), tampered, ErrMismatch)
			} else {
				check("other body", signedRequest(t, signer, body), tampered, nil)
			}

			r = signedRequest(t, signer, body)
			tamper(t, r, tc.sigHeader, tc.sigMarker)
			sigs[r.Header.Get(tc.sigHeader)] = true
			check("tampered signature", r, body, tc.authKind)

			r = signedRequest(t, signer, body)
			r.Header.Del(tc.sigHeader)
			check("missing signature", r, body, tc.missKind)

			r = signedRequest(t, signer, body)
			r.Header.Add(tc.sigHeader, "different")
			check("duplicated header", r, body, map[bool]error{true: ErrMalformed, false: ErrUnauthorized}[tc.missKind == ErrMissing])

			r = signedRequest(t, signer, body)
			r.Header.Add(tc.sigHeader, r.Header.Get(tc.sigHeader))
			check("repeated identical header", r, body, nil)

			other := signerFor(t, tc, 2)
			check("wrong secret", signedRequest(t, other, body), body, tc.authKind)
		})
	}
}

func TestRotation(t *testing.T) {
	body := []byte(`{"zen":"Keep it logically awesome."}`)
	for _, tc := range rtCases() {
		t.Run(tc.scheme, func(t *testing.T) {
			v, err := tc.verifier(tc.secret(0), tc.secret(1))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := v.Verify(signedRequest(t, signerFor(t, tc, i), body), body); err != nil {
					t.Errorf("secret %d rejected: %v", i, err)
				}
			}
			if err := v.Verify(signedRequest(t, signerFor(t, tc, 2), body), body); !errors.Is(err, tc.authKind) {
				t.Errorf("third secret: got %v, want %v", err, tc.authKind)
			}
		})
	}
}

func TestEmptySecret(t *testing.T) {
	for _, tc := range rtCases() {
		t.Run(tc.scheme, func(t *testing.T) {
			for name, secrets := range map[string][]string{
				"none":        nil,
				"empty":       {""},
				"one empty":   {tc.secret(0), ""},
				"first empty": {"", tc.secret(0)},
			} {
				v, err := tc.verifier(secrets...)
				if v != nil || !errors.Is(err, ErrNoSecret) {
					t.Errorf("%s: got (%v, %v), want ErrNoSecret", name, v, err)
				}
				var e *Error
				if errors.As(err, &e) && e.Status() != http.StatusInternalServerError {
					t.Errorf("%s: status %d", name, e.Status())
				}
			}
			if s, err := NewSigner(tc.scheme, "", tc.opts); s != nil || !errors.Is(err, ErrNoSecret) {
				t.Errorf("NewSigner with empty secret: got (%v, %v)", s, err)
			}
		})
	}
}

func TestNewSignerErrors(t *testing.T) {
	if _, err := NewSigner("nope", "x", SignerOpts{}); !errors.Is(err, ErrConfig) {
		t.Errorf("unknown scheme: %v", err)
	}
	if _, err := NewSigner("standard-webhooks", "not base64!", SignerOpts{}); !errors.Is(err, ErrNoSecret) {
		t.Errorf("bad standard-webhooks secret: %v", err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	if _, err := NewSigner("standard-webhooks", PrefixPublicKey+base64.StdEncoding.EncodeToString(pub), SignerOpts{}); !errors.Is(err, ErrConfig) {
		t.Errorf("signing with a public key: %v", err)
	}
	if _, err := NewSigner("hmac", "x", SignerOpts{}); !errors.Is(err, ErrConfig) {
		t.Errorf("hmac without header: %v", err)
	}
	if _, err := NewSigner("bearer", "a\r\nX-Evil: 1", SignerOpts{}); !errors.Is(err, ErrConfig) {
		t.Errorf("token with line break: %v", err)
	}
	if _, err := NewSigner("basic", "pw", SignerOpts{User: "a:b"}); !errors.Is(err, ErrConfig) {
		t.Errorf("basic user with colon: %v", err)
	}
	if _, err := NewSigner("token", "pw", SignerOpts{TokenHeader: "bad header"}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad token header: %v", err)
	}
	s := Schemes()
	s[0] = "changed"
	if Schemes()[0] == "changed" {
		t.Error("Schemes returns shared slice")
	}
}

func TestSignerHeaders(t *testing.T) {
	body := []byte("Hello, World!")
	secret := "It's a Secret to Everybody"
	s, _ := NewSigner("github", secret, SignerOpts{Header: http.Header{"X-Github-Event": {"ping"}}})
	h, err := s.Sign(body, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"X-Hub-Signature":     "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59",
		"X-Github-Event":      "ping",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// Standard Webhooks spec vector.
	s, _ = NewSigner("standard-webhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SignerOpts{MessageID: "msg_p5jXN8AQM9LWM0D4loKWxJek"})
	h, _ = s.Sign([]byte(`{"test": 2432232314}`), time.Unix(1614265330, 0))
	if got := h.Get("webhook-signature"); got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("webhook-signature = %q", got)
	}

	// Stripe worked example.
	s, _ = NewSigner("stripe", "whsec_test_secret", SignerOpts{})
	h, _ = s.Sign([]byte("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}"), time.Unix(1614265330, 0))
	if got := h.Get("Stripe-Signature"); got != "t=1614265330,v1=af4ead0627a34a8cca29808e8de9ada8e41a92e6237c63cef6eacf51d36cca34" {
		t.Errorf("Stripe-Signature = %q", got)
	}

	// Random message ids differ per delivery.
	s, _ = NewSigner("svix", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SignerOpts{})
	h1, _ := s.Sign(body, testNow)
	h2, _ := s.Sign(body, testNow)
	id1, id2 := h1.Get("svix-id"), h2.Get("svix-id")
	if !strings.HasPrefix(id1, "msg_") || id1 == id2 {
		t.Errorf("message ids %q, %q", id1, id2)
	}

	// Basic default user.
	s, _ = NewSigner("basic", "pw", SignerOpts{})
	h, _ = s.Sign(nil, testNow)
	r := &http.Request{Header: h}
	if u, p, ok := r.BasicAuth(); !ok || u != "hookpoint" || p != "pw" {
		t.Errorf("basic auth = %q %q %v", u, p, ok)
	}
}
