package sdk_test

import (
	stdjson "encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
)

// pushFixture is the GitHub plugin's push payload (see its testdata
// README for the source).
var pushFixture = filepath.Join("..", "plugins", "github", "testdata", "push.json")

// payload has the shapes plugins decode webhook payloads into.
type payload struct {
	Ref     string  `json:"ref"`
	Created bool    `json:"created"`
	Number  int     `json:"number"`
	ID      int64   `json:"id"`
	Score   float64 `json:"score"`
	Commits []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"commits"`
	Head *struct {
		ID string `json:"id"`
	} `json:"head_commit"`
	Labels   map[string]string `json:"labels"`
	Extra    any               `json:"extra"`
	Untagged string
}

// FuzzDecodeJSON holds DecodeJSON to the standard library's
// encoding/json: for any input but a top-level null (which DecodeJSON
// refuses), both accept or both refuse it, and what they accept decodes
// to the same value.
func FuzzDecodeJSON(f *testing.F) {
	push, err := os.ReadFile(pushFixture)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(push))
	for _, s := range []string{
		`{}`, `{"ref":"a","created":true,"number":3,"id":-9007199254740993,"score":1e3}`,
		`{"commits":[{"id":"x","message":"m\u00e9\n"}],"head_commit":null,"labels":{"a":"b"}}`,
		`{"extra":[1,"2",{"3":null}],"untagged":"case","UNTAGGED":"again"}`,
		`{"ref":"a","x":[1,2,}`, `{"ref":"a","x":{"a":tru}}`, `{"ref":"\q"}`, `{"ref":"a"} x`,
		`{"number":1.5}`, `{"number":"1"}`, `{"created":"yes"}`, `{"commits":{}}`, `{"ref":"\ud800"}`,
		`{"ref":"a","ref":"b"}`, "{\"ref\":\"\xff\"}", `{"labels":{"a":1}}`, `{"id":1e400}`, `  {"ref":"a"}  `,
		`[]`, `"x"`, `1`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.TrimSpace(s) == "null" || strings.TrimSpace(s) == "" {
			return
		}
		var got, want payload
		err := sdk.DecodeJSON([]byte(s), &got)
		werr := stdjson.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeJSON(%q): err %v; encoding/json: %v", s, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeJSON(%q) = %+v; encoding/json: %+v", s, got, want)
		}
		var he *sdk.HTTPError
		if err != nil && (!errors.As(err, &he) || he.Status != http.StatusBadRequest || !strings.HasPrefix(he.Detail, "invalid JSON payload")) {
			t.Fatalf("DecodeJSON(%q) error %v is not a 400 worded \"invalid JSON payload…\"", s, err)
		}
	})
}

// A top-level null is refused, and CheckJSONObject words a malformed
// payload as DecodeJSON does.
func TestDecodeJSONWording(t *testing.T) {
	var p payload
	err := sdk.DecodeJSON([]byte(" null "), &p)
	var he *sdk.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest || he.Detail != "invalid JSON payload: expected a value, got null" {
		t.Errorf("DecodeJSON(null) = %v, want a 400", err)
	}
	in := []byte(`{"ref":`)
	derr, cerr := sdk.DecodeJSON(in, &p), sdk.CheckJSONObject(in)
	if derr == nil || cerr == nil || derr.(*sdk.HTTPError).Detail != cerr.(*sdk.HTTPError).Detail {
		t.Errorf("DecodeJSON says %v, CheckJSONObject says %v: want the same detail", derr, cerr)
	}
}

// BenchmarkDecodeJSON decodes the 8.8 KB GitHub push fixture with
// DecodeJSON and, in the same run, with the standard library.
func BenchmarkDecodeJSON(b *testing.B) {
	push, err := os.ReadFile(pushFixture)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"DecodeJSON", sdk.DecodeJSON},
		{"encoding-json", stdjson.Unmarshal},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(push)))
			for b.Loop() {
				var p payload
				if err := c.decode(push, &p); err != nil || len(p.Commits) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
