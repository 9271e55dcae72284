package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vector is one entry of testdata/signatures.json (see testdata/README.md).
type vector struct {
	ID         string            `json:"id"`
	Provider   string            `json:"provider"`
	Scheme     string            `json:"scheme"`
	Secret     string            `json:"secret"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	BodyFile   string            `json:"body_file"`
	BodySHA256 string            `json:"body_sha256"`
	Now        int64             `json:"now"`
	Tolerance  int64             `json:"tolerance_seconds"`
	Expected   string            `json:"expected"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "signatures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors in testdata/signatures.json")
	}
	return file.Vectors
}

// body returns the vector's exact request body, checking body_file and
// body_sha256 when given.
func (v vector) body(t testing.TB) []byte {
	t.Helper()
	if v.BodyFile == "" {
		return []byte(v.Body)
	}
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(v.BodyFile)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, []byte(v.Body)) {
		t.Fatalf("%s: testdata/%s differs from the vector's body", v.ID, v.BodyFile)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != v.BodySHA256 {
		t.Fatalf("%s: body_sha256 mismatch for %s", v.ID, v.BodyFile)
	}
	return b
}

func (v vector) request(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	for k, val := range v.Headers {
		r.Header.Set(k, val)
	}
	return r
}

func (v vector) timestampOptions() TimestampOpts {
	o := TimestampOpts{Tolerance: time.Duration(v.Tolerance) * time.Second}
	if v.Now != 0 {
		now := time.Unix(v.Now, 0)
		o.Now = func() time.Time { return now }
	}
	return o
}

// verifierFor maps a vector's provider (and scheme) to a constructor. It
// returns an error for an unmapped provider so that no vector is skipped.
func verifierFor(v vector) (Verifier, error) {
	switch v.Provider {
	case "github":
		return GitHubWithOptions(GitHubOpts{AllowSHA1: strings.Contains(v.Scheme, "sha1")}, v.Secret)
	case "gitlab":
		return GitLab(v.Secret)
	case "gitea":
		return Gitea(v.Secret)
	case "gogs":
		return Gogs(v.Secret)
	case "bitbucket", "bitbucket-server":
		return Bitbucket(v.Secret)
	case "standard-webhooks", "svix":
		o := v.timestampOptions()
		return StandardWebhooks(StandardWebhooksOpts{Tolerance: o.Tolerance, Now: o.Now}, v.Secret)
	case "stripe":
		return Stripe(v.timestampOptions(), v.Secret)
	case "slack":
		return Slack(v.timestampOptions(), v.Secret)
	}
	return nil, errors.New("no verifier mapped for provider " + v.Provider)
}

func TestVectors(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range loadVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			if seen[v.ID] {
				t.Fatalf("duplicate vector id %s", v.ID)
			}
			seen[v.ID] = true
			if v.Expected != "valid" && v.Expected != "invalid" {
				t.Fatalf("unknown expectation %q", v.Expected)
			}
			body := v.body(t)
			ver, err := verifierFor(v)
			if err != nil {
				t.Fatal(err)
			}
			err = ver.Verify(v.request(body), body)
			if v.Expected == "valid" {
				if err != nil {
					t.Fatalf("valid vector rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid vector accepted")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if st := e.Status(); st != http.StatusBadRequest && st != http.StatusForbidden {
				t.Errorf("status %d for %v", st, err)
			}
			assertNoLeak(t, err, v.Secret)
			for _, hv := range v.Headers {
				if len(hv) >= 20 {
					assertNoLeak(t, err, hv)
				}
			}
		})
	}
}

// Specific expectations about how some vectors fail (or pass).
func TestVectorDetails(t *testing.T) {
	vs := map[string]vector{}
	for _, v := range loadVectors(t) {
		vs[v.ID] = v
	}
	get := func(id string) (vector, []byte) {
		v, ok := vs[id]
		if !ok {
			t.Fatalf("vector %s not found", id)
		}
		return v, v.body(t)
	}
	wantKind := func(id string, err, kind error) {
		t.Helper()
		if !errors.Is(err, kind) {
			t.Errorf("%s: got %v, want %v", id, err, kind)
		}
	}
	verify := func(v vector, body []byte) error {
		ver, err := verifierFor(v)
		if err != nil {
			t.Fatal(err)
		}
		return ver.Verify(v.request(body), body)
	}

	for id, kind := range map[string]error{
		"github-docs-tampered-body":  ErrMismatch,
		"github-docs-missing-prefix": ErrMalformed,
		"github-docs-wrong-secret":   ErrMismatch,
		"gitlab-token-mismatch":      ErrMismatch,
		"standard-webhooks-tampered": ErrMismatch,
		"standard-webhooks-wrong-id": ErrMismatch,
		"standard-webhooks-too-old":  ErrExpired,
		"standard-webhooks-too-new":  ErrExpired,
		"stripe-only-v0":             ErrMismatch,
		"stripe-tampered":            ErrMismatch,
		"stripe-too-old":             ErrExpired,
		"slack-docs-stale":           ErrExpired,
	} {
		v, body := get(id)
		wantKind(id, verify(v, body), kind)
	}

	// SHA-1 is legacy: without AllowSHA1 the vector is rejected as missing
	// its SHA-256 header.
	v, body := get("github-docs-hello-world-sha1")
	g, _ := GitHub(v.Secret)
	wantKind(v.ID, g.Verify(v.request(body), body), ErrMissing)

	// Gitea's form delivery signs the decoded payload field, not the raw body.
	v, body = get("gitea-live-push-form")
	r := v.request(body)
	r.Header.Del("Content-Type")
	gt, _ := Gitea(v.Secret)
	wantKind(v.ID+" as raw body", gt.Verify(r, body), ErrMismatch)
	// The decoded payload is byte-identical to the JSON delivery of the same push.
	jv, jbody := get("gitea-live-push")
	if p, err := giteaPayload(v.request(body), body); err != nil || !bytes.Equal(p, jbody) {
		t.Errorf("decoded form payload differs from %s (err %v)", jv.ID, err)
	}

	// Gitea also sends X-Hub-Signature-256 over the raw JSON body, which the
	// GitHub verifier accepts.
	for _, id := range []string{"gitea-push", "gitea-live-push", "gitea-live-pull_request.closed.merged"} {
		v, body := get(id)
		g, _ := GitHub(v.Secret)
		if err := g.Verify(v.request(body), body); err != nil {
			t.Errorf("%s via GitHub verifier: %v", id, err)
		}
	}

	// Forgejo's header name is accepted too.
	v, body = get("gitea-push")
	r = v.request(body)
	r.Header.Set(HeaderForgejoSignature, r.Header.Get(HeaderGiteaSignature))
	r.Header.Del(HeaderGiteaSignature)
	if err := gt.Verify(r, body); err == nil {
		t.Errorf("gitea-push verified with the live secret")
	}
	gp, _ := Gitea(v.Secret)
	if err := gp.Verify(r, body); err != nil {
		t.Errorf("gitea-push via X-Forgejo-Signature: %v", err)
	}
}

// assertNoLeak fails if err's text (or Reason/Challenge) contains s.
func assertNoLeak(t *testing.T, err error, s string) {
	t.Helper()
	if s == "" || err == nil {
		return
	}
	texts := []string{err.Error()}
	var e *Error
	if errors.As(err, &e) {
		texts = append(texts, e.Reason, e.Challenge, e.Header)
	}
	for _, txt := range texts {
		if strings.Contains(txt, s) {
			t.Errorf("error text %q leaks %q", txt, s)
		}
	}
}
