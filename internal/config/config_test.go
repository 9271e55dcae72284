package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/config"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	c, err := config.Load("", config.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.DataDir != "./data" || c.BaseURL != "http://localhost:8080" {
		t.Errorf("defaults = listen %q data %q base %q", c.Listen, c.DataDir, c.BaseURL)
	}
	if c.Database.SQLiteSync != "normal" {
		t.Errorf("database.sqlite_sync = %q, want normal", c.Database.SQLiteSync)
	}
	if c.Limits.MaxBodyBytes != 1<<20 || c.Server.ReadHeaderTimeout != 10*time.Second {
		t.Errorf("limits = %+v server = %+v", c.Limits, c.Server)
	}
	if c.Retention.PruneInterval != time.Hour {
		t.Errorf("retention.prune_interval = %s, want 1h", c.Retention.PruneInterval)
	}
	c, err = config.Load("", config.Overrides{Listen: "127.0.0.1:9999", DataDir: "/tmp/x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://localhost:9999" || c.DataDir != "/tmp/x" {
		t.Errorf("overrides: base %q data %q", c.BaseURL, c.DataDir)
	}
}

func TestLoadFileWithSubstitution(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "gh.secret")
	os.WriteFile(secretFile, []byte("from-file\n"), 0o600)
	t.Setenv("HP_TEST_TOKEN", "admin-tok")
	path := filepath.Join(dir, "hookpoint.yaml")
	os.WriteFile(path, []byte(`
base_url: https://hooks.example.com/
admin:
  token: ${env:HP_TEST_TOKEN}
limits:
  max_body_bytes: 2048
server:
  read_timeout: 5s
retention:
  deliveries: 2m
  prune_interval: 5s
plugins:
  hookpoint.github:
    enabled: true
    config:
      GITHUB_WEBHOOK_SECRET: ${file:`+secretFile+`}
      NOTIFICATION_CHAT_KEY: inbox-group_dev
      LABEL: "pre-${env:HP_UNSET_VAR:-fallback}-post"
      COUNT: 3
`), 0o600)
	c, err := config.Load(path, config.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://hooks.example.com" {
		t.Errorf("base_url = %q", c.BaseURL)
	}
	if c.Admin.Token.Reveal() != "admin-tok" {
		t.Errorf("admin token = %q", c.Admin.Token.Reveal())
	}
	if c.Limits.MaxBodyBytes != 2048 || c.Server.ReadTimeout != 5*time.Second {
		t.Errorf("limits %+v server %+v", c.Limits, c.Server)
	}
	if c.Retention.Deliveries != 2*time.Minute || c.Retention.PruneInterval != 5*time.Second {
		t.Errorf("retention %+v", c.Retention)
	}
	pc := c.Plugins["hookpoint.github"].Config
	if pc["GITHUB_WEBHOOK_SECRET"] != "from-file" || pc["LABEL"] != "pre-fallback-post" || pc["COUNT"] != 3 {
		t.Errorf("plugin config = %#v", pc)
	}
	if !c.PluginEnabled("hookpoint.github", false) || c.PluginEnabled("hookpoint.other", false) || !c.PluginEnabled("hookpoint.other", true) {
		t.Error("PluginEnabled wrong")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "listen: :1\nlisten_addr: x\n", "listen_addr"},
		{"unset env", "admin:\n  token: ${env:HP_DEFINITELY_UNSET}\n", "HP_DEFINITELY_UNSET is not set"},
		{"missing file", "admin:\n  token: ${file:/nonexistent/x}\n", "/nonexistent/x"},
		{"unknown substitution", "admin:\n  token: ${vault:x}\n", "unknown substitution"},
		{"bad listen", "listen: nope\n", "listen"},
		{"bad base url", "base_url: ftp://x\n", "base_url"},
		{"bad plugin key", "plugins:\n  1bad.x: {}\n", "1bad"},
		{"bad yaml", "plugins: [\n", "YAML"},
		{"bad log format", "log:\n  format: xml\n", "log.format"},
		{"bad sqlite sync", "database:\n  sqlite_sync: always\n", "database.sqlite_sync"},
		{"prune interval too short", "retention:\n  prune_interval: 500ms\n", "retention.prune_interval"},
		{"negative prune interval", "retention:\n  prune_interval: -1m\n", "retention.prune_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tt.yaml), 0o600)
			_, err := config.Load(path, config.Overrides{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
