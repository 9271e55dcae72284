package app_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

// credentialCase is one signed request to a built-in plugin's endpoint and
// where it carries its credentials.
type credentialCase struct {
	name, plugin, method, path string
	body                       []byte
	header                     http.Header
	creds                      []string // headers that must be stored redacted
	param                      string   // a query parameter that must be stored redacted
}

// signed returns the headers a sender signing body with scheme would send,
// with extra added.
func signed(t *testing.T, scheme, secret string, opts verify.SignerOpts, body []byte, extra ...string) http.Header {
	t.Helper()
	s, err := verify.NewSigner(scheme, secret, opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Sign(body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

// Every built-in plugin's endpoint stores its deliveries with the header
// (or query parameter) that carries the credential redacted, because its
// verifiers name it.
func TestStoredDeliveriesRedactCredentials(t *testing.T) {
	t.Parallel()
	push := fixture(t, "push.json")
	gitlabPush, err := os.ReadFile(filepath.Join("..", "..", "plugins", "gitlab", "testdata", "push.json"))
	if err != nil {
		t.Fatal(err)
	}
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	mw.WriteField("report_name", "nightly")
	mw.WriteField("target_chat", devChat)
	fw, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {`form-data; name="report_file"; filename="report.txt"`}, "Content-Type": {"text/plain"}})
	fw.Write([]byte("all systems nominal"))
	mw.Close()
	relay := []byte(`{"title":"deployed"}`)
	bearer := func(ct string) http.Header {
		return http.Header{"Authorization": {"Bearer " + apiToken}, "Content-Type": {ct}}
	}
	json := "application/json"

	// One server with every built-in plugin.
	b := startApp(t, allPluginsConfig, t.TempDir())
	for _, c := range []credentialCase{
		{"github", "hookpoint.github", "POST", githubHook, push,
			signed(t, "github", ghSecret, verify.SignerOpts{}, push, "X-GitHub-Event", "push", "Content-Type", json),
			[]string{"X-Hub-Signature-256", "X-Hub-Signature"}, ""},
		{"gitlab", "hookpoint.gitlab", "POST", "/api/plugin/hookpoint.gitlab/webhook/gitlab", gitlabPush,
			signed(t, "gitlab", gitlabToken, verify.SignerOpts{}, gitlabPush, "X-Gitlab-Event", "Push Hook", "Content-Type", json),
			[]string{"X-Gitlab-Token"}, ""},
		{"generic, basic", "hookpoint.generic", "POST", "/api/plugin/hookpoint.generic/webhook/generic", relay,
			signed(t, "basic", genericPrevious, verify.SignerOpts{User: "relay"}, relay, "Content-Type", json),
			[]string{"Authorization"}, ""},
		{"resource", "hookpoint.resource", "POST", "/api/plugin/hookpoint.resource/webhook/resource", []byte(`{"name":"printer"}`),
			bearer(json), []string{"Authorization"}, ""},
		{"report", "hookpoint.report", "POST", "/api/plugin/hookpoint.report/webhook/upload_report", upload.Bytes(),
			bearer(mw.FormDataContentType()), []string{"Authorization"}, ""},
		{"job", "hookpoint.job", "POST", "/api/plugin/hookpoint.job/webhook/start_job", []byte(`{"task_id":"t-9","notify_chat_key":"` + devChat + `"}`),
			bearer(json), []string{"Authorization"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) { checkRedacted(t, b, c) })
	}

	// The generic relay in each of its other styles, a server each.
	const secret = "generic-style-secret"
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte(secret))
	const genericHook = "/api/plugin/hookpoint.generic/webhook/generic"
	for _, s := range []struct {
		config string // the style's keys of the plugin's config
		c      credentialCase
	}{
		{`VERIFY: hmac, SECRET: ` + secret, credentialCase{"generic, hmac", "", "POST", genericHook, relay,
			signed(t, "hmac", secret, verify.SignerOpts{HMAC: verify.HMACOpts{Header: "X-Signature"}}, relay, "Content-Type", json),
			[]string{"X-Signature"}, ""}},
		{`VERIFY: token, TOKEN_HEADER: X-Relay-Key, SECRET: ` + secret, credentialCase{"generic, token header", "", "POST", genericHook, relay,
			signed(t, "token", secret, verify.SignerOpts{TokenHeader: "X-Relay-Key"}, relay, "Content-Type", json),
			[]string{"X-Relay-Key"}, ""}},
		{`VERIFY: token, TOKEN_QUERY: relay_key, SECRET: ` + secret, credentialCase{"generic, token query", "", "POST", genericHook + "?relay_key=" + secret, relay,
			http.Header{"Content-Type": {json}}, nil, "relay_key"}},
		{`VERIFY: bearer, SECRET: ` + secret, credentialCase{"generic, bearer", "", "POST", genericHook, relay,
			signed(t, "bearer", secret, verify.SignerOpts{}, relay, "Content-Type", json),
			[]string{"Authorization"}, ""}},
		{`VERIFY: standard-webhooks, SECRET: "` + whsec + `"`, credentialCase{"generic, standard webhooks", "", "POST", genericHook, relay,
			signed(t, "standard-webhooks", whsec, verify.SignerOpts{}, relay, "Content-Type", json),
			[]string{"Webhook-Signature"}, ""}},
	} {
		t.Run(s.c.name, func(t *testing.T) {
			t.Parallel()
			b := startApp(t, "plugins:\n  hookpoint.generic:\n    config: {CHAT_KEY: "+devChat+", "+s.config+"}\n", t.TempDir())
			s.c.plugin = "hookpoint.generic"
			checkRedacted(t, b, s.c)
		})
	}
}

// checkRedacted sends c and checks the stored delivery: every credential
// redacted, no credential value anywhere in it.
func checkRedacted(t *testing.T, b *testBundle, c credentialCase) {
	t.Helper()
	h := map[string]string{}
	for k := range c.header {
		h[k] = c.header.Get(k)
	}
	a := b.do(t, c.method, c.path, c.body, h)
	if a.status/100 != 2 {
		t.Fatalf("%s: %d %s", c.path, a.status, a.raw)
	}
	l := b.do(t, "GET", "/api/admin/deliveries?limit=1&plugin="+c.plugin, nil, nil)
	var out struct {
		Deliveries []json.RawMessage `json:"deliveries"`
	}
	if err := json.Unmarshal([]byte(l.raw), &out); err != nil || len(out.Deliveries) != 1 {
		t.Fatalf("deliveries of %s: %v %s", c.plugin, err, l.raw)
	}
	raw := string(out.Deliveries[0])
	var d deliveryJSON
	json.Unmarshal(out.Deliveries[0], &d)
	var values []string
	for _, name := range c.creds {
		if got := d.Headers[name]; len(got) != 1 || got[0] != "[redacted]" {
			t.Errorf("stored %s = %q, want it redacted", name, got)
		}
		values = append(values, c.header.Get(name))
	}
	if c.param != "" {
		u, _ := url.Parse(c.path)
		values = append(values, u.Query().Get(c.param))
		if q, _ := url.ParseQuery(d.Query); q.Get(c.param) != "[redacted]" {
			t.Errorf("stored query %q, want %s redacted", d.Query, c.param)
		}
	}
	for _, v := range values {
		if v == "" {
			t.Fatalf("the request carries no credential to check")
		}
		if strings.Contains(raw, v) {
			t.Errorf("the stored delivery holds the credential %q: %s", v, raw)
		}
	}
}
