package verify

import (
	"net/http"
	"net/netip"
	"strings"
)

// Forwarding headers consulted by ClientIP.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded" // RFC 7239
)

const checkClientIP = "client-ip"

// maxForwardedHops bounds the forwarding chain ClientIP is willing to parse.
const maxForwardedHops = 64

// ClientIP returns the address of the client that sent r.
//
// It is the IP of r.RemoteAddr, except when that immediate peer is inside
// one of the trusted proxy prefixes: then X-Forwarded-For and the RFC 7239
// Forwarded "for=" parameters are walked from the right, skipping trusted
// proxies, and the first untrusted address is the client (if every hop is
// trusted, the leftmost one). Forwarding headers from untrusted peers are
// ignored. If a trusted proxy sent both headers, they must name the same
// client, otherwise the request is rejected (ErrMalformed) rather than
// letting a client-supplied header win. A hop that cannot be parsed
// ("unknown", obfuscated identifiers, garbage) before the client is found is
// ErrMalformed. IPv4-mapped IPv6 addresses are returned as IPv4, and zones
// are dropped.
func ClientIP(r *http.Request, trusted []netip.Prefix) (netip.Addr, error) {
	return clientIP(checkClientIP, r, trusted)
}

func clientIP(check string, r *http.Request, trusted []netip.Prefix) (netip.Addr, error) {
	if r == nil || r.RemoteAddr == "" {
		return netip.Addr{}, newErr(check, "", ErrMissing, "request has no remote address")
	}
	peer, ok := parseNodeAddr(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, newErr(check, "", ErrMalformed, "remote address is not an IP address")
	}
	if !inPrefixes(peer, trusted) {
		return peer, nil
	}
	var client netip.Addr
	found := false
	if vals := r.Header.Values(HeaderXForwardedFor); len(vals) > 0 {
		hops := splitList(strings.Join(vals, ","))
		a, err := walkHops(check, HeaderXForwardedFor, hops, peer, trusted)
		if err != nil {
			return netip.Addr{}, err
		}
		client, found = a, true
	}
	if vals := r.Header.Values(HeaderForwarded); len(vals) > 0 {
		hops, err := parseForwarded(strings.Join(vals, ","))
		if err != nil {
			return netip.Addr{}, newErr(check, HeaderForwarded, ErrMalformed, "Forwarded header "+err.Error())
		}
		a, err := walkHops(check, HeaderForwarded, hops, peer, trusted)
		if err != nil {
			return netip.Addr{}, err
		}
		if found && a != client {
			return netip.Addr{}, newErr(check, HeaderForwarded, ErrMalformed, "X-Forwarded-For and Forwarded headers name different clients")
		}
		client, found = a, true
	}
	if !found {
		return peer, nil
	}
	return client, nil
}

// walkHops returns the rightmost untrusted address of hops (ordered client
// first), or the leftmost if all are trusted.
func walkHops(check, header string, hops []string, peer netip.Addr, trusted []netip.Prefix) (netip.Addr, error) {
	if len(hops) > maxForwardedHops {
		return netip.Addr{}, newErr(check, header, ErrMalformed, header+" header has too many hops")
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseNodeAddr(hops[i])
		if !ok {
			return netip.Addr{}, newErr(check, header, ErrMalformed, header+" header has an entry that is not an IP address")
		}
		if !inPrefixes(a, trusted) {
			return a, nil
		}
		last = a
	}
	return last, nil
}

// splitList splits a comma-separated header value, trimming blanks. Empty
// elements are kept so that they are reported as malformed when reached.
func splitList(v string) []string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// parseNodeAddr parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port".
func parseNodeAddr(s string) (netip.Addr, bool) {
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(s); err == nil {
		a = ap.Addr()
	} else if pa, err := netip.ParseAddr(s); err == nil {
		a = pa
	} else if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		pa, err := netip.ParseAddr(s[1 : len(s)-1])
		if err != nil || !pa.Is6() {
			return netip.Addr{}, false
		}
		a = pa
	} else {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseForwarded parses an RFC 7239 Forwarded value and returns the for=
// value of each element, in order ("" for an element without for=).
func parseForwarded(v string) ([]string, error) {
	var hops []string
	i := 0
	skipOWS := func() {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
	}
	for {
		skipOWS()
		if i == len(v) {
			break
		}
		if v[i] == ',' { // empty list element
			i++
			continue
		}
		forValue, seenFor := "", false
		for { // pairs of one element
			skipOWS()
			start := i
			for i < len(v) && isTokenChar(v[i]) {
				i++
			}
			name := v[start:i]
			if name == "" || i == len(v) || v[i] != '=' {
				return nil, errString(`must be a list of name=value pairs`)
			}
			i++
			var value string
			if i < len(v) && v[i] == '"' {
				var b strings.Builder
				i++
				closed := false
				for i < len(v) {
					c := v[i]
					i++
					if c == '"' {
						closed = true
						break
					}
					if c == '\\' {
						if i == len(v) {
							break
						}
						c = v[i]
						i++
					}
					b.WriteByte(c)
				}
				if !closed {
					return nil, errString("has an unterminated quoted string")
				}
				value = b.String()
			} else {
				start := i
				for i < len(v) && v[i] != ';' && v[i] != ',' && v[i] != ' ' && v[i] != '\t' && v[i] != '"' {
					i++
				}
				value = v[start:i]
			}
			if strings.EqualFold(name, "for") {
				if seenFor {
					return nil, errString("has an element with several for= parameters")
				}
				forValue, seenFor = value, true
			}
			skipOWS()
			if i < len(v) && v[i] == ';' {
				i++
				continue
			}
			break
		}
		hops = append(hops, forValue)
		if len(hops) > maxForwardedHops {
			return nil, errString("has too many hops")
		}
		if i == len(v) {
			break
		}
		if v[i] != ',' {
			return nil, errString("has an invalid separator")
		}
		i++
	}
	if len(hops) == 0 {
		return nil, errString("is empty")
	}
	return hops, nil
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
