package app_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	gitlabToken     = "gitlab-token-not-for-listing"
	genericSecret   = "generic-secret-not-for-listing"
	genericPrevious = "generic-previous-not-for-listing"
)

// allPluginsConfig enables every built-in plugin: the generic relay with an
// address allowlist and Basic credentials in rotation.
const allPluginsConfig = baseConfig + `  hookpoint.gitlab:
    config: {GITLAB_WEBHOOK_TOKEN: ` + gitlabToken + `, NOTIFICATION_CHAT_KEY: ` + devChat + `}
  hookpoint.generic:
    config:
      CHAT_KEY: ` + devChat + `
      VERIFY: basic
      BASIC_USER: relay
      SECRET: ` + genericSecret + `
      PREVIOUS_SECRET: ` + genericPrevious + `
      ALLOW_IPS: [127.0.0.0/8, "::1"]
`

// goTypeName matches what fmt's %T prints for a named type.
var goTypeName = regexp.MustCompile(`^\*?[a-z][a-z0-9]*\.[A-Za-z_][A-Za-z0-9_]*$`)

// The plugin listing says in words what each endpoint verifies: no Go type
// names, no secrets.
func TestListingDescribesVerification(t *testing.T) {
	t.Parallel()
	b := startApp(t, allPluginsConfig, t.TempDir())
	a := b.do(t, "GET", "/api/admin/plugins", nil, nil)
	if a.status != 200 {
		t.Fatalf("plugins: %d %s", a.status, a.raw)
	}
	for _, secret := range []string{ghSecret, apiToken, gitlabToken, genericSecret, genericPrevious} {
		if strings.Contains(a.raw, secret) {
			t.Errorf("the listing shows the secret %q", secret)
		}
	}
	var out struct {
		Plugins []struct {
			ID       string `json:"id"`
			State    string `json:"state"`
			Webhooks []struct {
				Endpoint     string   `json:"endpoint"`
				Verification []string `json:"verification"`
			} `json:"webhooks"`
		} `json:"plugins"`
	}
	if err := json.Unmarshal([]byte(a.raw), &out); err != nil {
		t.Fatal(err)
	}
	basic := "Basic user name and password in Authorization"
	want := map[string][]string{
		"hookpoint.github/github":        {"GitHub signature (X-Hub-Signature-256, HMAC-SHA256)"},
		"hookpoint.gitlab/gitlab":        {"token in X-Gitlab-Token"},
		"hookpoint.generic/generic":      {"client IP in 127.0.0.0/8, ::1", "any of: " + basic + "; " + basic},
		"hookpoint.resource/resource":    {"bearer token in Authorization"},
		"hookpoint.report/upload_report": {"bearer token in Authorization"},
		"hookpoint.job/start_job":        {"bearer token in Authorization"},
	}
	seen := 0
	for _, p := range out.Plugins {
		for _, w := range p.Webhooks {
			key := p.ID + w.Endpoint
			for _, v := range w.Verification {
				if goTypeName.MatchString(v) || strings.Contains(v, "verify.") {
					t.Errorf("%s lists a Go type name: %q", key, v)
				}
			}
			if exp, ok := want[key]; ok {
				seen++
				if !slices.Equal(w.Verification, exp) {
					t.Errorf("%s verification\n got %q\nwant %q", key, w.Verification, exp)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("listed %d of the %d built-in endpoints: %s", seen, len(want), a.raw)
	}
}
