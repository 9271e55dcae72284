package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plugins describe prints each plugin's config fields from its config
// type, its state under the config, and its webhooks: with full URLs when
// it is loaded, as probed when it is not.
func TestPluginsDescribeAndList(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("base_url: https://hooks.example.com\nplugins:\n  hookpoint.resource:\n    config: {API_TOKEN: t}\n"), 0o600)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := runHookpoint(t, nil, nil, append(append([]string{"plugins"}, args...), "--config", cfg)...)
		if err != nil {
			t.Fatalf("plugins %v: %v\n%s%s", args, err, out, errOut)
		}
		return out
	}
	out := run("describe")
	for _, want := range []string{
		"hookpoint.github: GitHub",
		"enabled by default; here: failed: config field GITHUB_WEBHOOK_SECRET is required but not set",
		"    GITHUB_WEBHOOK_SECRET  secret, required\n        Webhook secret. The secret set on the GitHub webhook",
		"    JOB_DURATION  string, default 2s\n",
		"  webhooks, once configured:\n    POST /github  queued  GitHub Webhook Handler\n",
		"hookpoint.resource: Resource",
		"disabled by default; here: loaded",
		"        https://hooks.example.com/api/plugin/hookpoint.resource/webhook/resource\n",
		"hookpoint.generic: Generic webhook relay",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	if out := run("describe", "hookpoint.gitlab"); !strings.HasPrefix(out, "hookpoint.gitlab: GitLab") || strings.Contains(out, "hookpoint.github") {
		t.Errorf("describe hookpoint.gitlab:\n%s", out)
	}
	if _, errOut, err := runHookpoint(t, nil, nil, "plugins", "describe", "nope.nope", "--config", cfg); err == nil || !strings.Contains(errOut, "hookpoint.github") {
		t.Errorf("describe of an unknown plugin: %v %q", err, errOut)
	}
	out = run("ls")
	for id, state := range map[string]string{"hookpoint.github": "failed", "hookpoint.resource": "loaded", "hookpoint.gitlab": "disabled"} {
		if got := cell(t, out, id, "STATE"); got != state {
			t.Errorf("ls: %s is %q, want %q\n%s", id, got, state, out)
		}
	}
}
