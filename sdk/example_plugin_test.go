package sdk_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
	"github.com/hookpoint/hookpoint/sdk/sdktest"
)

// The example plugin does what the seed's example does: a signed push
// tells the chat; an unsigned request is 400, a forged one 403, a
// malformed payload 400.
func TestExamplePlugin(t *testing.T) {
	h := sdktest.NewHost(t, GitHubNotifier{}.PluginInfo().ID)
	p := GitHubNotifier{}.PluginInfo().New().(*GitHubNotifier)
	p.Config.WebhookSecret = sdk.NewSecret("s3cret")
	p.Config.NotificationChatKey = "inbox-group_dev"
	sdktest.Provision(t, h, p)

	push, err := os.ReadFile(pushFixture)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(body []byte) string {
		m := hmac.New(sha256.New, []byte("s3cret"))
		m.Write(body)
		return "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	send := func(body []byte, signature string) int {
		hdr := http.Header{"X-Github-Event": {"push"}, "Content-Type": {"application/json"}}
		if signature != "" {
			hdr.Set("X-Hub-Signature-256", signature)
		}
		resp, err := sdktest.Serve(t, h, "/github", &sdk.Request{Header: hdr, Body: body})
		if status := sdktest.Status(resp, err); status != http.StatusOK {
			return status
		}
		if !strings.Contains(string(resp.Body), `"message":"Event 'push' received and acknowledged."`) {
			t.Errorf("answer = %s", resp.Body)
		}
		return http.StatusOK
	}
	if got := send(push, sign(push)); got != http.StatusOK {
		t.Fatalf("signed push: %d", got)
	}
	sent := h.Sent()
	if len(sent) != 1 || sent[0].ChatKey != "inbox-group_dev" || !strings.Contains(sent[0].Msg.Text, "Push to Codertocat/Hello-World") {
		t.Fatalf("sent = %+v", sent)
	}
	for _, c := range []struct {
		name      string
		body, sig string
		want      int
	}{
		{"unsigned", string(push), "", http.StatusBadRequest},
		{"forged", string(push), sign([]byte("something else")), http.StatusForbidden},
		{"not JSON", "{", sign([]byte("{")), http.StatusBadRequest},
	} {
		if got := send([]byte(c.body), c.sig); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if len(h.Sent()) != 1 {
		t.Errorf("refused requests sent %+v", h.Sent()[1:])
	}
}

// The README's plugin is this package's example, word for word.
func TestREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Writing a plugin")
	_, block, _ := strings.Cut(section, "```go\n")
	block, _, _ = strings.Cut(block, "```")
	if !strings.Contains(block, "func (p *GitHubNotifier) Provision") || !strings.Contains(string(example), block) {
		t.Errorf("README's first Go block under \"Writing a plugin\" is not sdk/example_test.go's plugin:\n%s", block)
	}
}
