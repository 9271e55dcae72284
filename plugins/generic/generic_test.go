package generic_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/plugins/generic"
	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
	"github.com/hookpoint/hookpoint/verify"
)

const testChat = "inbox-group_ops"

// setup validates and provisions the plugin with cfg on a fake host;
// CHAT_KEY defaults to testChat.
func setup(t *testing.T, cfg generic.Config) *sdktest.Host {
	t.Helper()
	if cfg.ChatKey == "" {
		cfg.ChatKey = testChat
	}
	h := sdktest.NewHost(t, generic.ID)
	p := &generic.Plugin{Config: cfg}
	sdktest.Provision(t, h, p)
	return h
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// signedRequest signs body as a real sender of scheme would.
func signedRequest(t *testing.T, scheme, secret string, opts verify.SignerOpts, body []byte) *sdk.Request {
	t.Helper()
	s, err := verify.NewSigner(scheme, secret, opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Sign(body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.Set("Content-Type", "application/json")
	return &sdk.Request{Method: http.MethodPost, Header: h, Body: body}
}

// bearerRequest is a request authenticated for bearerConfig.
func bearerRequest(body []byte, contentType string) *sdk.Request {
	return &sdk.Request{
		Method: http.MethodPost,
		Header: http.Header{"Authorization": {"Bearer " + bearerToken}, "Content-Type": {contentType}},
		Body:   body,
	}
}

const bearerToken = "example-shared-token"

var bearerConfig = generic.Config{Verify: generic.VerifyBearer, Secret: sdk.NewSecret(bearerToken)}

// onlyMessage returns the one message sent, failing otherwise.
func onlyMessage(t *testing.T, h *sdktest.Host) string {
	t.Helper()
	sent := h.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1: %+v", len(sent), sent)
	}
	if sent[0].ChatKey != testChat {
		t.Errorf("message sent to %q, want %q", sent[0].ChatKey, testChat)
	}
	return sent[0].Msg.Text
}

func answer(t *testing.T, resp *sdk.Response) map[string]any {
	t.Helper()
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		t.Fatalf("answer %q is not JSON: %v", resp.Body, err)
	}
	return m
}

// delivered serves req and checks it was answered 200 delivered.
func delivered(t *testing.T, h *sdktest.Host, req *sdk.Request) {
	t.Helper()
	resp, err := sdktest.Serve(t, h, generic.Endpoint, req)
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if got := answer(t, resp); fmt.Sprint(got) != fmt.Sprint(map[string]any{"status": "delivered"}) {
		t.Errorf("answer = %v, want {status: delivered}", got)
	}
}

func standardSecret(key string) string {
	return "whsec_" + base64.StdEncoding.EncodeToString([]byte(key))
}

func TestVerifyStyles(t *testing.T) {
	t.Parallel()
	body := fixture(t, "alert.firing.json")
	want := compact(t, body)
	hmacCustom := verify.HMACOpts{Header: "X-Hub-Signature-512", Algorithm: "sha512", Encoding: "base64", Prefix: "sha512="}
	tests := []struct {
		name     string
		cfg      generic.Config
		scheme   string // NewSigner scheme; "" for the query token
		opts     verify.SignerOpts
		current  string
		previous string
		wrong    int // status for a wrong secret
		missing  int // status for no credentials
		kind     error
	}{
		{
			name: "hmac with defaults", cfg: generic.Config{Verify: generic.VerifyHMAC},
			scheme: "hmac", opts: verify.SignerOpts{HMAC: verify.HMACOpts{Header: "X-Signature"}},
			wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
		{
			name: "hmac sha512 base64 with prefix",
			cfg: generic.Config{
				Verify: generic.VerifyHMAC, HMACHeader: hmacCustom.Header, HMACAlgorithm: hmacCustom.Algorithm,
				HMACEncoding: hmacCustom.Encoding, HMACPrefix: hmacCustom.Prefix,
			},
			scheme: "hmac", opts: verify.SignerOpts{HMAC: hmacCustom},
			wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
		{
			name: "token in the default header", cfg: generic.Config{Verify: generic.VerifyToken},
			scheme: "token", wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
		{
			name: "token in a custom header", cfg: generic.Config{Verify: generic.VerifyToken, TokenHeader: "X-Auth-Token"},
			scheme: "token", opts: verify.SignerOpts{TokenHeader: "X-Auth-Token"},
			wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
		{
			name: "token in the query", cfg: generic.Config{Verify: generic.VerifyToken, TokenHeader: generic.DefaultTokenHeader, TokenQuery: "token"},
			wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
		{
			name: "bearer", cfg: generic.Config{Verify: generic.VerifyBearer},
			scheme: "bearer", wrong: 401, missing: 401, kind: verify.ErrUnauthorized,
		},
		{
			name: "basic", cfg: generic.Config{Verify: generic.VerifyBasic, BasicUser: "alertmanager"},
			scheme: "basic", opts: verify.SignerOpts{User: "alertmanager"},
			wrong: 401, missing: 401, kind: verify.ErrUnauthorized,
		},
		{
			name: "standard-webhooks", cfg: generic.Config{Verify: generic.VerifyStandardWebhooks},
			scheme:  "standard-webhooks",
			current: standardSecret("current key, 24 bytes.."), previous: standardSecret("previous key, 24 bytes."),
			wrong: 403, missing: 400, kind: verify.ErrMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			current, previous, wrong := tt.current, tt.previous, standardSecret("wrong key")
			if current == "" {
				current, previous, wrong = "current-secret", "previous-secret", "wrong-secret"
			}
			request := func(secret string) *sdk.Request {
				if tt.scheme == "" {
					return &sdk.Request{
						Method: http.MethodPost,
						Header: http.Header{"Content-Type": {"application/json"}},
						Query:  url.Values{tt.cfg.TokenQuery: {secret}},
						Body:   body,
					}
				}
				return signedRequest(t, tt.scheme, secret, tt.opts, body)
			}
			withSecrets := func(prev string) generic.Config {
				cfg := tt.cfg
				cfg.Secret, cfg.PreviousSecret = sdk.NewSecret(current), sdk.NewSecret(prev)
				return cfg
			}

			h := setup(t, withSecrets(""))
			delivered(t, h, request(current))
			if got := onlyMessage(t, h); got != want {
				t.Errorf("message = %q, want the compact payload %q", got, want)
			}

			checks := []struct {
				name   string
				req    *sdk.Request
				status int
				kind   error
			}{
				{"wrong secret", request(wrong), tt.wrong, tt.kind},
				{"previous secret, not configured", request(previous), tt.wrong, tt.kind},
				{"no credentials", &sdk.Request{Method: http.MethodPost, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, tt.missing, nil},
			}
			if tt.scheme == "hmac" || tt.scheme == "standard-webhooks" {
				tampered := request(current)
				tampered.Body = bytes.Replace(body, []byte("critical"), []byte("warning!"), 1)
				checks = append(checks, struct {
					name   string
					req    *sdk.Request
					status int
					kind   error
				}{"body changed after signing", tampered, tt.wrong, tt.kind})
			}
			for _, c := range checks {
				resp, err := sdktest.Serve(t, h, generic.Endpoint, c.req)
				if got := sdktest.Status(resp, err); got != c.status {
					t.Errorf("%s: status = %d (%v), want %d", c.name, got, err, c.status)
				}
				if c.kind != nil && !errors.Is(err, c.kind) {
					t.Errorf("%s: error %v is not %v", c.name, err, c.kind)
				}
				if err != nil && (strings.Contains(err.Error(), current) || strings.Contains(err.Error(), previous)) {
					t.Errorf("%s: error %q shows a secret", c.name, err)
				}
			}
			if n := len(h.Sent()); n != 1 {
				t.Errorf("rejected requests sent messages: %d in all, want 1", n)
			}

			rotating := setup(t, withSecrets(previous))
			delivered(t, rotating, request(previous))
			delivered(t, rotating, request(current))
			resp, err := sdktest.Serve(t, rotating, generic.Endpoint, request(wrong))
			if got := sdktest.Status(resp, err); got != tt.wrong {
				t.Errorf("during rotation, wrong secret: status = %d (%v), want %d", got, err, tt.wrong)
			}
			if logs := h.Logs() + rotating.Logs(); strings.Contains(logs, current) || strings.Contains(logs, previous) || strings.Contains(logs, "CPU usage") {
				t.Errorf("logs show a secret or the payload:\n%s", logs)
			}
		})
	}
}

func TestBasicWrongUser(t *testing.T) {
	t.Parallel()
	h := setup(t, generic.Config{Verify: generic.VerifyBasic, BasicUser: "alertmanager", Secret: sdk.NewSecret("pw")})
	req := signedRequest(t, "basic", "pw", verify.SignerOpts{User: "someone-else"}, []byte("hello"))
	resp, err := sdktest.Serve(t, h, generic.Endpoint, req)
	if got := sdktest.Status(resp, err); got != http.StatusUnauthorized {
		t.Fatalf("status = %d (%v), want 401", got, err)
	}
	var ve *verify.Error
	if !errors.As(err, &ve) || !strings.HasPrefix(ve.Challenge, "Basic ") {
		t.Errorf("error %v carries no Basic challenge", err)
	}
}

// TestAlertmanagerCapture replays a real Alertmanager delivery with its
// captured headers, Authorization: Bearer included.
func TestAlertmanagerCapture(t *testing.T) {
	t.Parallel()
	var capture struct {
		Method   string     `json:"method"`
		Headers  [][]string `json:"headers"`
		BodyFile string     `json:"body_file"`
	}
	if err := json.Unmarshal(fixture(t, "alert.firing.bearer.request.json"), &capture); err != nil {
		t.Fatal(err)
	}
	req := &sdk.Request{Method: capture.Method, Header: http.Header{}, Body: fixture(t, capture.BodyFile)}
	for _, kv := range capture.Headers {
		req.Header.Add(kv[0], kv[1])
	}
	h := setup(t, bearerConfig)
	delivered(t, h, req)
	if got, want := onlyMessage(t, h), compact(t, req.Body); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestIPAllowlist(t *testing.T) {
	t.Parallel()
	withIPs := func(allow, proxies []string) generic.Config {
		cfg := bearerConfig
		cfg.AllowIPs, cfg.TrustedProxies = allow, proxies
		return cfg
	}
	from := func(client string, header http.Header) *sdk.Request {
		r := bearerRequest([]byte("hello"), "text/plain")
		r.ClientAddr = client
		for k, v := range header {
			r.Header[k] = v
		}
		return r
	}
	allow := []string{"192.0.2.0/24", "2001:db8::1"}
	tests := []struct {
		name    string
		cfg     generic.Config
		req     *sdk.Request
		status  int
		kind    error
		forward bool
	}{
		{"allowed IPv4", withIPs(allow, nil), from("192.0.2.1", nil), 200, nil, false},
		{"allowed IPv6 address", withIPs(allow, nil), from("2001:db8::1", nil), 200, nil, false},
		{"other address", withIPs(allow, nil), from("198.51.100.7", nil), 403, verify.ErrForbiddenAddress, false},
		{"other address with a wrong token", withIPs(allow, nil), func() *sdk.Request {
			r := from("198.51.100.7", nil)
			r.Header.Set("Authorization", "Bearer wrong")
			return r
		}(), 403, verify.ErrForbiddenAddress, false},
		{"allowed address with a wrong token", withIPs(allow, nil), func() *sdk.Request {
			r := from("192.0.2.1", nil)
			r.Header.Set("Authorization", "Bearer wrong")
			return r
		}(), 401, verify.ErrUnauthorized, false},
		{"forwarded header from an untrusted peer is ignored", withIPs(allow, nil),
			from("198.51.100.7", http.Header{"X-Forwarded-For": {"192.0.2.9"}}), 403, verify.ErrForbiddenAddress, false},
		{"allowed client behind a trusted proxy", withIPs(allow, []string{"10.0.0.0/8"}),
			from("10.1.2.3", http.Header{"X-Forwarded-For": {"192.0.2.9"}}), 200, nil, true},
		{"other client behind a trusted proxy", withIPs(allow, []string{"10.0.0.0/8"}),
			from("10.1.2.3", http.Header{"X-Forwarded-For": {"198.51.100.7"}}), 403, verify.ErrForbiddenAddress, true},
		{"no allowlist", withIPs(nil, nil), from("198.51.100.7", nil), 200, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, tt.cfg)
			resp, err := sdktest.Serve(t, h, generic.Endpoint, tt.req)
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.status == 200]; len(h.Sent()) != want {
				t.Errorf("sent %d messages, want %d", len(h.Sent()), want)
			}
		})
	}
}

func TestDefaultMessages(t *testing.T) {
	t.Parallel()
	multi := fixture(t, "alert.firing.multi.json")
	if utf8.RuneCountInString(compact(t, multi)) <= 1000 {
		t.Fatal("fixture alert.firing.multi.json is not longer than 1000 runes when compact")
	}
	longText := strings.Repeat("é", 3000)
	tests := []struct {
		name, contentType, body, want string
	}{
		{"text sent as is", "text/plain; charset=utf-8", "Deploy finished\n  all green ", "Deploy finished\n  all green "},
		{"text without a content type", "", "backup ok", "backup ok"},
		{"long text truncated", "text/plain", longText, strings.Repeat("é", 999) + "…"},
		{"JSON with event, action, title and url", "application/json",
			`{"type":"invoice.paid","action":"created","summary":"Invoice 42 paid","url":"https://billing.example/i/42","n":1}`,
			"🔔 invoice.paid (created)\nInvoice 42 paid\nhttps://billing.example/i/42"},
		{"JSON with a title only", "application/json", `{"title": "Backup done", "size": 12}`, "🔔 Backup done"},
		{"JSON sent form-encoded, as curl -d does", "application/x-www-form-urlencoded",
			`{"event":"deploy","title":"v1.2 to prod"}`, "🔔 deploy\nv1.2 to prod"},
		{"JSON without event or title", "application/json", "{\n  \"a\": 1,\n  \"b\": [true, null]\n}\n", `{"a":1,"b":[true,null]}`},
		{"JSON array", "application/json", `[ {"title": "x"} ]`, `[{"title":"x"}]`},
		{"JSON string", "application/json", ` "just text" `, `"just text"`},
		{"long JSON truncated", "application/json", string(multi), string([]rune(compact(t, multi))[:999]) + "…"},
		{"JSON-like text stays text", "text/plain", `{"not": json}`, `{"not": json}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, bearerConfig)
			delivered(t, h, bearerRequest([]byte(tt.body), tt.contentType))
			if got := onlyMessage(t, h); got != tt.want {
				t.Errorf("message =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestBodiesRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType string
		body              []byte
		status            int
		detail            string
	}{
		{"empty", "text/plain", nil, 400, "empty"},
		{"blank", "application/json", []byte(" \n"), 400, "empty"},
		{"not UTF-8", "application/octet-stream", []byte("\x89PNG\r\n\x1a\n\xff\xfe"), 415, "binary"},
		{"NUL bytes", "text/plain", []byte("abc\x00def"), 415, "binary"},
		{"invalid JSON", "application/json", []byte(`{"a": `), 400, "invalid JSON"},
		{"trailing data after JSON", "application/json", []byte(`{"a": 1} {"b": 2}`), 400, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, bearerConfig)
			resp, err := sdktest.Serve(t, h, generic.Endpoint, bearerRequest(tt.body, tt.contentType))
			if got := sdktest.Status(resp, err); got != tt.status {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.status)
			}
			var he *sdk.HTTPError
			if !errors.As(err, &he) || !strings.Contains(he.Detail, tt.detail) {
				t.Errorf("error %v has no detail with %q", err, tt.detail)
			}
			if len(h.Sent()) != 0 {
				t.Errorf("rejected body sent messages: %+v", h.Sent())
			}
		})
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	h := setup(t, bearerConfig)
	put := bearerRequest([]byte("via PUT"), "text/plain")
	put.Method = http.MethodPut
	delivered(t, h, put)
	get := bearerRequest(nil, "")
	get.Method = http.MethodGet
	resp, err := sdktest.Serve(t, h, generic.Endpoint, get)
	if got := sdktest.Status(resp, err); got != http.StatusMethodNotAllowed {
		t.Fatalf("GET: status = %d (%v), want 405", got, err)
	}
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	const alertTemplate = `{{if eq .status "firing"}}🔥{{else}}✅{{end}} {{.commonLabels.alertname}} is {{.status}}
{{range .alerts}}- {{.labels.instance}}: {{.annotations.summary}}
{{end}}`
	for _, name := range []string{"alert.firing.json", "alert.resolved.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := fixture(t, name)
			var fx struct {
				Status       string            `json:"status"`
				CommonLabels map[string]string `json:"commonLabels"`
				Alerts       []struct {
					Labels      map[string]string `json:"labels"`
					Annotations map[string]string `json:"annotations"`
				} `json:"alerts"`
			}
			if err := json.Unmarshal(body, &fx); err != nil {
				t.Fatal(err)
			}
			icon := map[string]string{"firing": "🔥", "resolved": "✅"}[fx.Status]
			want := fmt.Sprintf("%s %s is %s", icon, fx.CommonLabels["alertname"], fx.Status)
			for _, a := range fx.Alerts {
				want += fmt.Sprintf("\n- %s: %s", a.Labels["instance"], a.Annotations["summary"])
			}
			cfg := bearerConfig
			cfg.Template = alertTemplate
			h := setup(t, cfg)
			delivered(t, h, bearerRequest(body, "application/json"))
			if got := onlyMessage(t, h); got != want {
				t.Errorf("message =\n%q\nwant\n%q", got, want)
			}
		})
	}

	tests := []struct {
		name, template, contentType, body, want string
	}{
		{"numbers print as sent, json and truncate", `{{.id}} {{json .labels}} {{.text | truncate 5}}`, "application/json",
			`{"id": 3580121225, "labels": {"a": "b"}, "text": "abcdefgh"}`, `3580121225 {"a":"b"} abcd…`},
		{"text body is dot", `got: {{.}}`, "text/plain", "hello", "got: hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := bearerConfig
			cfg.Template = tt.template
			h := setup(t, cfg)
			delivered(t, h, bearerRequest([]byte(tt.body), tt.contentType))
			if got := onlyMessage(t, h); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTemplateEmptyIsNotSent(t *testing.T) {
	t.Parallel()
	cfg := bearerConfig
	cfg.Template = `{{if eq .status "firing"}}firing{{end}}`
	h := setup(t, cfg)
	resp, err := sdktest.Serve(t, h, generic.Endpoint, bearerRequest(fixture(t, "alert.resolved.json"), "application/json"))
	if got := sdktest.Status(resp, err); got != http.StatusOK {
		t.Fatalf("status = %d (%v), want 200", got, err)
	}
	if got := answer(t, resp); got["status"] != "ignored" {
		t.Errorf("answer = %v, want status ignored", got)
	}
	if len(h.Sent()) != 0 {
		t.Errorf("empty message sent: %+v", h.Sent())
	}
}

func TestTemplateExecutionError(t *testing.T) {
	t.Parallel()
	cfg := bearerConfig
	cfg.Template = `{{index .alerts 5}}`
	h := setup(t, cfg)
	resp, err := sdktest.Serve(t, h, generic.Endpoint, bearerRequest(fixture(t, "alert.firing.json"), "application/json"))
	if got := sdktest.Status(resp, err); got != http.StatusBadRequest {
		t.Fatalf("status = %d (%v), want 400", got, err)
	}
	var he *sdk.HTTPError
	if !errors.As(err, &he) || !strings.Contains(he.Detail, "TEMPLATE") || !strings.Contains(he.Detail, "index out of range") {
		t.Errorf("error %v has no detail naming TEMPLATE and the cause", err)
	}
	if len(h.Sent()) != 0 {
		t.Errorf("failed template sent messages: %+v", h.Sent())
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const secret = "validate-secret-value"
	base := func(mod func(*generic.Config)) generic.Config {
		c := generic.Config{ChatKey: testChat, Verify: generic.VerifyHMAC, Secret: sdk.NewSecret(secret)}
		mod(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  generic.Config
		want []string // substrings of the error; none: valid
	}{
		{"valid hmac", base(func(c *generic.Config) {}), nil},
		{"valid basic with rotation", base(func(c *generic.Config) {
			c.Verify, c.BasicUser, c.PreviousSecret = generic.VerifyBasic, "u", sdk.NewSecret("old")
		}), nil},
		{"valid standard-webhooks", base(func(c *generic.Config) {
			c.Verify, c.Secret = generic.VerifyStandardWebhooks, sdk.NewSecret(standardSecret("k"))
		}), nil},
		{"valid allowlist and template", base(func(c *generic.Config) {
			c.AllowIPs, c.TrustedProxies, c.Template = []string{"192.0.2.0/24", "2001:db8::/32", "203.0.113.7"}, []string{"10.0.0.1"}, "{{.title}}"
		}), nil},
		{"no chat", base(func(c *generic.Config) { c.ChatKey = "" }), []string{"CHAT_KEY"}},
		{"no VERIFY", base(func(c *generic.Config) { c.Verify = "" }), []string{"VERIFY is required"}},
		{"unknown VERIFY", base(func(c *generic.Config) { c.Verify = "sha256" }), []string{`VERIFY "sha256"`, "standard-webhooks"}},
		{"VERIFY is case-sensitive", base(func(c *generic.Config) { c.Verify = "HMAC" }), []string{`VERIFY "HMAC"`}},
		{"no secret", base(func(c *generic.Config) { c.Secret = sdk.Secret{} }), []string{"SECRET is required"}},
		{"unknown HMAC algorithm", base(func(c *generic.Config) { c.HMACAlgorithm = "md5" }), []string{"HMAC_ALGORITHM", "md5"}},
		{"unknown HMAC encoding", base(func(c *generic.Config) { c.HMACEncoding = "base32" }), []string{"HMAC_ENCODING", "base32"}},
		{"bad HMAC header", base(func(c *generic.Config) { c.HMACHeader = "X Signature" }), []string{"HMAC_HEADER"}},
		{"bad token header", base(func(c *generic.Config) { c.Verify, c.TokenHeader = generic.VerifyToken, "X Token" }), []string{"TOKEN_HEADER"}},
		{"basic without a user", base(func(c *generic.Config) { c.Verify = generic.VerifyBasic }), []string{"BASIC_USER is required"}},
		{"basic user with a colon", base(func(c *generic.Config) { c.Verify, c.BasicUser = generic.VerifyBasic, "a:b" }), []string{"BASIC_USER"}},
		{"standard-webhooks secret not base64", base(func(c *generic.Config) { c.Verify = generic.VerifyStandardWebhooks }), []string{"standard-webhooks", "whsec_"}},
		{"bad CIDR", base(func(c *generic.Config) { c.AllowIPs = []string{"192.0.2.0/24", "300.1.1.1/8"} }), []string{"ALLOW_IPS", "300.1.1.1/8"}},
		{"not an address", base(func(c *generic.Config) { c.AllowIPs = []string{"example.com"} }), []string{"ALLOW_IPS", "example.com"}},
		{"bad trusted proxy", base(func(c *generic.Config) { c.TrustedProxies = []string{"10.0.0.0/33"} }), []string{"TRUSTED_PROXIES"}},
		{"template syntax error", base(func(c *generic.Config) { c.Template = "{{.title" }), []string{"TEMPLATE"}},
		{"template with an unknown function", base(func(c *generic.Config) { c.Template = "{{upper .title}}" }), []string{"TEMPLATE", "upper"}},
		{"every problem reported", base(func(c *generic.Config) {
			c.ChatKey, c.Verify, c.AllowIPs, c.Template = "", "nope", []string{"bad"}, "{{"
		}), []string{"CHAT_KEY", "VERIFY", "ALLOW_IPS", "TEMPLATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &generic.Plugin{Config: tt.cfg}
			err := p.Validate()
			perr := p.Provision(sdktest.NewHost(t, generic.ID))
			if tt.want == nil {
				if err != nil || perr != nil {
					t.Fatalf("Validate = %v, Provision = %v; want both nil", err, perr)
				}
				return
			}
			if err == nil || perr == nil {
				t.Fatalf("Validate = %v, Provision = %v; want errors mentioning %q", err, perr, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Validate error %q shows the secret", err)
			}
		})
	}
}

func TestSendFailure(t *testing.T) {
	t.Parallel()
	h := sdktest.NewHost(t, generic.ID)
	down := errors.New("adapter down")
	h.SendFunc = func(context.Context, string, sdk.Message) error { return down }
	cfg := bearerConfig
	cfg.ChatKey = testChat
	p := &generic.Plugin{Config: cfg}
	if err := p.Provision(h); err != nil {
		t.Fatal(err)
	}
	resp, err := sdktest.Serve(t, h, generic.Endpoint, bearerRequest([]byte("hello"), "text/plain"))
	if got := sdktest.Status(resp, err); got != http.StatusInternalServerError || !errors.Is(err, down) {
		t.Fatalf("status = %d (%v), want 500 wrapping %v", got, err, down)
	}
	if sdk.IsPermanent(err) {
		t.Errorf("send failure %v is permanent; want it retried", err)
	}
}

func TestQueued(t *testing.T) {
	t.Parallel()
	cfg := bearerConfig
	cfg.Template = `{{if .status}}{{.status}}: {{index .alerts 0 "labels" "alertname"}}{{end}}`
	h := setup(t, cfg)
	w, _ := h.Mounted(generic.Endpoint)
	if w.Mode != sdk.ModeQueued || w.Check == nil {
		t.Fatalf("webhook mode %v, check set %v; want queued with a check", w.Mode, w.Check != nil)
	}
	alert := fixture(t, "alert.firing.json")
	for _, body := range [][]byte{alert, []byte(`{"other": 1}`)} { // the second renders empty
		if err := w.Check(bearerRequest(body, "application/json")); err != nil {
			t.Errorf("Check(%s) = %v, want nil", body, err)
		}
	}
	malformed := map[string]*sdk.Request{
		"empty body":       bearerRequest(nil, "text/plain"),
		"binary body":      bearerRequest([]byte("\xff\xfe"), "application/octet-stream"),
		"invalid JSON":     bearerRequest([]byte(`{"a": `), "application/json"),
		"template failure": bearerRequest([]byte(`{"status": "firing", "alerts": []}`), "application/json"),
	}
	for name, req := range malformed {
		// Refused before it is stored...
		if err := w.Check(req); !sdk.IsPermanent(err) || sdktest.Status(nil, err)/100 != 4 {
			t.Errorf("%s: Check = %v, want a 4xx", name, err)
		}
		// ...and failed for good, not retried, should a stored one reach
		// the handler.
		req.Logger = h.Logger()
		if _, err := w.Handler.ServeWebhook(t.Context(), req); !sdk.IsPermanent(err) {
			t.Errorf("%s: handler error %v is not permanent", name, err)
		}
	}
	if sent := h.Sent(); len(sent) != 0 {
		t.Errorf("malformed requests sent %+v", sent)
	}
}

// The checks VERIFY builds name the header or query parameter that
// carries the secret, so that stored deliveries keep it redacted.
func TestCredentialNames(t *testing.T) {
	t.Parallel()
	const secret = "sensitive-secret-value"
	tests := []struct {
		name            string
		cfg             generic.Config
		headers, params []string
	}{
		{"token header", generic.Config{Verify: generic.VerifyToken, TokenHeader: "X-Relay-Key"}, []string{"X-Relay-Key"}, nil},
		{"default token header", generic.Config{Verify: generic.VerifyToken}, []string{generic.DefaultTokenHeader}, nil},
		{"token query", generic.Config{Verify: generic.VerifyToken, TokenQuery: "k"}, nil, []string{"k"}},
		{"hmac header", generic.Config{Verify: generic.VerifyHMAC, HMACHeader: "X-Relay-Sig"}, []string{"X-Relay-Sig"}, nil},
		{"bearer", generic.Config{Verify: generic.VerifyBearer}, []string{"Authorization"}, nil},
		{"basic, with an allowlist", generic.Config{Verify: generic.VerifyBasic, BasicUser: "u", AllowIPs: []string{"10.0.0.0/8"}}, []string{"Authorization"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Secret = sdk.NewSecret(secret)
			h := setup(t, tt.cfg)
			w, _ := h.Mounted(generic.Endpoint)
			var headers, params []string
			for _, v := range w.Verify {
				n, ok := v.(sdk.CredentialNamer)
				if !ok {
					t.Fatalf("check %v names no credentials", v)
				}
				hs, ps := n.CredentialNames()
				headers, params = append(headers, hs...), append(params, ps...)
			}
			if !slices.Equal(headers, tt.headers) || !slices.Equal(params, tt.params) {
				t.Errorf("credentials named: headers %q, params %q; want %q, %q", headers, params, tt.headers, tt.params)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	var info sdk.Info
	for _, i := range sdk.Registered() {
		if i.ID == generic.ID {
			info = i
		}
	}
	if info.New == nil || info.EnabledByDefault {
		t.Fatalf("plugin %s not registered as disabled by default: %+v", generic.ID, info)
	}
	p := info.New().(*generic.Plugin)
	raw := `{"CHAT_KEY": "inbox-x", "VERIFY": "token", "SECRET": "s3cr3t", "PREVIOUS_SECRET": "0ld-s3cr3t",
		"TOKEN_QUERY": "key", "ALLOW_IPS": ["192.0.2.0/24"], "TEMPLATE": "{{.}}"}`
	if err := json.Unmarshal([]byte(raw), p.PluginConfig()); err != nil {
		t.Fatal(err)
	}
	c := p.Config
	if c.ChatKey != "inbox-x" || c.Verify != "token" || c.Secret.Reveal() != "s3cr3t" || c.PreviousSecret.Reveal() != "0ld-s3cr3t" ||
		c.TokenQuery != "key" || len(c.AllowIPs) != 1 || c.Template != "{{.}}" {
		t.Errorf("config keys not decoded: %+v", c)
	}
	if s := fmt.Sprintf("%v %+v", c, c); strings.Contains(s, "s3cr3t") {
		t.Errorf("printing the config shows a secret: %s", s)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	// The default tags, which the host applies, match the defaults the
	// plugin uses for empty fields.
	defaults := map[string]string{
		"HMAC_HEADER":    generic.DefaultHMACHeader,
		"HMAC_ALGORITHM": generic.DefaultHMACAlgorithm,
		"HMAC_ENCODING":  generic.DefaultHMACEncoding,
		"TOKEN_HEADER":   generic.DefaultTokenHeader,
	}
	for f := range reflect.TypeFor[generic.Config]().Fields() {
		key := f.Tag.Get("json")
		if want, ok := defaults[key]; ok && f.Tag.Get("default") != want {
			t.Errorf("%s: default tag %q, want %q", key, f.Tag.Get("default"), want)
		}
		delete(defaults, key)
	}
	for key := range defaults {
		t.Errorf("config has no field %s", key)
	}
}
