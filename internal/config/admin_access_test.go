package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/config"
)

// An operator command reads listen and admin.token only: substitutions
// elsewhere that only the server can resolve are no error, and one in the
// token is reported for the token alone.
func TestLoadAdminAccessIsLenient(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-from-file\n"), 0o600)
	tests := []struct {
		name, yaml        string
		listen, token     string
		listenErr, tokErr string
	}{
		{"resolvable keys", "listen: 127.0.0.1:9999\nadmin:\n  token: ${file:" + tokenFile + "}\nplugins:\n  hookpoint.github:\n    config:\n      GITHUB_WEBHOOK_SECRET: ${env:HP_SERVER_ONLY_SECRET}\n      X: ${file:/run/secrets/nope}\n",
			"127.0.0.1:9999", "tok-from-file", "", ""},
		{"unresolvable token", "admin:\n  token: ${env:HP_SERVER_ONLY_TOKEN}\n", ":8080", "", "", "admin.token"},
		{"unresolvable listen", "listen: ${env:HP_SERVER_ONLY_LISTEN}\n", ":8080", "", "listen", ""},
		{"no admin section", "log:\n  level: debug\n", ":8080", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tt.yaml), 0o600)
			a, err := config.LoadAdminAccess(path)
			if err != nil {
				t.Fatal(err)
			}
			if a.Listen != tt.listen || a.Token.Reveal() != tt.token {
				t.Errorf("listen %q token %q, want %q %q", a.Listen, a.Token.Reveal(), tt.listen, tt.token)
			}
			for _, e := range []struct {
				err  error
				want string
			}{{a.ListenErr, tt.listenErr}, {a.TokenErr, tt.tokErr}} {
				if (e.err == nil) != (e.want == "") || e.err != nil && !strings.Contains(e.err.Error(), e.want) {
					t.Errorf("err = %v, want one naming %q", e.err, e.want)
				}
			}
		})
	}
	if _, err := config.LoadAdminAccess(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a named config file that does not exist is no error")
	}
}
