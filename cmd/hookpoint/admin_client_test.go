package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An operator command works with a config whose substitutions only the
// server can resolve: it needs the server's URL and the admin token, and
// says clearly when the token is what it cannot resolve.
func TestOperatorCommandsReadTheConfigLeniently(t *testing.T) {
	t.Parallel()
	f := newFakeAdmin(t, map[string]string{"/api/admin/tasks": `{"tasks":[]}`})
	dir := t.TempDir()
	serverOnly := `plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:HP_TEST_SERVER_ONLY_SECRET}
  hookpoint.resource:
    config:
      API_TOKEN: ${file:/run/secrets/hp-test-not-here}
`
	withToken := filepath.Join(dir, "with-token.yaml")
	os.WriteFile(withToken, []byte("admin:\n  token: plain-admin-token\n"+serverOnly), 0o600)
	unresolvedToken := filepath.Join(dir, "unresolved-token.yaml")
	os.WriteFile(unresolvedToken, []byte("admin:\n  token: ${env:HP_TEST_SERVER_ONLY_TOKEN}\n"+serverOnly), 0o600)
	noToken := []string{"HOOKPOINT_ADMIN_TOKEN=", "HOOKPOINT_SERVER=" + f.URL}

	out, errOut, err := runHookpoint(t, nil, noToken, "tasks", "ls", "--config", withToken)
	if err != nil || f.lastAuth() != "Bearer plain-admin-token" {
		t.Errorf("token from the config: %v, sent %q\n%s%s", err, f.lastAuth(), out, errOut)
	}
	out, errOut, err = runHookpoint(t, nil, []string{"HOOKPOINT_ADMIN_TOKEN=env-token", "HOOKPOINT_SERVER=" + f.URL}, "tasks", "ls", "--config", unresolvedToken)
	if err != nil || f.lastAuth() != "Bearer env-token" {
		t.Errorf("token from the environment: %v, sent %q\n%s%s", err, f.lastAuth(), out, errOut)
	}
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("file-token\n"), 0o600)
	out, errOut, err = runHookpoint(t, nil, noToken, "deliveries", "ls", "--config", unresolvedToken, "--token-file", tokenFile)
	if !strings.Contains(errOut, "404") || f.lastAuth() != "Bearer file-token" { // the fake has no deliveries route
		t.Errorf("token from --token-file: %v, sent %q\n%s%s", err, f.lastAuth(), out, errOut)
	}
	_, errOut, err = runHookpoint(t, nil, noToken, "tasks", "ls", "--config", unresolvedToken)
	if err == nil || !strings.Contains(errOut, "admin.token") || !strings.Contains(errOut, "HP_TEST_SERVER_ONLY_TOKEN") || !strings.Contains(errOut, "--token-file") {
		t.Errorf("unresolvable token: err %v, stderr %q; want it to name admin.token and say what to do", err, errOut)
	}
}
