package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/internal/plugin"
)

// initIn runs `hookpoint init` in dir.
func initIn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"init"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOOKPOINT_CONFIG=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var urlSafeSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{43,}$`)

// hookpoint init writes a config that serve loads as it is, with the
// GitHub plugin and its webhook, and prints what to do with it.
func TestInitWritesAConfigServeLoads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, err := initIn(t, dir, "--base-url", "https://hooks.example.com", "--listen", "127.0.0.1:9999")
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	path := filepath.Join(dir, "hookpoint.yaml")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	// Load it through the code serve uses.
	cf := configFlags{path: path}
	cfg, err := cf.load()
	if err != nil {
		t.Fatalf("serve's loader refuses the config: %v", err)
	}
	set, err := plugin.Load(context.Background(), plugin.LoadOpts{Config: cfg, Logger: slog.New(slog.DiscardHandler), ListOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	gh := set.Lookup("hookpoint.github")
	if gh == nil || gh.State != plugin.StateLoaded || gh.Endpoint("/github") == nil {
		t.Fatalf("hookpoint.github: %+v", gh)
	}
	secret := cfg.Plugins["hookpoint.github"].Config["GITHUB_WEBHOOK_SECRET"].(string)
	token := cfg.Admin.Token.Reveal()
	for name, s := range map[string]string{"webhook secret": secret, "admin token": token} {
		if !urlSafeSecret.MatchString(s) {
			t.Errorf("%s %q: want 32 random bytes, URL-safe", name, s)
		}
	}
	if secret == token {
		t.Error("the webhook secret and the admin token are the same")
	}
	if cfg.Plugins["hookpoint.github"].Config["NOTIFICATION_CHAT_KEY"] != initChatKey || cfg.Listen != "127.0.0.1:9999" {
		t.Errorf("config = %+v", cfg)
	}
	for _, want := range []string{
		"https://hooks.example.com/api/plugin/hookpoint.github/webhook/github",
		"application/json",
		"Secret:        " + secret + "\n",
		"hookpoint serve",
		"hookpoint deliveries ls",
		"http://127.0.0.1:9999/api/admin/chats/" + initChatKey + "/messages",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, token) {
		t.Errorf("output shows the admin token:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("init left other files: %v", entries)
	}
}

// hookpoint init never overwrites a config unless told to, and a bad flag
// writes nothing.
func TestInitRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "hookpoint.yaml")
	os.WriteFile(path, []byte("listen: \":7000\"\n"), 0o644)
	out, err := initIn(t, dir)
	if err == nil || !strings.Contains(out, "--force") {
		t.Errorf("init over an existing file: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(path); string(b) != "listen: \":7000\"\n" {
		t.Errorf("the existing file changed:\n%s", b)
	}
	if out, err := initIn(t, dir, "--force"); err != nil {
		t.Fatalf("init --force: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "GITHUB_WEBHOOK_SECRET") {
		t.Errorf("--force did not overwrite:\n%s", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after --force %v, want 0600", fi.Mode().Perm())
	}

	empty := t.TempDir()
	if out, err := initIn(t, empty, "--base-url", "ftp://nope"); err == nil || !strings.Contains(out, "base_url") {
		t.Errorf("init with a bad --base-url: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused init left files: %v", entries)
	}
}
