package sdk_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json/v1"

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

// FuzzDecodeJSONObject holds DecodeJSONObject to encoding/json's
// semantics, as the engine of Request.DecodeJSON implements them: for any
// input, both accept or both refuse it, and what they accept decodes to
// the same value.
func FuzzDecodeJSONObject(f *testing.F) {
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want payload
		err := sdk.DecodeJSONObject([]byte(s), &got)
		if !strings.HasPrefix(strings.TrimSpace(s), "{") {
			if err == nil {
				t.Fatalf("DecodeJSONObject(%q) took what is not an object", s)
			}
			return
		}
		werr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeJSONObject(%q): err %v; encoding/json's semantics: %v", s, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeJSONObject(%q) = %+v; encoding/json's semantics: %+v", s, got, want)
		}
	})
}

// BenchmarkDecodeJSONObject decodes the 8.8 KB GitHub push fixture with
// DecodeJSONObject and, in the same run, with the engine of
// Request.DecodeJSON (encoding/json's semantics on json/v2's engine).
func BenchmarkDecodeJSONObject(b *testing.B) {
	push, err := os.ReadFile(pushFixture)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"DecodeJSONObject", sdk.DecodeJSONObject},
		{"json-v1-semantics", json.Unmarshal},
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
