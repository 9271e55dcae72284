package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

// runHookpoint runs the built binary with stdin, extra environment and args.
// HOOKPOINT_SIGN_SECRET is cleared unless env sets it.
func runHookpoint(t *testing.T, stdin []byte, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), envSignSecret+"=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// parseHeaders turns printed "Name: value" lines into a request carrying
// them, checking the lines are sorted.
func parseHeaders(t *testing.T, out string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hook", nil)
	var names []string
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		k, v, ok := strings.Cut(line, ": ")
		if !ok || k == "" || v == "" {
			t.Fatalf("line %q is not 'Name: value' in:\n%s", line, out)
		}
		names = append(names, strings.ToLower(k))
		r.Header.Add(k, v)
	}
	if !slices.IsSorted(names) {
		t.Errorf("headers are not sorted:\n%s", out)
	}
	return r
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSignEachScheme(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body, err := os.ReadFile("../../plugins/github/testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	bodyFile := writeFile(t, dir, "body.json", body)
	const secret = "It's a Secret to Everybody ✓"
	const swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	secretFile := writeFile(t, dir, "secret", []byte(secret+"\n"))
	swSecretFile := writeFile(t, dir, "sw-secret", []byte(swSecret))
	must := func(v verify.Verifier, err error) verify.Verifier {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	hmacOpts := verify.HMACOpts{
		Header: "X-Signature", Algorithm: "sha512", Encoding: "base64url", Prefix: "v1=",
		TimestampHeader: "X-Timestamp", Template: "{timestamp}:{header:X-Tenant}:{body}",
	}

	type tc struct {
		name    string
		args    []string // after "sign --scheme S"
		env     []string
		stdin   bool // body on standard input
		v       verify.Verifier
		bodySig bool                                // signature covers the body
		want    map[string]string                   // headers that must be present ("" = any value)
		check   func(t *testing.T, r *http.Request) // extra checks
	}
	cases := []tc{
		{name: "github", args: []string{"--event", "push", "--secret-file", secretFile}, v: must(verify.GitHub(secret)), bodySig: true,
			want: map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "", "X-Hub-Signature": "", "Content-Type": "application/json"},
			check: func(t *testing.T, r *http.Request) {
				if id := r.Header.Get("X-GitHub-Delivery"); !uuidRE.MatchString(id) {
					t.Errorf("X-GitHub-Delivery %q is not a UUID v4", id)
				}
				if err := must(verify.GitHubWithOptions(verify.GitHubOpts{AllowSHA1: true}, secret)).Verify(withoutHeader(r, "X-Hub-Signature-256"), body); err != nil {
					t.Errorf("legacy sha1 signature: %v", err)
				}
			}},
		{name: "github-sha1", args: []string{"--event", "ping", "--id", "d-1"}, env: []string{envSignSecret + "=" + secret},
			v: must(verify.GitHubWithOptions(verify.GitHubOpts{AllowSHA1: true}, secret)), bodySig: true,
			want: map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"}},
		{name: "gitlab", args: []string{"--event", "Push Hook", "--secret", secret}, v: must(verify.GitLab(secret)),
			want: map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": ""}},
		{name: "gitea", args: []string{"--event", "push", "--secret-file", secretFile}, stdin: true, v: must(verify.Gitea(secret)), bodySig: true,
			want: map[string]string{"X-Gitea-Event": "push", "X-Gogs-Event": "push", "X-GitHub-Event": "push", "X-Gitea-Delivery": ""},
			check: func(t *testing.T, r *http.Request) {
				id := r.Header.Get("X-Gitea-Delivery")
				if !uuidRE.MatchString(id) || r.Header.Get("X-Gogs-Delivery") != id || r.Header.Get("X-GitHub-Delivery") != id {
					t.Errorf("delivery ids differ or are no UUIDs: %v", r.Header)
				}
				for name, v := range map[string]verify.Verifier{"github": must(verify.GitHub(secret)), "gogs": must(verify.Gogs(secret))} {
					if err := v.Verify(r, body); err != nil {
						t.Errorf("gitea's %s copy: %v", name, err)
					}
				}
			}},
		{name: "gogs", args: []string{"--event", "push", "--secret-file", secretFile}, v: must(verify.Gogs(secret)), bodySig: true,
			want: map[string]string{"X-Gogs-Event": "push", "X-Gogs-Delivery": ""}},
		{name: "bitbucket", args: []string{"--event", "repo:refs_changed", "--secret-file", secretFile}, v: must(verify.Bitbucket(secret)), bodySig: true,
			want: map[string]string{"X-Event-Key": "repo:refs_changed"}},
		{name: "standard-webhooks", args: []string{"--secret-file", swSecretFile, "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
			v: must(verify.StandardWebhooks(verify.StandardWebhooksOpts{}, swSecret)), bodySig: true,
			want: map[string]string{"Webhook-Id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "Webhook-Timestamp": ""}},
		{name: "svix", env: []string{envSignSecret + "=" + swSecret}, stdin: true,
			v: must(verify.StandardWebhooks(verify.StandardWebhooksOpts{}, swSecret)), bodySig: true,
			want: map[string]string{"Svix-Id": "", "Svix-Timestamp": "", "Svix-Signature": ""}},
		{name: "stripe", args: []string{"--secret-file", secretFile}, v: must(verify.Stripe(verify.TimestampOpts{}, secret)), bodySig: true,
			want: map[string]string{"Stripe-Signature": ""}},
		{name: "slack", args: []string{"--secret-file", secretFile, "--content-type", "application/x-www-form-urlencoded"},
			v: must(verify.Slack(verify.TimestampOpts{}, secret)), bodySig: true,
			want: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ""}},
		{name: "hmac", args: []string{"--secret-file", secretFile, "--header", "X-Signature", "--algorithm", "sha512", "--encoding", "base64url",
			"--prefix", "v1=", "--timestamp-header", "X-Timestamp", "--template", "{timestamp}:{header:X-Tenant}:{body}", "--header", "X-Tenant: acme"},
			v: must(verify.HMAC(hmacOpts, secret)), bodySig: true,
			want: map[string]string{"X-Tenant": "acme", "X-Timestamp": "", "X-Signature": ""}},
		{name: "token", args: []string{"--secret-file", secretFile, "--header", "X-Api-Key"},
			v: must(verify.Token(verify.TokenOpts{Header: "X-Api-Key"}, secret)), want: map[string]string{"X-Api-Key": secret}},
		{name: "bearer", args: []string{"--secret-file", secretFile}, v: must(verify.Bearer(secret))},
		{name: "basic", args: []string{"--secret-file", secretFile, "--user", "ci"}, v: must(verify.Basic(map[string]string{"ci": secret}))},
	}
	var covered []string
	for _, c := range cases {
		covered = append(covered, c.name)
	}
	for _, s := range verify.Schemes() {
		if !slices.Contains(covered, s) {
			t.Errorf("scheme %s has no test case", s)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"sign", "--scheme", c.name}, c.args...)
			var stdin []byte
			if c.stdin {
				args, stdin = append(args, "-"), body
			} else {
				args = append(args, bodyFile)
			}
			out, errOut, err := runHookpoint(t, stdin, c.env, args...)
			if err != nil {
				t.Fatalf("sign: %v\n%s", err, errOut)
			}
			r := parseHeaders(t, out)
			if err := c.v.Verify(r, body); err != nil {
				t.Errorf("verify.%s rejects the printed headers: %v\n%s", c.name, err, out)
			}
			if c.bodySig {
				if err := c.v.Verify(r, append(slices.Clip(body), ' ')); !errors.Is(err, verify.ErrMismatch) {
					t.Errorf("a changed body verifies: %v", err)
				}
			}
			for k, want := range c.want {
				if got := r.Header.Get(k); got == "" || want != "" && got != want {
					t.Errorf("%s = %q, want %q\n%s", k, got, want, out)
				}
			}
			if strings.Contains(out, "X-Github-") {
				t.Errorf("GitHub headers not spelled as GitHub does:\n%s", out)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func withoutHeader(r *http.Request, name string) *http.Request {
	r = r.Clone(r.Context())
	r.Header.Del(name)
	return r
}

func TestSignGiteaForm(t *testing.T) {
	t.Parallel()
	payload := `{"ref":"refs/heads/main","note":"a+b & ü"}`
	form := "payload=" + url.QueryEscape(payload)
	out, errOut, err := runHookpoint(t, []byte(form), nil, "sign", "--scheme", "gitea", "--secret", "s3", "--content-type", "application/x-www-form-urlencoded", "-")
	if err != nil {
		t.Fatalf("sign: %v\n%s", err, errOut)
	}
	v, _ := verify.Gitea("s3")
	if err := v.Verify(parseHeaders(t, out), []byte(form)); err != nil {
		t.Errorf("form delivery does not verify: %v\n%s", err, out)
	}
}

func TestSignTimestamp(t *testing.T) {
	t.Parallel()
	const ts = 1700000000
	out, errOut, err := runHookpoint(t, []byte("{}"), []string{envSignSecret + "=k"}, "sign", "--scheme", "stripe", "--timestamp", "1700000000", "-")
	if err != nil {
		t.Fatalf("sign: %v\n%s", err, errOut)
	}
	r := parseHeaders(t, out)
	if got := r.Header.Get("Stripe-Signature"); !strings.HasPrefix(got, "t=1700000000,v1=") {
		t.Errorf("Stripe-Signature = %q", got)
	}
	v, _ := verify.Stripe(verify.TimestampOpts{Now: func() time.Time { return time.Unix(ts+10, 0) }}, "k")
	if err := v.Verify(r, []byte("{}")); err != nil {
		t.Errorf("verify at the signing time: %v", err)
	}
	v, _ = verify.Stripe(verify.TimestampOpts{}, "k")
	if err := v.Verify(r, []byte("{}")); !errors.Is(err, verify.ErrExpired) {
		t.Errorf("verify now: %v, want expired", err)
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeFile(t, dir, "b.json", []byte("{}"))
	for _, c := range []struct {
		args []string
		env  []string
		want []string
	}{
		{[]string{"--scheme", "nope", "--secret", "x", f}, nil, append([]string{`unknown scheme "nope"`}, verify.Schemes()...)},
		{[]string{"--secret", "x", f}, nil, []string{"--scheme is required", "standard-webhooks"}},
		{[]string{"--scheme", "github", f}, nil, []string{"no secret", envSignSecret, "--secret-file"}},
		{[]string{"--scheme", "github", "--secret", "x", "--secret-file", f, f}, nil, []string{"not both"}},
		{[]string{"--scheme", "stripe", "--event", "push", f}, []string{envSignSecret + "=x"}, []string{"--event does not apply to scheme stripe"}},
		{[]string{"--scheme", "github", "--algorithm", "sha512", f}, []string{envSignSecret + "=x"}, []string{"--algorithm does not apply"}},
		{[]string{"--scheme", "hmac", f}, []string{envSignSecret + "=x"}, []string{"needs --header NAME"}},
		{[]string{"--scheme", "github", "--header", "X-Sig", f}, []string{envSignSecret + "=x"}, []string{"'NAME: VALUE'"}},
		{[]string{"--scheme", "github", "--timestamp", "yesterday", f}, []string{envSignSecret + "=x"}, []string{"unix seconds"}},
		{[]string{"--scheme", "github"}, []string{envSignSecret + "=x"}, []string{"exactly one FILE"}},
		{[]string{"--scheme", "github", f, f}, []string{envSignSecret + "=x"}, []string{"exactly one FILE"}},
		{[]string{"--scheme", "standard-webhooks", f}, []string{envSignSecret + "=not base64!"}, []string{"base64"}},
	} {
		stdout, stderr, err := runHookpoint(t, nil, c.env, append([]string{"sign"}, c.args...)...)
		if err == nil {
			t.Errorf("sign %q succeeded:\n%s", c.args, stdout)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("sign %q: stderr lacks %q:\n%s", c.args, w, stderr)
			}
		}
	}
	// Flags may follow FILE.
	if _, stderr, err := runHookpoint(t, nil, nil, "sign", f, "--scheme", "gitlab", "--secret", "x"); err != nil {
		t.Errorf("flags after FILE: %v\n%s", err, stderr)
	}
}

// hookRecorder is an httptest server that verifies GitHub signatures and
// records what it received.
type hookRecorder struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
}

func newHookRecorder(t *testing.T, secret string) *hookRecorder {
	v, err := verify.GitHub(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookRecorder{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.headers = append(h.headers, r.Header.Clone())
		h.mu.Unlock()
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		if err := v.Verify(r, body); err != nil {
			http.Error(w, "rejected: "+err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"status":"accepted"}`)
	}))
	t.Cleanup(h.Close)
	return h
}

func TestSendGitHub(t *testing.T) {
	t.Parallel()
	const secret = "send-secret"
	srv := newHookRecorder(t, secret)
	dir := t.TempDir()
	body, err := os.ReadFile("../../plugins/github/testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	f := writeFile(t, dir, "push.json", body)
	sf := writeFile(t, dir, "secret", []byte(secret+"\n"))
	stdout, stderr, err := runHookpoint(t, nil, nil, "send", "--to", srv.URL+"/hook", "--scheme", "github", "--secret-file", sf,
		"--event", "push", "--header", "X-Extra: 1", "--timeout", "5s", f)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, stderr)
	}
	if !strings.HasPrefix(stdout, "HTTP/1.1 202 Accepted\n") || !strings.Contains(stdout, `{"status":"accepted"}`) {
		t.Errorf("stdout = %q", stdout)
	}
	srv.mu.Lock()
	bodies, headers := srv.bodies, srv.headers
	srv.mu.Unlock()
	if len(bodies) != 1 || !bytes.Equal(bodies[0], body) {
		t.Fatalf("server got %d bodies, want the file byte for byte", len(bodies))
	}
	h := headers[0]
	for k, want := range map[string]string{"X-GitHub-Event": "push", "X-Extra": "1", "Content-Type": "application/json"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !uuidRE.MatchString(h.Get("X-GitHub-Delivery")) {
		t.Errorf("X-GitHub-Delivery = %q", h.Get("X-GitHub-Delivery"))
	}

	// Body on standard input, secret from the environment.
	stdout, stderr, err = runHookpoint(t, []byte(`{"zen":"hi"}`), []string{envSignSecret + "=" + secret}, "send", "--to", srv.URL, "--scheme", "github", "-")
	if err != nil || !strings.Contains(stdout, "202") {
		t.Errorf("send from stdin: %v\n%s%s", err, stdout, stderr)
	}
}

func TestSendNon2xx(t *testing.T) {
	t.Parallel()
	srv := newHookRecorder(t, "right")
	stdout, stderr, err := runHookpoint(t, []byte(`{}`), []string{envSignSecret + "=wrong"}, "send", "--to", srv.URL, "--scheme", "github", "--event", "push", "-")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("send with a wrong secret: err = %v, want a non-zero exit\n%s", err, stdout)
	}
	if !strings.HasPrefix(stdout, "HTTP/1.1 403 Forbidden\n") || !strings.Contains(stdout, "rejected: github-signature") {
		t.Errorf("stdout = %q, want the status line and the body", stdout)
	}
	if !strings.Contains(stderr, "403") {
		t.Errorf("stderr = %q", stderr)
	}

	// A redirect is not followed and is a failure.
	redir := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusFound))
	defer redir.Close()
	stdout, _, err = runHookpoint(t, []byte(`{}`), []string{envSignSecret + "=right"}, "send", "--to", redir.URL, "--scheme", "github", "-")
	if err == nil || !strings.Contains(stdout, "302") {
		t.Errorf("redirect: err = %v, stdout = %q", err, stdout)
	}

	for _, args := range [][]string{
		{"send", "--scheme", "github", "-"},
		{"send", "--to", "ftp://x", "--scheme", "github", "-"},
		{"send", "--to", srv.URL, "--scheme", "nope", "-"},
	} {
		if _, stderr, err := runHookpoint(t, nil, []string{envSignSecret + "=x"}, args...); err == nil || !strings.Contains(stderr, "hookpoint:") {
			t.Errorf("%q: err = %v, stderr = %q", args, err, stderr)
		}
	}
}

// TestSendToServe sends a signed fixture to a real `hookpoint serve` and
// checks the message it produces.
func TestSendToServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	const secret = "It's a Secret to Everybody"
	os.WriteFile(filepath.Join(dir, "hookpoint.yaml"), []byte(`
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:TEST_GH_SECRET}
      NOTIFICATION_CHAT_KEY: inbox-group_dev
`), 0o600)
	p := start(t, dir, []string{"TEST_GH_SECRET=" + secret}, "--listen", addr, "--data", filepath.Join(dir, "state"))
	base := "http://" + addr
	waitHealthy(t, p, base)

	fixture := "../../plugins/github/testdata/push.json"
	body, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runHookpoint(t, nil, []string{envSignSecret + "=" + secret}, "send",
		"--to", base+"/api/plugin/hookpoint.github/webhook/github", "--scheme", "github", "--event", "push", fixture)
	if err != nil {
		t.Fatalf("send: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "HTTP/1.1 2") {
		t.Errorf("stdout = %q", stdout)
	}

	texts := waitMessages(t, base, "inbox-group_dev", 1)
	var payload struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	json.Unmarshal(body, &payload)
	if payload.Repository.FullName == "" {
		t.Fatal("fixture has no repository.full_name")
	}
	if len(texts) != 1 || !strings.Contains(texts[0], payload.Repository.FullName) {
		t.Fatalf("inbox = %q, want one message about %s", texts, payload.Repository.FullName)
	}

	// The same file with a wrong secret is refused, and nothing is added.
	stdout, _, err = runHookpoint(t, nil, []string{envSignSecret + "=wrong"}, "send",
		"--to", base+"/api/plugin/hookpoint.github/webhook/github", "--scheme", "github", "--event", "push", fixture)
	if err == nil || !strings.Contains(stdout, " 403 ") {
		t.Errorf("wrong secret: err = %v, stdout = %q", err, stdout)
	}
}
