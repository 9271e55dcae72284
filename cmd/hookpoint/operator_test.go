package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOperatorCommands drives `deliveries` and `tasks` against a running
// server with an admin token.
func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	os.WriteFile(filepath.Join(dir, "hookpoint.yaml"), []byte(`
admin:
  token: ${env:TEST_ADMIN_TOKEN}
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:TEST_GH_SECRET}
      NOTIFICATION_CHAT_KEY: inbox-group_ops
  hookpoint.job:
    config: {API_TOKEN: job-token, JOB_DURATION: 1ms}
`), 0o600)
	env := []string{"TEST_GH_SECRET=op-secret", "TEST_ADMIN_TOKEN=admin-op-token"}
	p := start(t, dir, env, "--listen", addr, "--data", filepath.Join(dir, "state"))
	base := "http://" + addr
	waitHealthy(t, p, base)
	hook := base + "/api/plugin/hookpoint.github/webhook/github"
	fixture := "../../plugins/github/testdata/push.json"
	if out, errOut, err := runHookpoint(t, nil, []string{envSignSecret + "=op-secret"}, "send", "--to", hook, "--scheme", "github", "--event", "push", "--id", "cli-1", fixture); err != nil {
		t.Fatalf("send: %v\n%s%s", err, out, errOut)
	}
	if got := waitMessagesAuth(t, base, "admin-op-token", "inbox-group_ops", 1); len(got) != 1 {
		t.Fatalf("inbox holds %d messages, want 1", len(got))
	}

	admin := []string{"--server", base}
	tokenEnv := []string{"HOOKPOINT_ADMIN_TOKEN=admin-op-token"}
	// Without the token the admin API refuses, and the command says so.
	if _, errOut, err := runHookpoint(t, nil, []string{"HOOKPOINT_ADMIN_TOKEN="}, append([]string{"deliveries", "ls"}, admin...)...); err == nil || !strings.Contains(errOut, "401") {
		t.Errorf("ls without a token: err %v, stderr %q", err, errOut)
	}
	out, errOut, err := runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "ls", "--plugin", "hookpoint.github"}, admin...)...)
	if err != nil || !strings.Contains(out, "hookpoint.github") || !strings.Contains(out, "done") || !strings.Contains(out, "cli-1") {
		t.Fatalf("deliveries ls: %v\n%s%s", err, out, errOut)
	}
	out, _, err = runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "ls", "--json", "--delivery-id", "cli-1"}, admin...)...)
	var listed struct {
		Deliveries []struct {
			ID int64 `json:"id"`
		} `json:"deliveries"`
	}
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Deliveries) != 1 {
		t.Fatalf("deliveries ls --json: %v\n%s", err, out)
	}
	id := jsonNumber(listed.Deliveries[0].ID)
	out, _, err = runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "show", id}, admin...)...)
	if err != nil || !strings.Contains(out, "X-Hub-Signature-256: [redacted]\n") || !strings.Contains(out, "Codertocat") || strings.Contains(out, "op-secret") {
		t.Fatalf("deliveries show: %v\n%s", err, out)
	}
	out, _, err = runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "replay", id}, admin...)...)
	if err != nil || !strings.Contains(out, "queued 1 replay") {
		t.Fatalf("deliveries replay: %v\n%s", err, out)
	}
	if got := waitMessagesAuth(t, base, "admin-op-token", "inbox-group_ops", 2); len(got) != 2 {
		t.Fatalf("inbox holds %d messages, want 2", len(got))
	}
	if _, errOut, err := runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "replay"}, admin...)...); err == nil || !strings.Contains(errOut, "filters") {
		t.Errorf("replay with neither id nor filter: %v %s", err, errOut)
	}
	if _, errOut, err := runHookpoint(t, nil, tokenEnv, append([]string{"deliveries", "show", "999999"}, admin...)...); err == nil || !strings.Contains(errOut, "404") {
		t.Errorf("show unknown: %v %s", err, errOut)
	}

	body := filepath.Join(dir, "job.json")
	os.WriteFile(body, []byte(`{"task_id":"cli","notify_chat_key":"inbox-group_jobs"}`), 0o600)
	if out, errOut, err := runHookpoint(t, nil, []string{envSignSecret + "=job-token"}, "send", "--to", base+"/api/plugin/hookpoint.job/webhook/start_job", "--scheme", "bearer", body); err != nil {
		t.Fatalf("start job: %v\n%s%s", err, out, errOut)
	}
	if got := waitMessagesAuth(t, base, "admin-op-token", "inbox-group_jobs", 1); len(got) != 1 {
		t.Fatalf("inbox holds %d messages, want 1", len(got))
	}
	out, _, err = runHookpoint(t, nil, tokenEnv, append([]string{"tasks", "ls"}, admin...)...)
	if err != nil || !strings.Contains(out, "hookpoint.job") || !strings.Contains(out, "done") {
		t.Fatalf("tasks ls: %v\n%s", err, out)
	}
	if _, errOut, err := runHookpoint(t, nil, tokenEnv, append([]string{"tasks", "frobnicate"}, admin...)...); err == nil || !strings.Contains(errOut, "unknown subcommand") {
		t.Errorf("unknown subcommand: %v %s", err, errOut)
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
