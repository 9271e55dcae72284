package store

import (
	"net/http"
	"slices"
	"strings"

	json "github.com/go-json-experiment/json/v1" // encoding/json on a faster engine (see sdk/request.go)
)

// Headers are stored as the JSON object encoding/json writes for an
// http.Header: keys sorted, no spaces, <, > and & escaped. Every delivery
// writes them once and every run reads them back, and the reflection of
// encoding/json took ~4 µs for each (bench/README.md, item 29); the
// common case, printable ASCII that needs no escaping, is written and
// read by hand here, and anything else goes through encoding/json, so
// the stored form is the same either way.

// encodeHeaders returns h as encoding/json would marshal it.
func encodeHeaders(h http.Header) (string, error) {
	if h == nil {
		return "null", nil
	}
	keys := make([]string, 0, len(h))
	size := 2
	for k, vs := range h {
		if !plainJSON(k) {
			return marshalHeaders(h)
		}
		keys = append(keys, k)
		size += len(k) + 6
		for _, v := range vs {
			if !plainJSON(v) {
				return marshalHeaders(h)
			}
			size += len(v) + 3
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('{')
	for i, k := range keys {
		writeItem(&b, i, k)
		b.WriteByte(':')
		vs := h[k]
		if vs == nil {
			b.WriteString("null")
			continue
		}
		b.WriteByte('[')
		for j, v := range vs {
			writeItem(&b, j, v)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// writeItem writes the i-th string of an object's keys or an array, with
// the comma before it; s needs no escaping (plainJSON).
func writeItem(b *strings.Builder, i int, s string) {
	if i > 0 {
		b.WriteByte(',')
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

func marshalHeaders(h http.Header) (string, error) {
	b, err := json.Marshal(h)
	return string(b), err
}

// plainJSON reports whether s is written into a JSON string as it is:
// printable ASCII other than the quote, the backslash and the characters
// encoding/json escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// decodeHeaders reads headers stored by encodeHeaders (or by an earlier
// version, which used encoding/json alone).
func decodeHeaders(s string) (http.Header, error) {
	if h, ok := parseHeaders(s); ok {
		return h, nil
	}
	var h http.Header
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return nil, err
	}
	return h, nil
}

// parseHeaders reads the form encodeHeaders writes by hand. It reports
// false on anything else (an escape, a space, a byte outside printable
// ASCII, a malformed document), which encoding/json then reads.
func parseHeaders(s string) (http.Header, bool) {
	if len(s) < 2 || s[0] != '{' {
		return nil, false
	}
	h := make(http.Header, strings.Count(s, `":`))
	i := 1
	if s[i] == '}' {
		return h, i+1 == len(s)
	}
	for {
		k, next, ok := plainString(s, i)
		if !ok || next+1 >= len(s) || s[next] != ':' {
			return nil, false
		}
		i = next + 1
		switch {
		case strings.HasPrefix(s[i:], "null"):
			h[k] = nil
			i += 4
		case s[i] == '[':
			i++
			vs := []string{}
			if i < len(s) && s[i] == ']' {
				i++
			} else {
				for {
					v, next, ok := plainString(s, i)
					if !ok || next >= len(s) {
						return nil, false
					}
					vs = append(vs, v)
					i = next + 1
					if s[next] == ']' {
						break
					}
					if s[next] != ',' {
						return nil, false
					}
				}
			}
			h[k] = vs
		default:
			return nil, false
		}
		if i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i++
		case '}':
			return h, i+1 == len(s)
		default:
			return nil, false
		}
	}
}

// plainString reads the JSON string at s[i] if it holds only characters
// that plainJSON allows, and returns it and the index after its closing
// quote.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	start := i + 1
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[start:j], j + 1, true
		case c < 0x20 || c >= 0x7f, c == '\\':
			return "", 0, false
		}
	}
	return "", 0, false
}
