package verify_test

// Cross-check against independent implementations: signatures made by
// @octokit/webhooks-methods and standardwebhooks (the Standard Webhooks
// reference library for JavaScript) must verify here, and signatures made by
// verify.NewSigner must verify there. Needs Node.js and npm; the packages are
// installed once, at pinned versions, under os.UserCacheDir().

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

// Pinned versions (npm view ... version, 2026-11). Transitive dependencies
// of standardwebhooks are pinned through "overrides".
const (
	octokitMethodsVersion   = "6.0.0"
	standardWebhooksVersion = "1.1.1"
)

var crosscheckPackageJSON = `{
  "name": "hookpoint-crosscheck",
  "private": true,
  "description": "Installed by hookpoint's verify/crosscheck_test.go; safe to delete.",
  "dependencies": {
    "@octokit/webhooks-methods": "` + octokitMethodsVersion + `",
    "standardwebhooks": "` + standardWebhooksVersion + `"
  },
  "overrides": {
    "@stablelib/base64": "1.0.1",
    "fast-sha256": "1.3.0"
  }
}
`

// crosscheckScript reads a job from standard input and prints the results.
// Bodies travel as base64 and are decoded as UTF-8 strings: both libraries
// take the payload as a string (standardwebhooks also takes a Buffer, which
// it turns into a string), so only valid UTF-8 bodies can be compared.
const crosscheckScript = `
import { readFileSync } from "node:fs";
import { sign, verify } from "@octokit/webhooks-methods";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

const job = JSON.parse(readFileSync(0, "utf8"));
const text = (b64) => Buffer.from(b64, "base64").toString("utf8");
const version = (name) =>
  JSON.parse(readFileSync(new URL("./node_modules/" + name + "/package.json", import.meta.url), "utf8")).version;
const errText = (e) => (e && e.name ? e.name + ": " : "") + String(e && e.message ? e.message : e);

const out = {
  versions: {
    "@octokit/webhooks-methods": version("@octokit/webhooks-methods"),
    standardwebhooks: version("standardwebhooks"),
  },
  github_sign: [], sw_sign: [], github_verify: [], sw_verify: [],
};
for (const c of job.github_sign) {
  try { out.github_sign.push({ signature: await sign(c.secret, text(c.body)) }); }
  catch (e) { out.github_sign.push({ error: errText(e) }); }
}
for (const c of job.sw_sign) {
  try {
    const wh = new Webhook(c.secret);
    out.sw_sign.push({ signature: wh.sign(c.id, new Date(c.timestamp * 1000), Buffer.from(c.body, "base64")) });
  } catch (e) { out.sw_sign.push({ error: errText(e) }); }
}
for (const c of job.github_verify) {
  try { out.github_verify.push({ ok: await verify(c.secret, text(c.body), c.signature) }); }
  catch (e) { out.github_verify.push({ ok: false, error: errText(e) }); }
}
for (const c of job.sw_verify) {
  try {
    new Webhook(c.secret).verify(text(c.body), c.headers, { jsonParse: false });
    out.sw_verify.push({ ok: true });
  } catch (e) {
    out.sw_verify.push({ ok: false, error: errText(e), rejected: e instanceof WebhookVerificationError });
  }
}
process.stdout.write(JSON.stringify(out));
`

type ccSignGitHub struct {
	Secret string `json:"secret"`
	Body   []byte `json:"body"`
}

type ccSignSW struct {
	Secret    string `json:"secret"`
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Body      []byte `json:"body"`
}

type ccVerifyGitHub struct {
	Secret    string `json:"secret"`
	Body      []byte `json:"body"`
	Signature string `json:"signature"`
}

type ccVerifySW struct {
	Secret  string            `json:"secret"`
	Body    []byte            `json:"body"`
	Headers map[string]string `json:"headers"`
}

type ccJob struct {
	GitHubSign   []ccSignGitHub   `json:"github_sign"`
	SWSign       []ccSignSW       `json:"sw_sign"`
	GitHubVerify []ccVerifyGitHub `json:"github_verify"`
	SWVerify     []ccVerifySW     `json:"sw_verify"`
}

type ccSigned struct {
	Signature string `json:"signature"`
	Error     string `json:"error"`
}

type ccVerified struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Rejected bool   `json:"rejected"`
}

