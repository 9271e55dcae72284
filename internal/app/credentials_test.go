package app_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Basic and Bearer credentials: missing or wrong ones are both answered
// 401 with a WWW-Authenticate challenge (a wrong Bearer token says
// invalid_token), as the README says; the admin API does the same. The
// health check needs no credentials.
func TestWrongCredentialsGet401(t *testing.T) {
	t.Parallel()
	b := startApp(t, `
admin:
  token: admin-secret-token
plugins:
  hookpoint.resource:
    config: {API_TOKEN: `+apiToken+`}
  hookpoint.generic:
    config: {CHAT_KEY: inbox-x, VERIFY: basic, BASIC_USER: sender, SECRET: basic-password}
`, t.TempDir())
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	tests := []struct {
		name, method, path, auth string
		status                   int
		challenge                string // in WWW-Authenticate
	}{
		{"bearer missing", "GET", "/api/plugin/hookpoint.resource/webhook/resource", "", 401, `Bearer realm="hookpoint"`},
		{"bearer wrong", "GET", "/api/plugin/hookpoint.resource/webhook/resource", "Bearer nope", 401, `error="invalid_token"`},
		{"bearer right", "GET", "/api/plugin/hookpoint.resource/webhook/resource", "Bearer " + apiToken, 200, ""},
		{"basic missing", "POST", "/api/plugin/hookpoint.generic/webhook/generic", "", 401, `Basic realm="hookpoint"`},
		{"basic wrong password", "POST", "/api/plugin/hookpoint.generic/webhook/generic", basic("sender", "nope"), 401, `Basic realm="hookpoint"`},
		{"basic wrong user", "POST", "/api/plugin/hookpoint.generic/webhook/generic", basic("other", "basic-password"), 401, `Basic realm="hookpoint"`},
		{"basic right", "POST", "/api/plugin/hookpoint.generic/webhook/generic", basic("sender", "basic-password"), 202, ""},
		{"admin missing", "GET", "/api/admin/plugins", "", 401, "Bearer"},
		{"admin wrong", "GET", "/api/admin/plugins", "Bearer nope", 401, "Bearer"},
		{"health check needs none", "GET", "/healthz", "", 200, ""},
	}
	for _, tt := range tests {
		h := map[string]string{"Content-Type": "application/json"}
		if tt.auth != "" {
			h["Authorization"] = tt.auth
		}
		a := b.do(t, tt.method, tt.path, []byte(`{"event":"x"}`), h)
		if a.status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, a.status, tt.status, a.raw)
			continue
		}
		if got := a.header.Get("WWW-Authenticate"); tt.challenge != "" && !strings.Contains(got, tt.challenge) {
			t.Errorf("%s: WWW-Authenticate %q, want %q in it", tt.name, got, tt.challenge)
		}
	}
}
