package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the hookpoint binary built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hookpoint-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "hookpoint")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building hookpoint: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a running `hookpoint serve`.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	done chan error
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func start(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("server log:\n%s", p.log())
		}
	})
	return p
}

func waitHealthy(t *testing.T, p *proc, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("server exited: %v\n%s", err, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("server not healthy within 20s\n%s", p.log())
}

func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	os.WriteFile(filepath.Join(dir, "hookpoint.yaml"), []byte(`
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: ${env:TEST_GH_SECRET}
      NOTIFICATION_CHAT_KEY: inbox-group_dev
`), 0o600)
	p := start(t, dir, []string{"TEST_GH_SECRET=It's a Secret to Everybody"}, "--listen", addr, "--data", filepath.Join(dir, "state"))
	base := "http://" + addr
	waitHealthy(t, p, base)
	hook := "http://localhost:" + strings.Split(addr, ":")[1] + "/api/plugin/hookpoint.github/webhook/github"
	if !strings.Contains(p.log(), hook) {
		t.Errorf("startup log does not show the webhook URL %s", hook)
	}

	body, err := os.ReadFile("../../plugins/github/testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("It's a Secret to Everybody"))
	mac.Write(body)
	req, _ := http.NewRequest("POST", base+"/api/plugin/hookpoint.github/webhook/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", "5f8c7e00-0000-4000-8000-000000000001")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("signed push: %d %s", resp.StatusCode, raw)
	}

	texts := waitMessages(t, base, "inbox-group_dev", 1)
	var payload struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	json.Unmarshal(body, &payload)
	if len(texts) != 1 || !strings.Contains(texts[0], payload.Repository.FullName) {
		t.Fatalf("inbox = %q, want one message about %s", texts, payload.Repository.FullName)
	}
	if strings.Contains(p.log(), "It's a Secret") {
		t.Error("the secret appears in the log")
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within 15s of SIGTERM")
	}
	if !strings.Contains(p.log(), "stopped") {
		t.Errorf("no clean stop in log")
	}
}

func TestServeEmbeddedDefault(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		t.Skipf("port 8080 is taken, cannot test the no-flag default: %v", err)
	}
	ln.Close()
	dir := t.TempDir()
	p := start(t, dir, []string{"HOOKPOINT_LISTEN=", "HOOKPOINT_DATA=", "HOOKPOINT_CONFIG="})
	waitHealthy(t, p, "http://127.0.0.1:8080")
	if _, err := os.Stat(filepath.Join(dir, "data", "hookpoint.db")); err != nil {
		t.Errorf("embedded default did not create ./data/hookpoint.db: %v", err)
	}
	if !strings.Contains(p.log(), "GITHUB_WEBHOOK_SECRET") {
		t.Errorf("log does not explain why hookpoint.github is not loaded")
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if err := <-p.done; err != nil {
		t.Errorf("exit after SIGINT: %v", err)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("plugins:\n  hookpoint.github:\n    enabled: true\n"), 0o600)
	out, err := exec.Command(binary, "serve", "--config", filepath.Join(dir, "c.yaml"), "--listen", freePort(t), "--data", dir).CombinedOutput()
	if err == nil {
		t.Fatalf("serve started with an enabled github plugin and no secret:\n%s", out)
	}
	if !strings.Contains(string(out), "hookpoint.github") || !strings.Contains(string(out), "GITHUB_WEBHOOK_SECRET") {
		t.Errorf("error does not name the plugin and field:\n%s", out)
	}
}

func TestWebhooksCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte(`
base_url: https://hooks.example.com
plugins:
  hookpoint.github:
    config:
      GITHUB_WEBHOOK_SECRET: x
  hookpoint.resource:
    config:
      API_TOKEN: t
`), 0o600)
	cmd := exec.Command(binary, "webhooks", "--config", cfg)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("webhooks: %v\n%s", err, out)
	}
	for _, want := range []string{
		"https://hooks.example.com/api/plugin/hookpoint.github/webhook/github",
		"https://hooks.example.com/api/plugin/hookpoint.resource/webhook/resource",
		"hookpoint.github",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "hookpoint.job/webhook") {
		t.Errorf("disabled plugin's webhook listed:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("webhooks created files: %v", entries)
	}
}

// waitMessages polls the inbox of chat until it holds n messages (queued
// handlers run shortly after the 202), and returns their texts.
func waitMessages(t *testing.T, base, chat string, n int) []string {
	t.Helper()
	return waitMessagesAuth(t, base, "", chat, n)
}

// waitMessagesAuth is waitMessages with an admin token.
func waitMessagesAuth(t *testing.T, base, token, chat string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/api/admin/chats/"+chat+"/messages", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Messages []struct{ Text string } `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) >= n || time.Now().After(deadline) {
			texts := make([]string, len(out.Messages))
			for i, m := range out.Messages {
				texts[i] = m.Text
			}
			return texts
		}
		time.Sleep(20 * time.Millisecond)
	}
}
