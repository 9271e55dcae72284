package generic

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookpoint/hookpoint/sdk"
)

func decoded(t *testing.T, body string) payload {
	t.Helper()
	p, err := decodePayload(&sdk.Request{Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultMessageFields(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		// Non-string and blank fields are skipped.
		{`{"event": 5, "type": " ", "kind": "deploy", "title": ["x"], "subject": "Release"}`, "🔔 deploy\nRelease"},
		// Event and url lines are one line each; a title keeps its lines.
		{`{"event": "a\nb", "message": "line 1\nline 2", "html_url": "https://x.example/1\n"}`, "🔔 a\nline 1\nline 2\nhttps://x.example/1"},
		// An action without an event is not shown.
		{`{"action": "opened", "name": "repo"}`, "🔔 repo"},
		// Nested fields are not looked at.
		{`{"data": {"title": "x"}}`, `{"data":{"title":"x"}}`},
	}
	for _, tt := range tests {
		if got := defaultMessage(decoded(t, tt.body)); got != tt.want {
			t.Errorf("defaultMessage(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestRenderCapsOutput(t *testing.T) {
	t.Parallel()
	tmpl, err := parseTemplate(`{{range .}}{{.}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	// 100,000 two-byte runes, more than maxRenderBytes.
	items := make([]string, 100_000)
	for i := range items {
		items[i] = `"é"`
	}
	out, err := render(tmpl, decoded(t, "["+strings.Join(items, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(out); n != maxMessageRunes || !utf8.ValidString(out) || !strings.HasSuffix(out, "…") {
		t.Errorf("render gave %d runes (valid %v), want %d ending in …", n, utf8.ValidString(out), maxMessageRunes)
	}

	w := &cappedBuffer{max: 4}
	if n, err := w.Write([]byte("abcdef")); n != 4 || err != errTooLong || w.buf.String() != "abcd" {
		t.Errorf("Write = %d, %v, kept %q; want 4, errTooLong, abcd", n, err, w.buf.String())
	}
}

func TestValidHeaderName(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"X-Webhook-Token": true, "x_token.1": true, "": false, "X Token": false, "X:Token": false, "Tökèn": false} {
		if got := validHeaderName(s); got != want {
			t.Errorf("validHeaderName(%q) = %v, want %v", s, got, want)
		}
	}
}
