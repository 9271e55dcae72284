package main

import (
	"bytes"
	"strings"
	"testing"
)

// The CLI prints what the server stored: <, > and & as they are, and ids
// with all their digits.
func TestPrintJSONKeepsTextAndNumbers(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := printJSON(&out, []byte(`{"last_error":"want \u003cb\u003e \u0026 <i>","id":9007199254740993}`)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, `"want <b> & <i>"`) || !strings.Contains(got, "9007199254740993") {
		t.Errorf("printed:\n%s", got)
	}
}
