package store

import (
	stdjson "encoding/json"
	"net/http"
	"reflect"
	"testing"

	json "github.com/go-json-experiment/json/v1"
)

var headerCases = []http.Header{
	nil,
	{},
	{"Content-Type": {"application/json"}, "User-Agent": {"GitHub-Hookshot/044aadd"}, "X-Github-Event": {"push"},
		"X-Hub-Signature-256": {"[redacted]"}, "X-Github-Delivery": {"72d3162e-cc78-11e3-81ab-4c9367dc0958"}},
	{"Accept": {"a", "b", ""}, "Empty": {}, "Nil": nil},
	{"X-Html": {"<b>&</b>"}, "X-Quote": {`say "hi" \ bye`}, "X-Utf8": {"héllo ☃"}, "X-Ctl": {"a\tb\n"}},
	{"X-Invalid": {"\xff\xfe"}, "\u2028": {"line separator"}},
}

// Headers are stored exactly as encoding/json writes them, so rows
// written before the hand-written path and after it read the same.
func TestEncodeHeadersMatchesEncodingJSON(t *testing.T) {
	for _, h := range headerCases {
		got, err := encodeHeaders(h)
		want, werr := json.Marshal(h)
		if err != nil || werr != nil || got != string(want) {
			t.Errorf("encodeHeaders(%q) = %s, %v; encoding/json wrote %s, %v", h, got, err, want, werr)
		}
		back, err := decodeHeaders(got)
		var wantBack http.Header // encoding/json stores invalid UTF-8 as U+FFFD
		json.Unmarshal(want, &wantBack)
		if err != nil || !reflect.DeepEqual(back, wantBack) {
			t.Errorf("decodeHeaders(%s) = %q, %v; want %q", got, back, err, wantBack)
		}
	}
}

// Whatever a row holds, decodeHeaders reads it as encoding/json does:
// the same headers, or an error where encoding/json has one.
func FuzzDecodeHeaders(f *testing.F) {
	for _, h := range headerCases {
		b, _ := json.Marshal(h)
		f.Add(string(b))
	}
	for _, s := range []string{``, `{`, `{}`, `{"a":["b"],"a":["c"]}`, `{"a":[]}`, `{"a":null}`, `{"a":["b",]}`, `{"a":["b"]`,
		`{"a":["b"]}x`, `{ "a": ["b"] }`, `{"a":"b"}`, `{"a":[1]}`, `null`, `[]`, `{"a\u0041":["\u003c"]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeHeaders(s)
		var want http.Header
		werr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("decodeHeaders(%q): err %v, encoding/json: %v", s, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeHeaders(%q) = %#v, encoding/json: %#v", s, got, want)
		}
	})
}

// FuzzEncodeHeaders checks the hand-written path against encoding/json
// on headers built from arbitrary strings.
func FuzzEncodeHeaders(f *testing.F) {
	f.Add("Content-Type", "application/json", "X-A", "1", "2")
	f.Add("X-Html", "<&>", "", "", "\xff")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, v3 string) {
		h := http.Header{k1: {v1}, k2: {v2, v3}}
		got, err := encodeHeaders(h)
		want, werr := json.Marshal(h)
		if (err == nil) != (werr == nil) || got != string(want) {
			t.Fatalf("encodeHeaders(%q) = %s, %v; encoding/json: %s, %v", h, got, err, want, werr)
		}
	})
}

// githubPushHeaders are the headers of a GitHub push delivery as it is
// stored, its signatures redacted.
var githubPushHeaders = http.Header{
	"Accept": {"*/*"}, "Content-Length": {"8827"}, "Content-Type": {"application/json"},
	"User-Agent": {"GitHub-Hookshot/044aadd"}, "X-Github-Delivery": {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
	"X-Github-Event": {"push"}, "X-Github-Hook-Id": {"292430182"}, "X-Github-Hook-Installation-Target-Id": {"79929171"},
	"X-Github-Hook-Installation-Target-Type": {"repository"}, "X-Hub-Signature": {"[redacted]"}, "X-Hub-Signature-256": {"[redacted]"},
}

// BenchmarkHeaders measures what storing a delivery's headers (encode, on
// the request path) and reading them back for a run (decode) cost, against
// a plain encoding/json Marshal and Unmarshal of the http.Header.
func BenchmarkHeaders(b *testing.B) {
	h := githubPushHeaders
	s, _ := encodeHeaders(h)
	b.Run("encode/hand", func(b *testing.B) {
		for b.Loop() {
			encodeHeaders(h)
		}
	})
	b.Run("encode/encoding-json", func(b *testing.B) {
		for b.Loop() {
			stdjson.Marshal(h)
		}
	})
	b.Run("encode/json-v1", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(h)
		}
	})
	b.Run("decode/hand", func(b *testing.B) {
		for b.Loop() {
			decodeHeaders(s)
		}
	})
	b.Run("decode/encoding-json", func(b *testing.B) {
		for b.Loop() {
			var h http.Header
			stdjson.Unmarshal([]byte(s), &h)
		}
	})
	b.Run("decode/json-v1", func(b *testing.B) {
		for b.Loop() {
			var h http.Header
			json.Unmarshal([]byte(s), &h)
		}
	})
}
