package jsoncheck_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hookpoint/hookpoint/sdk/internal/jsoncheck"
)

var cases = []string{
	`{}`, `[]`, ` { } `, "\t[\r\n]\n", `0`, `-0`, `1.5e+10`, `-12.0E-3`, `"x"`, `true`, `false`, `null`,
	`{"a":1,"b":[true,false,null,{"c":"d\"\\\/\b\f\n\r\t\u00e9"}]}`, `[[[[]]]]`, `["\u12AbZ"]`,
	"\"caf\xc3\xa9\"", "\"\xff\xfe\"", `{"a" : 1 , "b" : 2}`,
	// invalid
	``, ` `, `{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a" 1}`, `{a:1}`,
	`{"a":1}}`, `{"a":1} x`, `[1 2]`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `truex`, `nul`, `True`,
	`"abc`, `"a\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01b\"", "\"tab\there\"", `'a'`, "\x00", "{\"a\":1}\x00",
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	strings.Repeat("[", 20000),
}

// Valid agrees with encoding/json on every case, and Check's errors say
// where the payload stops being JSON.
func TestAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range cases {
		want := json.Valid([]byte(c))
		if got := jsoncheck.Valid([]byte(c)); got != want {
			t.Errorf("Valid(%.40q) = %v, encoding/json says %v", c, got, want)
		}
		if want {
			continue
		}
		err := jsoncheck.Check([]byte(c))
		var se *jsoncheck.SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > int64(len(c)) || se.Error() == "" {
			t.Errorf("Check(%.40q) = %v, want a *SyntaxError with an offset in the payload", c, err)
		}
	}
	for in, want := range map[string]string{
		`{"a":1,}`:  `invalid character '}' looking for beginning of object key string at offset 7`,
		`[1 2]`:     `invalid character '2' after array element at offset 3`,
		`{"a":tru}`: `invalid character '}' in literal true (expecting 'e') at offset 8`,
		"\"a\x01\"": `invalid character '\x01' in string literal at offset 2`,
		`{"a":1`:    `unexpected end of JSON input at offset 6`,
	} {
		err := jsoncheck.Check([]byte(in))
		var se *jsoncheck.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Check(%q) = %v", in, err)
		}
		if got := fmt.Sprintf("%v at offset %d", se, se.Offset); got != want {
			t.Errorf("Check(%q): %s, want %s", in, got, want)
		}
	}
}

func TestObject(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:   "",
		` {} `:      "",
		`[]`:        "expected a JSON object",
		`42`:        "expected a JSON object",
		`null`:      "expected a JSON object",
		`{"a":1`:    "unexpected end of JSON input",
		``:          "unexpected end of JSON input",
		`{"a":1} x`: "invalid character 'x' after top-level value",
	} {
		err := jsoncheck.Object([]byte(in))
		if got := errText(err); got != want {
			t.Errorf("Object(%q) = %q, want %q", in, got, want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func FuzzValid(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	if b, err := os.ReadFile("../plugins/github/testdata/push.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(b)
		if got := jsoncheck.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// BenchmarkValid compares the scan of a real ~8.8 KB GitHub push with
// encoding/json.Valid and with decoding it.
func BenchmarkValid(b *testing.B) {
	payload, err := os.ReadFile("../plugins/github/testdata/push.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("jsoncheck", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if !jsoncheck.Valid(payload) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json-Valid", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if !json.Valid(payload) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json-Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			var v map[string]any
			if err := json.Unmarshal(payload, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