type ccResult struct {
	Versions     map[string]string `json:"versions"`
	GitHubSign   []ccSigned        `json:"github_sign"`
	SWSign       []ccSigned        `json:"sw_sign"`
	GitHubVerify []ccVerified      `json:"github_verify"`
	SWVerify     []ccVerified      `json:"sw_verify"`
}

// crosscheckDir returns a directory with the pinned npm packages installed,
// installing them on first use.
func crosscheckDir(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := "cross-check needs Node.js 20+ and npm on PATH (" + tool + " not found); install them to compare with @octokit/webhooks-methods and standardwebhooks"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	root := filepath.Join(base, "hookpoint-crosscheck")
	sum := sha256.Sum256([]byte(crosscheckPackageJSON))
	dir := filepath.Join(root, "v"+strconv.FormatUint(uint64(sum[0])<<8|uint64(sum[1]), 16))
	if ready(dir) {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Install into a fresh directory and rename it into place, so that
	// concurrent runs never see a half-installed one.
	tmp, err := os.MkdirTemp(root, "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(crosscheckPackageJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact",
		"@octokit/webhooks-methods@"+octokitMethodsVersion, "standardwebhooks@"+standardWebhooksVersion)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_loglevel=error")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install in %s: %v\n%s", tmp, err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".ready"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil && !ready(dir) {
		t.Fatalf("moving the install into place: %v", err)
	}
	return dir
}

func ready(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".ready"))
	return err == nil
}

// runCrosscheck runs the Node script on job in dir.
func runCrosscheck(t *testing.T, dir string, job ccJob) ccResult {
	t.Helper()
	f, err := os.CreateTemp(dir, "crosscheck-*.mjs")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(crosscheckScript); err != nil {
		t.Fatal(err)
	}
	f.Close()
	in, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", f.Name())
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res ccResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node output: %v\n%s", err, stdout.String())
	}
	if len(res.GitHubSign) != len(job.GitHubSign) || len(res.SWSign) != len(job.SWSign) ||
		len(res.GitHubVerify) != len(job.GitHubVerify) || len(res.SWVerify) != len(job.SWVerify) {
		t.Fatalf("node answered %d/%d/%d/%d results for %d/%d/%d/%d cases", len(res.GitHubSign), len(res.SWSign),
			len(res.GitHubVerify), len(res.SWVerify), len(job.GitHubSign), len(job.SWSign), len(job.GitHubVerify), len(job.SWVerify))
	}
	for name, want := range map[string]string{"@octokit/webhooks-methods": octokitMethodsVersion, "standardwebhooks": standardWebhooksVersion} {
		if res.Versions[name] != want {
			t.Fatalf("node loaded %s %s, want %s", name, res.Versions[name], want)
		}
	}
	return res
}

type ccBody struct {
	name string
	data []byte
}

func crosscheckBodies(t *testing.T) []ccBody {
	t.Helper()
	bodies := []ccBody{
		{"github-docs", []byte("Hello, World!")},
		{"unicode", []byte("{\"text\":\"héllo wörld — 日本語 🎉 \u2028 עברית\",\"who\":\"👩🏽\u200d💻\",\"combining\":\"e\u0301\"}\r\n")},
		{"empty", []byte{}},
		{"blank", []byte(" \r\n")},
	}
	for _, f := range []string{"testdata/gitea-live/push.json", "testdata/gitea-live/push.form-urlencoded.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, ccBody{f, b})
	}
	return bodies
}

var (
	ccGitHubSecrets = []string{"It's a Secret to Everybody", "clé secrète 🔑"}
	ccSWSecrets     = func() []string {
		k := sha256.Sum256([]byte("hookpoint crosscheck key"))
		return []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", verify.PrefixSymmetricSecret + base64.StdEncoding.EncodeToString(k[:])}
	}()
)

const ccTimestamp = 1_700_000_000

