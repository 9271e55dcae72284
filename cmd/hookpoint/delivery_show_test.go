package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// deliveryJSON is an admin API answer for one delivery.
func deliveryJSON(t *testing.T, id int64, contentType, body, encoding string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": id, "plugin": "hookpoint.github", "endpoint": "/github", "mode": "queued", "method": "POST",
		"path": "/api/plugin/hookpoint.github/webhook/github", "state": "done", "attempts": 1, "max_attempts": 12,
		"received_at": "2026-03-04T12:00:00Z", "delivery_id": "d-1", "client_addr": "192.0.2.7",
		"headers": map[string][]string{"Content-Type": {contentType}, "X-Github-Event": {"push"}, "X-Hub-Signature-256": {"[redacted]"}},
		"body":    body, "body_encoding": encoding, "body_bytes": len(body),
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// deliveries show prints fields, one header per line and the body
// pretty-printed: JSON indented, a form as key = value lines with
// GitHub's JSON payload field indented too, binary as its size.
func TestDeliveriesShowIsReadable(t *testing.T) {
	t.Parallel()
	payload := `{"ref":"refs/heads/main","repository":{"full_name":"octo/hello"}}`
	f := newFakeAdmin(t, map[string]string{
		"/api/admin/deliveries/1": deliveryJSON(t, 1, "application/json", payload, "text"),
		"/api/admin/deliveries/2": deliveryJSON(t, 2, "application/x-www-form-urlencoded", "payload="+url.QueryEscape(payload)+"&x=a+b", "text"),
		"/api/admin/deliveries/3": deliveryJSON(t, 3, "application/octet-stream", "AAECAw==", "base64"),
		"/api/admin/deliveries/4": deliveryJSON(t, 4, "text/plain", "just <text>", "text"),
	})
	env := []string{"HOOKPOINT_SERVER=" + f.URL, "HOOKPOINT_ADMIN_TOKEN=x"}
	show := func(args ...string) string {
		t.Helper()
		out, errOut, err := runHookpoint(t, nil, env, append([]string{"deliveries", "show"}, args...)...)
		if err != nil {
			t.Fatalf("show %v: %v\n%s%s", args, err, out, errOut)
		}
		return out
	}
	indented := "{\n  \"ref\": \"refs/heads/main\",\n  \"repository\": {\n    \"full_name\": \"octo/hello\"\n  }\n}"
	tests := []struct {
		id   string
		want []string
	}{
		{"1", []string{"state:", "done", "event:", "push", "  X-Hub-Signature-256: [redacted]\n", "  X-Github-Event: push\n", "JSON):\n" + indented + "\n"}},
		{"2", []string{"form):\npayload = " + indented + "\nx = a b\n"}},
		{"3", []string{"body (8 bytes, binary):"}},
		{"4", []string{"text):\njust <text>\n"}},
	}
	for _, tt := range tests {
		out := show(tt.id)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("show %s lacks %q:\n%s", tt.id, w, out)
			}
		}
		if strings.Contains(out, "AAECAw") {
			t.Errorf("show %s prints the base64 body:\n%s", tt.id, out)
		}
	}
	var raw map[string]any
	if out := show("1", "--json"); json.Unmarshal([]byte(out), &raw) != nil || raw["body"] != payload {
		t.Errorf("show --json is not the API's JSON:\n%s", out)
	}
}
