package verify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func ipReq(remote string, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hook", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func TestClientIP(t *testing.T) {
	trusted, err := ParsePrefixes([]string{"10.0.0.0/8", "fd00::/8", "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	const xff, fwd = "X-Forwarded-For", "Forwarded"
	for _, tc := range []struct {
		name string
		r    *http.Request
		want string
		kind error
	}{
		{"direct", ipReq("203.0.113.7:4321"), "203.0.113.7", nil},
		{"direct no port", ipReq("203.0.113.7"), "203.0.113.7", nil},
		{"direct ipv6", ipReq("[2001:db8::1]:443"), "2001:db8::1", nil},
		{"direct mapped", ipReq("[::ffff:203.0.113.7]:443"), "203.0.113.7", nil},
		{"direct zone", ipReq("[fe80::1%eth0]:443"), "fe80::1", nil},
		{"spoofed xff from untrusted peer", ipReq("203.0.113.7:1", xff, "192.30.252.1"), "203.0.113.7", nil},
		{"spoofed forwarded from untrusted peer", ipReq("203.0.113.7:1", fwd, "for=192.30.252.1"), "203.0.113.7", nil},
		{"garbage from untrusted peer ignored", ipReq("203.0.113.7:1", xff, "garbage", fwd, `for="`), "203.0.113.7", nil},
		{"trusted single hop", ipReq("10.0.0.2:1", xff, "198.51.100.4"), "198.51.100.4", nil},
		{"trusted chain", ipReq("10.0.0.2:1", xff, "1.2.3.4, 198.51.100.4, 10.0.0.1"), "198.51.100.4", nil},
		{"client-prepended spoof", ipReq("10.0.0.2:1", xff, "192.30.252.1, 198.51.100.4"), "198.51.100.4", nil},
		{"several xff lines", ipReq("10.0.0.2:1", xff, "1.2.3.4", xff, "198.51.100.4, 10.9.9.9"), "198.51.100.4", nil},
		{"xff with port", ipReq("10.0.0.2:1", xff, "198.51.100.4:5555"), "198.51.100.4", nil},
		{"xff ipv6 bracketed", ipReq("10.0.0.2:1", xff, "[2001:db8::7]:80"), "2001:db8::7", nil},
		{"xff ipv6 bare", ipReq("[fd00::2]:1", xff, "2001:db8::7, fd12::1"), "2001:db8::7", nil},
		{"all trusted", ipReq("10.0.0.2:1", xff, "10.1.1.1, 10.2.2.2"), "10.1.1.1", nil},
		{"trusted without header", ipReq("10.0.0.2:1"), "10.0.0.2", nil},
		{"single trusted ip", ipReq("192.0.2.1:1", xff, "198.51.100.4"), "198.51.100.4", nil},
		{"neighbour of trusted ip", ipReq("192.0.2.2:1", xff, "198.51.100.4"), "192.0.2.2", nil},
		{"forwarded", ipReq("10.0.0.2:1", fwd, `for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`), "2001:db8:cafe::17", nil},
		{"forwarded quoted v4 port", ipReq("10.0.0.2:1", fwd, `For="198.51.100.4:8080"`), "198.51.100.4", nil},
		{"forwarded chain", ipReq("10.0.0.2:1", fwd, "for=1.2.3.4, for=198.51.100.4", fwd, "for=10.0.0.3;proto=https"), "198.51.100.4", nil},
		{"forwarded escaped quote", ipReq("10.0.0.2:1", fwd, `for="198.51.100.\4"`), "198.51.100.4", nil},
		{"forwarded garbage left of client", ipReq("10.0.0.2:1", fwd, "for=unknown, for=198.51.100.4"), "198.51.100.4", nil},
		{"both agree", ipReq("10.0.0.2:1", xff, "198.51.100.4", fwd, "for=198.51.100.4"), "198.51.100.4", nil},
		{"both disagree", ipReq("10.0.0.2:1", xff, "198.51.100.4", fwd, "for=192.30.252.1"), "", ErrMalformed},
		{"xff garbage", ipReq("10.0.0.2:1", xff, "garbage"), "", ErrMalformed},
		{"xff empty element", ipReq("10.0.0.2:1", xff, "198.51.100.4,,10.0.0.1"), "", ErrMalformed},
		{"xff unknown", ipReq("10.0.0.2:1", xff, "unknown"), "", ErrMalformed},
		{"forwarded unknown", ipReq("10.0.0.2:1", fwd, "for=unknown"), "", ErrMalformed},
		{"forwarded obfuscated", ipReq("10.0.0.2:1", fwd, "for=_hidden"), "", ErrMalformed},
		{"forwarded no for", ipReq("10.0.0.2:1", fwd, "proto=https"), "", ErrMalformed},
		{"forwarded unterminated", ipReq("10.0.0.2:1", fwd, `for="198.51.100.4`), "", ErrMalformed},
		{"forwarded two for", ipReq("10.0.0.2:1", fwd, "for=1.2.3.4;for=5.6.7.8"), "", ErrMalformed},
		{"forwarded bad syntax", ipReq("10.0.0.2:1", fwd, "for"), "", ErrMalformed},
		{"forwarded bad separator", ipReq("10.0.0.2:1", fwd, `for="1.2.3.4"x`), "", ErrMalformed},
		{"forwarded unbracketed v6", ipReq("10.0.0.2:1", fwd, `for="[2001:db8::1"`), "", ErrMalformed},
		{"no remote", ipReq(""), "", ErrMissing},
		{"unix socket", ipReq("@"), "", ErrMalformed},
		{"remote hostname", ipReq("example.com:80"), "", ErrMalformed},
	} {
		got, err := ClientIP(tc.r, trusted)
		if tc.kind != nil {
			if !errors.Is(err, tc.kind) || got.IsValid() {
				t.Errorf("%s: got (%v, %v), want %v", tc.name, got, err, tc.kind)
			}
			continue
		}
		if err != nil || got != netip.MustParseAddr(tc.want) {
			t.Errorf("%s: got (%v, %v), want %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := ClientIP(nil, trusted); !errors.Is(err, ErrMissing) {
		t.Errorf("nil request: %v", err)
	}
	many := ""
	for range maxForwardedHops + 1 {
		many += "10.0.0.1,"
	}
	if _, err := ClientIP(ipReq("10.0.0.2:1", xff, many+"10.0.0.1"), trusted); !errors.Is(err, ErrMalformed) {
		t.Errorf("too many hops: %v", err)
	}
}

func TestIPAllow(t *testing.T) {
	v, err := IPAllow(IPAllowOpts{
		Allow:          []string{"192.30.252.0/22", "2001:db8:1::/48", "198.51.100.4", "::ffff:140.82.112.0/116"},
		TrustedProxies: []string{"10.0.0.0/8", "::1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		r    *http.Request
		kind error
	}{
		{"allowed direct", ipReq("192.30.253.9:5000"), nil},
		{"allowed single", ipReq("198.51.100.4:5000"), nil},
		{"allowed v6", ipReq("[2001:db8:1:2::3]:5000"), nil},
		{"allowed mapped peer", ipReq("[::ffff:192.30.252.1]:5000"), nil},
		{"allowed mapped prefix", ipReq("140.82.112.7:1"), nil},
		{"denied", ipReq("203.0.113.7:5000"), ErrForbiddenAddress},
		{"denied neighbour", ipReq("198.51.100.5:5000"), ErrForbiddenAddress},
		{"spoofed xff ignored", ipReq("203.0.113.7:5000", "X-Forwarded-For", "192.30.252.1"), ErrForbiddenAddress},
		{"spoofed forwarded ignored", ipReq("203.0.113.7:5000", "Forwarded", "for=192.30.252.1"), ErrForbiddenAddress},
		{"via trusted proxy", ipReq("10.1.2.3:5000", "X-Forwarded-For", "192.30.252.1"), nil},
		{"via trusted v6 proxy", ipReq("[::1]:5000", "Forwarded", `for="[2001:db8:1::9]"`), nil},
		{"via proxy, client-prepended spoof", ipReq("10.1.2.3:5000", "X-Forwarded-For", "192.30.252.1, 203.0.113.7"), ErrForbiddenAddress},
		{"proxy itself not allowed", ipReq("10.1.2.3:5000"), ErrForbiddenAddress},
		{"malformed from proxy", ipReq("10.1.2.3:5000", "X-Forwarded-For", "not-an-ip"), ErrMalformed},
		{"missing remote", ipReq(""), ErrMissing},
	} {
		err := v.Verify(tc.r, nil)
		wantErr(t, tc.name, err, tc.kind)
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Check != "ip-allowlist") {
			t.Errorf("%s: %#v", tc.name, err)
		}
		if errors.Is(err, ErrForbiddenAddress) && e.Status() != http.StatusForbidden {
			t.Errorf("%s: status %d", tc.name, e.Status())
		}
	}
	for name, o := range map[string]IPAllowOpts{
		"empty":         {},
		"bad allow":     {Allow: []string{"192.30.252.0/33"}},
		"host name":     {Allow: []string{"github.com"}},
		"bad proxy":     {Allow: []string{"1.2.3.4"}, TrustedProxies: []string{"10.0.0.0/8x"}},
		"mixed mapping": {Allow: []string{"::ffff:0:0/64"}},
		"blank":         {Allow: []string{""}},
	} {
		if _, err := IPAllow(o); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := ParsePrefixes([]string{" 10.1.2.3/8 ", "2001:db8::1", "::ffff:1.2.3.4", "::ffff:1.2.3.0/120", "fe80::1%eth0"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "2001:db8::1/128", "1.2.3.4/32", "1.2.3.0/24", "fe80::1/128"}
	for i, w := range want {
		if got[i] != netip.MustParsePrefix(w) {
			t.Errorf("%d: %v, want %s", i, got[i], w)
		}
	}
}
