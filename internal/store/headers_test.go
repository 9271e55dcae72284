package store

import (
	stdjson "encoding/json"
	"net/http"
	"reflect"
	"testing"
)

// githubPushHeaders are the headers of a GitHub push delivery as it is
// stored, its signatures redacted.
var githubPushHeaders = http.Header{
	"Accept": {"*/*"}, "Content-Length": {"8827"}, "Content-Type": {"application/json"},
	"User-Agent": {"GitHub-Hookshot/044aadd"}, "X-Github-Delivery": {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
	"X-Github-Event": {"push"}, "X-Github-Hook-Id": {"292430182"}, "X-Github-Hook-Installation-Target-Id": {"79929171"},
	"X-Github-Hook-Installation-Target-Type": {"repository"}, "X-Hub-Signature": {"[redacted]"}, "X-Hub-Signature-256": {"[redacted]"},
}

// storedHeaders are rows as the hand-written encoder of earlier versions
// wrote them, with the headers they hold.
var storedHeaders = []struct {
	row  string
	want http.Header
}{
	{`null`, nil},
	{`{}`, http.Header{}},
	{`{"Accept":["*/*"],"Content-Length":["8827"],"Content-Type":["application/json"],"User-Agent":["GitHub-Hookshot/044aadd"],` +
		`"X-Github-Delivery":["72d3162e-cc78-11e3-81ab-4c9367dc0958"],"X-Github-Event":["push"],"X-Github-Hook-Id":["292430182"],` +
		`"X-Github-Hook-Installation-Target-Id":["79929171"],"X-Github-Hook-Installation-Target-Type":["repository"],` +
		`"X-Hub-Signature":["[redacted]"],"X-Hub-Signature-256":["[redacted]"]}`, githubPushHeaders},
	{`{"Accept":["a","b",""],"Empty":[],"Nil":null}`, http.Header{"Accept": {"a", "b", ""}, "Empty": {}, "Nil": nil}},
	{`{"X-Ctl":["a\tb\n"],"X-Html":["\u003cb\u003e\u0026\u003c/b\u003e"],"X-Quote":["say \"hi\" \\ bye"],"X-Utf8":["héllo ☃"]}`,
		http.Header{"X-Ctl": {"a\tb\n"}, "X-Html": {"<b>&</b>"}, "X-Quote": {`say "hi" \ bye`}, "X-Utf8": {"héllo ☃"}}},
	{`{"X-Invalid":["��"],"\u2028":["line separator"]}`, http.Header{"X-Invalid": {"\uFFFD\uFFFD"}, "\u2028": {"line separator"}}},
}

// Rows written by earlier versions read back as the headers they hold, and
// the same headers are written as the same bytes.
func TestHeadersKeepTheStoredFormat(t *testing.T) {
	for _, tt := range storedHeaders {
		got, err := decodeHeaders(tt.row)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("decodeHeaders(%s) = %#v, %v; want %#v", tt.row, got, err, tt.want)
		}
		row, err := encodeHeaders(tt.want)
		if err != nil || row != tt.row {
			t.Errorf("encodeHeaders(%q) = %s, %v; earlier versions wrote %s", tt.want, row, err, tt.row)
		}
	}
	// Invalid UTF-8 is stored as U+FFFD, as encoding/json does.
	if row, _ := encodeHeaders(http.Header{"X-Invalid": {"\xff\xfe"}, "\u2028": {"line separator"}}); row != storedHeaders[5].row {
		t.Errorf("invalid UTF-8 stored as %s", row)
	}
	if _, err := decodeHeaders(`{"a":"b"}`); err == nil {
		t.Error("a row that is not headers decoded")
	}
}

// BenchmarkHeaders measures what storing a delivery's headers (encode, on
// the request path) and reading them back for a run (decode) cost, and
// the same with the standard library's encoding/json.
func BenchmarkHeaders(b *testing.B) {
	h := githubPushHeaders
	s, _ := encodeHeaders(h)
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			encodeHeaders(h)
		}
	})
	b.Run("encode/encoding-json", func(b *testing.B) {
		for b.Loop() {
			stdjson.Marshal(h)
		}
	})
	b.Run("decode", func(b *testing.B) {
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
}
