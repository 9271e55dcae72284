package server_test

import (
	"strings"
	"testing"
)

// JSON answers keep <, > and & as they are: an operator reading an error
// or a listing sees what was sent, not \u003c.
func TestJSONIsNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	r := do(t, "GET", b.srv.URL+"/nope/%3Cb%3E&x", "", nil)
	if r.status != 404 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if !strings.Contains(r.raw, "/nope/<b>&x") || strings.Contains(r.raw, `\u003c`) || strings.Contains(r.raw, `\u0026`) {
		t.Errorf("answer escapes HTML characters: %s", r.raw)
	}
}