func TestCrosscheckNode(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-check runs Node.js; skipped with -short")
	}
	dir := crosscheckDir(t)
	bodies := crosscheckBodies(t)
	now := time.Now()

	// Signatures made here, to be verified by the JavaScript libraries,
	// each followed by a tampered copy that must be rejected.
	var job ccJob
	type ours struct {
		body     string
		tampered bool
	}
	var ghOurs, swOurs []ours
	for _, secret := range ccGitHubSecrets {
		s, err := verify.NewSigner("github", secret, verify.SignerOpts{})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bodies {
			h, err := s.Sign(b.data, now)
			if err != nil {
				t.Fatal(err)
			}
			sig := h.Get(verify.HeaderGitHubSignature256)
			tampered := append(append([]byte(nil), b.data...), '!')
			job.GitHubVerify = append(job.GitHubVerify,
				ccVerifyGitHub{secret, b.data, sig}, ccVerifyGitHub{secret, tampered, sig})
			ghOurs = append(ghOurs, ours{b.name, false}, ours{b.name, true})
		}
	}
	for i, secret := range ccSWSecrets {
		s, err := verify.NewSigner("standard-webhooks", secret, verify.SignerOpts{MessageID: "msg_hookpoint_" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bodies {
			h, err := s.Sign(b.data, now)
			if err != nil {
				t.Fatal(err)
			}
			hdr := map[string]string{
				"webhook-id":        h.Get(verify.HeaderWebhookID),
				"webhook-timestamp": h.Get(verify.HeaderWebhookTimestamp),
				"webhook-signature": h.Get(verify.HeaderWebhookSignature),
			}
			bad := map[string]string{"webhook-id": hdr["webhook-id"] + "x", "webhook-timestamp": hdr["webhook-timestamp"], "webhook-signature": hdr["webhook-signature"]}
			job.SWVerify = append(job.SWVerify, ccVerifySW{secret, b.data, hdr}, ccVerifySW{secret, b.data, bad})
			swOurs = append(swOurs, ours{b.name, false}, ours{b.name, true})
		}
	}

	// Signatures made by the JavaScript libraries, to be verified here.
	for _, secret := range ccGitHubSecrets {
		for _, b := range bodies {
			job.GitHubSign = append(job.GitHubSign, ccSignGitHub{secret, b.data})
		}
	}
	for i, secret := range ccSWSecrets {
		for _, b := range bodies {
			job.SWSign = append(job.SWSign, ccSignSW{secret, "msg_p5jXN8AQM9LWM0D4loKWxJek" + strconv.Itoa(i), ccTimestamp, b.data})
		}
	}

	start := time.Now()
	res := runCrosscheck(t, dir, job)
	t.Logf("node ran %d cases in %v", len(job.GitHubSign)+len(job.SWSign)+len(job.GitHubVerify)+len(job.SWVerify), time.Since(start).Round(time.Millisecond))

	t.Run("octokit verifies verify.NewSigner(github)", func(t *testing.T) {
		for i, r := range res.GitHubVerify {
			c, o := job.GitHubVerify[i], ghOurs[i]
			switch {
			case len(c.Body) == 0 && r.Error != "":
				// octokit refuses empty payloads outright ("secret,
				// eventPayload & signature required"); nothing to compare.
				t.Logf("%s: octokit: %s", o.body, r.Error)
			case r.Error != "":
				t.Errorf("%s (tampered=%v): octokit threw %s", o.body, o.tampered, r.Error)
			case r.OK == o.tampered:
				t.Errorf("%s (tampered=%v): octokit verify() = %v", o.body, o.tampered, r.OK)
			}
		}
	})
	t.Run("standardwebhooks verifies verify.NewSigner(standard-webhooks)", func(t *testing.T) {
		for i, r := range res.SWVerify {
			o := swOurs[i]
			switch {
			case !o.tampered && !r.OK:
				t.Errorf("%s: Webhook#verify threw %s", o.body, r.Error)
			case o.tampered && (r.OK || !r.Rejected):
				t.Errorf("%s: tampered id: Webhook#verify ok=%v err=%q, want a WebhookVerificationError", o.body, r.OK, r.Error)
			}
		}
	})

	t.Run("verify.GitHub verifies octokit sign()", func(t *testing.T) {
		signed := 0
		for i, r := range res.GitHubSign {
			c := job.GitHubSign[i]
			if r.Error != "" {
				if len(c.Body) == 0 {
					t.Logf("empty body: octokit sign(): %s", r.Error)
					continue
				}
				t.Fatalf("octokit sign(): %s", r.Error)
			}
			signed++
			if string(c.Body) == "Hello, World!" && c.Secret == "It's a Secret to Everybody" &&
				r.Signature != "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" {
				t.Errorf("octokit disagrees with GitHub's documented example: %s", r.Signature)
			}
			v, err := verify.GitHub(c.Secret)
			if err != nil {
				t.Fatal(err)
			}
			req := func(sig string) *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/", nil)
				r.Header.Set(verify.HeaderGitHubSignature256, sig)
				return r
			}
			if err := v.Verify(req(r.Signature), c.Body); err != nil {
				t.Errorf("%q: %v", short(c.Body), err)
			}
			mustMismatch(t, "changed body", v.Verify(req(r.Signature), append(append([]byte(nil), c.Body...), ' ')))
			mustMismatch(t, "flipped signature", v.Verify(req(flipHex(r.Signature)), c.Body))
			other, _ := verify.GitHub(c.Secret + "x")
			mustMismatch(t, "other secret", other.Verify(req(r.Signature), c.Body))
		}
		if signed < len(job.GitHubSign)-len(ccGitHubSecrets) {
			t.Errorf("only %d of %d bodies signed", signed, len(job.GitHubSign))
		}
	})

	t.Run("verify.StandardWebhooks verifies standardwebhooks sign()", func(t *testing.T) {
		clock := func() time.Time { return time.Unix(ccTimestamp, 0) }
		for i, r := range res.SWSign {
			c := job.SWSign[i]
			if r.Error != "" {
				t.Fatalf("Webhook#sign: %s", r.Error)
			}
			v, err := verify.StandardWebhooks(verify.StandardWebhooksOpts{Now: clock}, c.Secret)
			if err != nil {
				t.Fatal(err)
			}
			req := func(id string, ts int64, sig string) *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/", nil)
				r.Header.Set(verify.HeaderWebhookID, id)
				r.Header.Set(verify.HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
				r.Header.Set(verify.HeaderWebhookSignature, sig)
				return r
			}
			if err := v.Verify(req(c.ID, c.Timestamp, r.Signature), c.Body); err != nil {
				t.Errorf("%q: %v", short(c.Body), err)
			}
			// Hookpoint's own signer agrees byte for byte.
			s, _ := verify.NewSigner("standard-webhooks", c.Secret, verify.SignerOpts{MessageID: c.ID})
			if h, _ := s.Sign(c.Body, time.Unix(c.Timestamp, 0)); h.Get(verify.HeaderWebhookSignature) != r.Signature {
				t.Errorf("%q: NewSigner gives %s, standardwebhooks %s", short(c.Body), h.Get(verify.HeaderWebhookSignature), r.Signature)
			}
			mustMismatch(t, "changed body", v.Verify(req(c.ID, c.Timestamp, r.Signature), append(append([]byte(nil), c.Body...), ' ')))
			mustMismatch(t, "changed id", v.Verify(req(c.ID+"x", c.Timestamp, r.Signature), c.Body))
			mustMismatch(t, "changed timestamp", v.Verify(req(c.ID, c.Timestamp+1, r.Signature), c.Body))
			mustMismatch(t, "flipped signature", v.Verify(req(c.ID, c.Timestamp, flipBase64(r.Signature)), c.Body))
			other, _ := verify.StandardWebhooks(verify.StandardWebhooksOpts{Now: clock}, ccSWSecrets[0], ccSWSecrets[1])
			if err := other.Verify(req(c.ID, c.Timestamp, r.Signature), c.Body); err != nil {
				t.Errorf("with both secrets configured: %v", err)
			}
			wrong := verify.PrefixSymmetricSecret + base64.StdEncoding.EncodeToString([]byte("another key entirely"))
			other, _ = verify.StandardWebhooks(verify.StandardWebhooksOpts{Now: clock}, wrong)
			mustMismatch(t, "other secret", other.Verify(req(c.ID, c.Timestamp, r.Signature), c.Body))
			late, _ := verify.StandardWebhooks(verify.StandardWebhooksOpts{}, c.Secret)
			if err := late.Verify(req(c.ID, c.Timestamp, r.Signature), c.Body); !errors.Is(err, verify.ErrExpired) {
				t.Errorf("old timestamp at the real clock: %v, want ErrExpired", err)
			}
		}
	})
}

func mustMismatch(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, verify.ErrMismatch) {
		t.Errorf("%s: err = %v, want ErrMismatch", what, err)
	}
}

// flipHex changes the last hex digit of a signature.
func flipHex(sig string) string {
	last := sig[len(sig)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return sig[:len(sig)-1] + string(repl)
}

// flipBase64 changes the first base64 character after "v1,".
func flipBase64(sig string) string {
	i := strings.IndexByte(sig, ',') + 1
	repl := byte('A')
	if sig[i] == 'A' {
		repl = 'B'
	}
	return sig[:i] + string(repl) + sig[i+1:]
}

func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
