package verify

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const checkHMAC = "hmac-signature"

// HMACOpts describes a generic HMAC signature scheme.
type HMACOpts struct {
	// Header carries the signature (required), e.g. "X-Signature".
	Header string
	// Algorithm is "sha1", "sha256" (default) or "sha512".
	Algorithm string
	// Encoding of the signature: "hex" (default), "base64" (standard
	// alphabet) or "base64url"; base64 padding is optional.
	Encoding string
	// Prefix precedes the encoded signature, e.g. "sha256="; it is matched
	// case-insensitively.
	Prefix string
	// TimestampHeader, if set, carries a unix timestamp (seconds) that must
	// be within Tolerance of now and must be covered by Template.
	TimestampHeader string
	// Tolerance for TimestampHeader; zero means DefaultTolerance.
	Tolerance time.Duration
	// Template is the signed content, with placeholders {body}, {timestamp}
	// and {header:Name}; everything else is literal. The default is "{body}",
	// or "{timestamp}.{body}" when TimestampHeader is set.
	Template string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// HMAC verifies a generic HMAC signature described by opts against any of
// secrets.
func HMAC(opts HMACOpts, secrets ...string) (Verifier, error) {
	s, err := newHMACScheme(opts)
	if err != nil {
		return nil, err
	}
	keys, err := secretKeys(checkHMAC, secrets)
	if err != nil {
		return nil, err
	}
	return &hmacVerifier{scheme: s, keys: keys}, nil
}

// SignHMAC signs body as described by opts and returns the signature header
// (and the timestamp header, if opts.TimestampHeader is set). header supplies
// the values of {header:Name} placeholders; it may be nil if the template has
// none.
func SignHMAC(opts HMACOpts, secret string, body []byte, now time.Time, header http.Header) (http.Header, error) {
	s, err := newHMACScheme(opts)
	if err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, noSecret(checkHMAC, "no secret configured")
	}
	out := http.Header{}
	ts := strconv.FormatInt(now.Unix(), 10)
	if s.tsHeader != "" {
		out.Set(s.tsHeader, ts)
	}
	lookup := header.Clone()
	if s.tsHeader != "" {
		if lookup == nil {
			lookup = http.Header{}
		}
		lookup.Set(s.tsHeader, ts)
	}
	parts, err := s.content(&http.Request{Header: lookup}, body, ts)
	if err != nil {
		return nil, err
	}
	sum := macSum(s.hash, []byte(secret), parts...)
	out.Set(s.header, s.prefix+s.encode(sum))
	return out, nil
}

type hmacScheme struct {
	header   string
	alg      string // "SHA256", for descriptions
	hash     func() hash.Hash
	size     int
	encoding string
	prefix   string
	tsHeader string
	tol      time.Duration
	now      func() time.Time
	tmpl     string // the template as given, for descriptions
	template []segment
}

// segment is one piece of a template: a literal, or a placeholder.
type segment struct {
	kind    byte // 'l' literal, 'b' body, 't' timestamp, 'h' header
	literal string
	header  string
}

