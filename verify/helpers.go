package verify

import (
	"crypto/hmac"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
)

// headerValue returns the value of the first of names present on r. A header
// given several times (or under several of the alias names) must carry the
// same value each time, otherwise the result is ErrMalformed; an absent or
// blank header is ErrMissing.
func headerValue(r *http.Request, check string, names ...string) (name, value string, err error) {
	if r == nil {
		return "", "", missingHeader(check, names[0])
	}
	for _, n := range names {
		for _, v := range r.Header.Values(n) {
			v = strings.TrimSpace(v)
			if name == "" {
				name, value = n, v
				continue
			}
			if v != value {
				return name, "", newErr(check, name, ErrMalformed, name+" header is given several times with different values")
			}
		}
	}
	if value == "" {
		if name == "" {
			name = names[0]
		}
		return name, "", missingHeader(check, name)
	}
	return name, value, nil
}

// secretKeys copies secrets into byte keys, rejecting an empty list or any
// empty secret.
func secretKeys(check string, secrets []string) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, noSecret(check, "no secret configured")
	}
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		if s == "" {
			return nil, noSecret(check, "secret #"+strconv.Itoa(i+1)+" is empty")
		}
		keys[i] = []byte(s)
	}
	return keys, nil
}

// macMatch reports whether any of sigs equals the HMAC, under any of keys, of
// the concatenation of parts. Comparisons are constant time.
func macMatch(newHash func() hash.Hash, keys, sigs [][]byte, parts ...[]byte) bool {
	var buf [64]byte
	for _, k := range keys {
		m := hmac.New(newHash, k)
		for _, p := range parts {
			m.Write(p)
		}
		sum := m.Sum(buf[:0])
		for _, s := range sigs {
			if hmac.Equal(sum, s) {
				return true
			}
		}
	}
	return false
}

// macSum returns the HMAC of the concatenation of parts.
func macSum(newHash func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// decodeHex decodes s, which must encode exactly size bytes.
func decodeHex(s string, size int) ([]byte, bool) {
	if len(s) != 2*size {
		return nil, false
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// prefixedHex checks a "<prefix><hex>" header value and decodes it.
func prefixedHex(check, header, value, prefix string, size int) ([]byte, error) {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return nil, newErr(check, header, ErrMalformed, header+" header must start with "+strconv.Quote(prefix))
	}
	sig, ok := decodeHex(rest, size)
	if !ok {
		return nil, newErr(check, header, ErrMalformed, header+" header must carry "+strconv.Itoa(2*size)+" hex digits")
	}
	return sig, nil
}
