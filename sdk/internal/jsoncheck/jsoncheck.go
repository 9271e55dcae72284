// Package jsoncheck checks JSON syntax without decoding, several times
// faster than encoding/json.Valid. A queued webhook endpoint uses it to
// refuse a malformed payload with a 400 before the delivery is stored,
// and leaves the decoding to its handler, which runs from the queue.
//
// It accepts exactly what encoding/json.Valid accepts (RFC 8259; bytes
// that are not UTF-8 are allowed inside strings; nesting deeper than
// 10000 is refused).
package jsoncheck

import (
	"encoding/binary"
	"fmt"
)

// MaxDepth is the deepest nesting accepted, as in encoding/json.
const MaxDepth = 10000

// SyntaxError describes where a payload stops being JSON.
type SyntaxError struct {
	Offset int64 // index of the byte where the input stops being JSON (its length at a premature end)
	msg    string
}

func (e *SyntaxError) Error() string { return e.msg }

// Valid reports whether b is one JSON value, with optional surrounding
// whitespace.
func Valid(b []byte) bool { return Check(b) == nil }

// Check returns nil if b is one JSON value, or a *SyntaxError.
func Check(b []byte) error {
	s := scanner{b: b}
	return s.document()
}

// Object returns nil if b is one JSON object, or an error that says why
// not.
func Object(b []byte) error {
	s := scanner{b: b}
	s.space()
	if s.i < len(b) && b[s.i] != '{' {
		return &SyntaxError{Offset: int64(s.i), msg: "expected a JSON object"}
	}
	return s.document()
}

type scanner struct {
	b []byte
	i int
	// stack holds the open containers: '{' or '['.
	stack []byte
}

// whitespace marks the four bytes JSON allows between tokens.
var whitespace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// plain marks the bytes a string may hold without an escape: every byte
// from 0x20 up, except '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (s *scanner) space() {
	for s.i < len(s.b) && whitespace[s.b[s.i]] {
		s.i++
	}
}

func (s *scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: int64(s.i), msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) unexpected(context string) error {
	if s.i >= len(s.b) {
		return &SyntaxError{Offset: int64(s.i), msg: "unexpected end of JSON input"}
	}
	return s.errorf("invalid character %s %s", quoteChar(s.b[s.i]), context)
}

// document scans one value and the whitespace after it. Containers are
// tracked on a stack rather than by recursion, so deep nesting costs no
// goroutine stack.
func (s *scanner) document() error {
	s.space()
	if err := s.value(); err != nil {
		return err
	}
	for {
		s.space()
		if len(s.stack) == 0 {
			if s.i < len(s.b) {
				return s.unexpected("after top-level value")
			}
			return nil
		}
		if s.i >= len(s.b) {
			return s.unexpected("")
		}
		top := s.stack[len(s.stack)-1]
		switch c := s.b[s.i]; {
		case c == ',':
			s.i++
			s.space()
			if top == '{' {
				if err := s.key(); err != nil {
					return err
				}
			}
			if err := s.value(); err != nil {
				return err
			}
		case top == '{' && c == '}', top == '[' && c == ']':
			s.i++
			s.stack = s.stack[:len(s.stack)-1]
		case top == '{':
			return s.unexpected("after object key:value pair")
		default:
			return s.unexpected("after array element")
		}
	}
}

// key scans an object key and its colon, and the whitespace after it.
func (s *scanner) key() error {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.unexpected("looking for beginning of object key string")
	}
	if err := s.str(); err != nil {
		return err
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return s.unexpected("after object key")
	}
	s.i++
	s.space()
	return nil
}

// value scans a scalar, or opens a container: it then scans the first
// key (of an object) and first element, or closes an empty container.
func (s *scanner) value() error {
	for {
		if s.i >= len(s.b) {
			return s.unexpected("")
		}
		switch c := s.b[s.i]; c {
		case '{', '[':
			if len(s.stack) >= MaxDepth {
				return s.errorf("exceeded max depth")
			}
			s.i++
			s.space()
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			if s.i < len(s.b) && s.b[s.i] == closer {
				s.i++
				return nil
			}
			s.stack = append(s.stack, c)
			if c == '{' {
				if err := s.key(); err != nil {
					return err
				}
			}
			continue // the first element
		case '"':
			return s.str()
		case 't':
			return s.literal("true")
		case 'f':
			return s.literal("false")
		case 'n':
			return s.literal("null")
		default:
			if c == '-' || ('0' <= c && c <= '9') {
				return s.number()
			}
			return s.unexpected("looking for beginning of value")
		}
	}
}

func (s *scanner) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if s.i >= len(s.b) {
			return s.unexpected("")
		}
		if s.b[s.i] != word[k] {
			return s.unexpected("in literal " + word + " (expecting " + quoteChar(word[k]) + ")")
		}
		s.i++
	}
	return nil
}

// str scans a string, its opening quote at s.i.
func (s *scanner) str() error {
	s.i++
	for {
		// Eight bytes at a time while none of them ends the plain run.
		for s.i+8 <= len(s.b) && !special(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		for s.i < len(s.b) && plain[s.b[s.i]] {
			s.i++
		}
		if s.i >= len(s.b) {
			return s.unexpected("")
		}
		switch c := s.b[s.i]; c {
		case '"':
			s.i++
			return nil
		case '\\':
			s.i++
			if s.i >= len(s.b) {
				return s.unexpected("")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for k := 0; k < 4; k++ {
					if s.i >= len(s.b) {
						return s.unexpected("")
					}
					if !isHex(s.b[s.i]) {
						return s.unexpected("in \\u hexadecimal character escape")
					}
					s.i++
				}
			default:
				return s.unexpected("in string escape code")
			}
		default:
			return s.unexpected("in string literal")
		}
	}
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i >= len(s.b):
		return s.unexpected("")
	case s.b[s.i] == '0':
		s.i++
	case '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return s.unexpected("in numeric literal")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.i >= len(s.b) || !isDigit(s.b[s.i]) {
			return s.unexpected("after decimal point in numeric literal")
		}
		s.digits()
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.i >= len(s.b) || !isDigit(s.b[s.i]) {
			return s.unexpected("in exponent of numeric literal")
		}
		s.digits()
	}
	return nil
}

func (s *scanner) digits() {
	for s.i < len(s.b) && isDigit(s.b[s.i]) {
		s.i++
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special reports whether any of the eight bytes in x is below 0x20, '"'
// or '\\' (the bit tricks of "Bit Twiddling Hacks": hasless, haszero).
func special(x uint64) bool {
	less := (x - ones*0x20) &^ x
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return (less|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// quoteChar formats c as encoding/json does in its errors.
func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("%q", rune(c))
	}
	return "'" + string(rune(c)) + "'"
}