func newHMACScheme(opts HMACOpts) (*hmacScheme, error) {
	s := &hmacScheme{header: opts.Header, prefix: opts.Prefix, tsHeader: opts.TimestampHeader, now: clockOrNow(opts.Now)}
	if !validHeaderName(opts.Header) {
		return nil, configErr(checkHMAC, "Header must be a valid header name")
	}
	if opts.TimestampHeader != "" && !validHeaderName(opts.TimestampHeader) {
		return nil, configErr(checkHMAC, "TimestampHeader must be a valid header name")
	}
	if strings.TrimLeft(opts.Prefix, " \t") != opts.Prefix || strings.ContainsFunc(opts.Prefix, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, configErr(checkHMAC, "Prefix must not start with blanks or contain control characters")
	}
	switch strings.ToLower(opts.Algorithm) {
	case "sha1":
		s.hash, s.size, s.alg = sha1.New, sha1.Size, "SHA1"
	case "", "sha256":
		s.hash, s.size, s.alg = sha256.New, sha256.Size, "SHA256"
	case "sha512":
		s.hash, s.size, s.alg = sha512.New, sha512.Size, "SHA512"
	default:
		return nil, configErr(checkHMAC, "unknown Algorithm "+strconv.Quote(opts.Algorithm))
	}
	switch s.encoding = strings.ToLower(opts.Encoding); s.encoding {
	case "":
		s.encoding = "hex"
	case "hex", "base64", "base64url":
	default:
		return nil, configErr(checkHMAC, "unknown Encoding "+strconv.Quote(opts.Encoding))
	}
	tmpl := opts.Template
	if tmpl == "" {
		tmpl = "{body}"
		if s.tsHeader != "" {
			tmpl = "{timestamp}.{body}"
		}
	}
	var err error
	s.tmpl = tmpl
	if s.template, err = parseTemplate(tmpl); err != nil {
		return nil, err
	}
	hasTS := false
	for _, seg := range s.template {
		hasTS = hasTS || seg.kind == 't'
		if seg.kind == 'h' && http.CanonicalHeaderKey(seg.header) == http.CanonicalHeaderKey(s.header) {
			return nil, configErr(checkHMAC, "Template cannot sign the signature header itself")
		}
	}
	switch {
	case hasTS && s.tsHeader == "":
		return nil, configErr(checkHMAC, "Template uses {timestamp} but TimestampHeader is not set")
	case !hasTS && s.tsHeader != "":
		return nil, configErr(checkHMAC, "TimestampHeader is set but Template does not sign {timestamp}")
	}
	if s.tsHeader != "" {
		if s.tol, err = tolerance(checkHMAC, opts.Tolerance); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// parseTemplate splits a template into literals and placeholders.
func parseTemplate(t string) ([]segment, error) {
	var segs []segment
	for t != "" {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			segs = append(segs, segment{kind: 'l', literal: t})
			break
		}
		if i > 0 {
			segs = append(segs, segment{kind: 'l', literal: t[:i]})
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return nil, configErr(checkHMAC, "Template has an unclosed {")
		}
		ph := t[i+1 : i+j]
		t = t[i+j+1:]
		switch {
		case ph == "body":
			segs = append(segs, segment{kind: 'b'})
		case ph == "timestamp":
			segs = append(segs, segment{kind: 't'})
		case strings.HasPrefix(ph, "header:") && validHeaderName(ph[len("header:"):]):
			segs = append(segs, segment{kind: 'h', header: ph[len("header:"):]})
		default:
			return nil, configErr(checkHMAC, "Template has an unknown placeholder {"+ph+"}")
		}
	}
	return segs, nil
}

// content returns the signed content as parts to be hashed in order.
func (s *hmacScheme) content(r *http.Request, body []byte, ts string) ([][]byte, error) {
	parts := make([][]byte, 0, len(s.template))
	for _, seg := range s.template {
		switch seg.kind {
		case 'l':
			parts = append(parts, []byte(seg.literal))
		case 'b':
			parts = append(parts, body)
		case 't':
			parts = append(parts, []byte(ts))
		case 'h':
			_, v, err := headerValue(r, checkHMAC, seg.header)
			if err != nil {
				return nil, err
			}
			parts = append(parts, []byte(v))
		}
	}
	return parts, nil
}

func (s *hmacScheme) encode(sum []byte) string {
	switch s.encoding {
	case "base64":
		return base64.StdEncoding.EncodeToString(sum)
	case "base64url":
		return base64.URLEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

func (s *hmacScheme) decode(v string) ([]byte, bool) {
	switch s.encoding {
	case "base64", "base64url":
		enc := base64.RawStdEncoding
		if s.encoding == "base64url" {
			enc = base64.RawURLEncoding
		}
		b, err := enc.DecodeString(strings.TrimRight(v, "="))
		if err != nil || len(b) != s.size {
			return nil, false
		}
		return b, true
	}
	return decodeHex(v, s.size)
}

type hmacVerifier struct {
	scheme *hmacScheme
	keys   [][]byte
}

func (v *hmacVerifier) String() string {
	s := v.scheme
	d := "HMAC-" + s.alg + " signature in " + s.header + " (" + s.encoding
	if s.prefix != "" {
		d += " after " + strconv.Quote(s.prefix)
	}
	if s.tmpl != "{body}" {
		d += ", of " + strconv.Quote(s.tmpl)
	}
	if s.tsHeader != "" {
		d += ", timestamp in " + s.tsHeader + " within " + s.tol.String()
	}
	return d + ")"
}

// CredentialNames names the signature header; the timestamp and the
// headers the template signs are not secret.
func (v *hmacVerifier) CredentialNames() (headers, params []string) {
	return []string{v.scheme.header}, nil
}

func (v *hmacVerifier) Verify(r *http.Request, body []byte) error {
	s := v.scheme
	name, value, err := headerValue(r, checkHMAC, s.header)
	if err != nil {
		return err
	}
	var ts string
	if s.tsHeader != "" {
		var tsName string
		tsName, ts, err = headerValue(r, checkHMAC, s.tsHeader)
		if err != nil {
			return err
		}
		t, err := parseTimestamp(checkHMAC, tsName, ts)
		if err != nil {
			return err
		}
		if err := checkWindow(checkHMAC, tsName, t, s.tol, s.now()); err != nil {
			return err
		}
	}
	if len(value) < len(s.prefix) || !strings.EqualFold(value[:len(s.prefix)], s.prefix) {
		return newErr(checkHMAC, name, ErrMalformed, name+" header must start with "+strconv.Quote(s.prefix))
	}
	sig, ok := s.decode(value[len(s.prefix):])
	if !ok {
		return newErr(checkHMAC, name, ErrMalformed, name+" header must carry a "+strconv.Itoa(s.size)+"-byte "+s.encoding+" signature")
	}
	parts, err := s.content(r, body, ts)
	if err != nil {
		return err
	}
	if !macMatch(s.hash, v.keys, [][]byte{sig}, parts...) {
		return mismatch(checkHMAC, name)
	}
	return nil
}

// validHeaderName reports whether s is a non-empty HTTP token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}
