package verify

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const fuzzSecret = "fuzz-secret-Zq8"

// checkFuzzErr asserts err is nil or a well-formed *Error for a request
// failure, without secret material in its text.
func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *Error: %v", err, err)
	}
	switch e.Kind {
	case ErrMissing, ErrMalformed, ErrMismatch, ErrExpired, ErrForbiddenAddress, ErrUnauthorized:
	default:
		t.Fatalf("unexpected kind %v", e.Kind)
	}
	if s := e.Status(); s != 400 && s != 401 && s != 403 {
		t.Fatalf("status %d", s)
	}
	if strings.Contains(err.Error(), fuzzSecret) {
		t.Fatalf("error leaks secret: %v", err)
	}
}

func fuzzReq(headers ...string) *http.Request {
	r := &http.Request{Method: http.MethodPost, Header: http.Header{}, URL: &url.URL{Path: "/hook"}}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// signAndVerify signs body with scheme and asserts v accepts it.
func signAndVerify(t *testing.T, v Verifier, scheme string, opts SignerOpts, body []byte, now time.Time) {
	t.Helper()
	s, err := NewSigner(scheme, fuzzSecret, opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Sign(body, now)
	if err != nil {
		t.Fatal(err)
	}
	r := fuzzReq()
	r.Header = h
	if err := v.Verify(r, body); err != nil {
		t.Fatalf("valid %s signature rejected: %v", scheme, err)
	}
}

func FuzzGitHub(f *testing.F) {
	f.Add([]byte("Hello, World!"), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")
	f.Add([]byte(`{"zen":"x"}`), "sha256=zz", "")
	f.Add([]byte{}, "", "sha1=")
	v := mustV(f)(GitHubWithOptions(GitHubOpts{AllowSHA1: true}, fuzzSecret))
	v256 := mustV(f)(GitHub(fuzzSecret))
	f.Fuzz(func(t *testing.T, body []byte, sig256, sig1 string) {
		r := fuzzReq(HeaderGitHubSignature256, sig256, HeaderGitHubSignature, sig1)
		checkFuzzErr(t, v.Verify(r, body))
		checkFuzzErr(t, v256.Verify(r, body))
		checkFuzzErr(t, v.Verify(fuzzReq(HeaderGitHubSignature, sig1), body))
		signAndVerify(t, v256, "github", SignerOpts{}, body, testNow)
		signAndVerify(t, v, "github-sha1", SignerOpts{}, body, testNow)
	})
}

func FuzzGitea(f *testing.F) {
	f.Add([]byte(`{"ref":"refs/heads/main"}`), "application/x-www-form-urlencoded", "payload=%7B%7D", "93d87807d4f0aecab9f30400016ebc0d24048bfa7463d1f48b6034969896b963")
	f.Add([]byte("a&b=c;%"), "application/json", "payload=1&payload=2", "zz")
	f.Add([]byte{0xff, 0x00}, "multipart/form-data; boundary=x", "%", "")
	v := mustV(f)(Gitea(fuzzSecret))
	f.Fuzz(func(t *testing.T, payload []byte, contentType, rawBody, sig string) {
		checkFuzzErr(t, v.Verify(fuzzReq("Content-Type", contentType, HeaderGiteaSignature, sig), []byte(rawBody)))
		get := fuzzReq(HeaderGiteaSignature, sig)
		get.Method, get.URL.RawQuery = http.MethodGet, rawBody
		checkFuzzErr(t, v.Verify(get, nil))

		// JSON delivery: signature over the raw body.
		signAndVerify(t, v, "gitea", SignerOpts{}, payload, testNow)
		// Form delivery: signature over the decoded payload field.
		s, _ := NewSigner("gitea", fuzzSecret, SignerOpts{})
		h, err := s.Sign(payload, testNow)
		if err != nil {
			t.Fatal(err)
		}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		form := url.Values{"payload": {string(payload)}}.Encode()
		r := fuzzReq()
		r.Header = h
		if err := v.Verify(r, []byte(form)); err != nil {
			t.Fatalf("valid form delivery rejected: %v", err)
		}
	})
}

func FuzzGogsBitbucket(f *testing.F) {
	f.Add([]byte("{}"), "83d4163fb936904aeb9ffd6ce22cf86e4b36273b2e1c63a57f5a6ddc371ce3ba", "sha256=8a60f7487d167f55886df87d4077192035d76f76a8e0b3a48fd8ae8cad25f391")
	f.Add([]byte(""), "0", "sha256")
	gogs := mustV(f)(Gogs(fuzzSecret))
	bb := mustV(f)(Bitbucket(fuzzSecret))
	f.Fuzz(func(t *testing.T, body []byte, gogsSig, hubSig string) {
		checkFuzzErr(t, gogs.Verify(fuzzReq(HeaderGogsSignature, gogsSig), body))
		checkFuzzErr(t, bb.Verify(fuzzReq(HeaderGitHubSignature, hubSig), body))
		signAndVerify(t, gogs, "gogs", SignerOpts{}, body, testNow)
		signAndVerify(t, bb, "bitbucket", SignerOpts{}, body, testNow)
	})
}

func FuzzStripe(f *testing.F) {
	f.Add([]byte("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}"), "t=1614265330,v1=af4ead0627a34a8cca29808e8de9ada8e41a92e6237c63cef6eacf51d36cca34,v0=00", uint32(1614265330))
	f.Add([]byte("x"), "t=,v1=,=,", uint32(0))
	f.Add([]byte(""), "v1=00,t=99999999999999999999", uint32(4294967295))
	f.Fuzz(func(t *testing.T, body []byte, header string, ts uint32) {
		if h, err := parseStripeSignature(header); err == nil {
			if h.t == "" || len(h.v1) > h.v1Entries || h.v1Entries > maxSignatureEntries+1 {
				t.Fatalf("inconsistent parse %+v", h)
			}
		}
		now := time.Unix(int64(ts), 0)
		v := mustV(t)(Stripe(TimestampOpts{Now: func() time.Time { return now }}, fuzzSecret))
		checkFuzzErr(t, v.Verify(fuzzReq(HeaderStripeSignature, header), body))
		signAndVerify(t, v, "stripe", SignerOpts{}, body, now)
	})
}

func FuzzStandardWebhooks(f *testing.F) {
	f.Add([]byte(`{"test": 2432232314}`), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1a,AAAA", uint32(1614265340))
	f.Add([]byte(""), "", "x", ",,, v1, v1,=", uint32(0))
	f.Add([]byte{0}, "id with spaces", "-1", "v2,AAAA\tv1,!!!!", uint32(7))
	secret := whsecSecret(5)
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sigHeader string, now uint32) {
		if sigs, err := parseStandardSignatures(sigHeader); err == nil && (len(sigs) == 0 || len(sigs) > maxSignatureEntries) {
			t.Fatalf("parse returned %d entries", len(sigs))
		}
		clock := time.Unix(int64(now), 0)
		v := mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: func() time.Time { return clock }}, secret))
		checkFuzzErr(t, v.Verify(fuzzReq("webhook-id", id, "webhook-timestamp", ts, "webhook-signature", sigHeader), body))
		if strings.TrimSpace(id) != id {
			id = "" // header values arrive trimmed; let the signer pick an id
		}
		s, err := NewSigner("standard-webhooks", secret, SignerOpts{MessageID: id})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := s.Sign(body, clock)
		r := fuzzReq()
		r.Header = h
		if err := v.Verify(r, body); err != nil {
			t.Fatalf("valid signature rejected: %v", err)
		}
	})
}

func FuzzSlack(f *testing.F) {
	f.Add([]byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J"), "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", uint32(1531420618))
	f.Add([]byte(""), "", "v0=", uint32(0))
	f.Add([]byte("x"), "0000000000000000000001", "v0=zz", uint32(1))
	f.Fuzz(func(t *testing.T, body []byte, ts, sig string, now uint32) {
		clock := time.Unix(int64(now), 0)
		v := mustV(t)(Slack(TimestampOpts{Now: func() time.Time { return clock }}, fuzzSecret))
		checkFuzzErr(t, v.Verify(fuzzReq(HeaderSlackTimestamp, ts, HeaderSlackSignature, sig), body))
		signAndVerify(t, v, "slack", SignerOpts{}, body, clock)
	})
}

func FuzzHMAC(f *testing.F) {
	f.Add([]byte("body"), "{timestamp}.{body}", "sha256", "hex", "sha256=", "sha256=00", true)
	f.Add([]byte(""), "{header:X-Id}|{body}|{header:x-id}", "sha512", "base64", "", "AAAA", false)
	f.Add([]byte("{}"), "{body", "sha1", "base64url", "v1:", "v1:", false)
	f.Add([]byte("x"), "{bodies}{", "md5", "", "", "", true)
	f.Add([]byte("x"), "{header:X-Ts}{timestamp}{header:x-sig}", "", "", " p", "", true)
	f.Add([]byte("x"), "{header:X-Ts}{timestamp}", "", "", "p\n", "", true)
	f.Fuzz(func(t *testing.T, body []byte, template, algo, enc, prefix, sig string, withTS bool) {
		opts := HMACOpts{Header: "X-Sig", Algorithm: algo, Encoding: enc, Prefix: prefix, Template: template, Now: fixedClock}
		if withTS {
			opts.TimestampHeader = "X-Ts"
		}
		v, err := HMAC(opts, fuzzSecret)
		if err != nil {
			if v != nil || !errors.Is(err, ErrConfig) {
				t.Fatalf("construction: (%v, %v)", v, err)
			}
			return
		}
		extra := http.Header{}
		for _, seg := range v.(*hmacVerifier).scheme.template {
			if seg.kind == 'h' {
				extra.Set(seg.header, "val-"+seg.header)
			}
		}
		r := fuzzReq("X-Sig", sig, "X-Ts", strconv.FormatInt(testNow.Unix(), 10))
		for k, vs := range extra {
			r.Header[k] = vs
		}
		checkFuzzErr(t, v.Verify(r, body))
		h, err := SignHMAC(opts, fuzzSecret, body, testNow, extra)
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range h {
			r.Header[k] = vs
		}
		if err := v.Verify(r, body); err != nil {
			t.Fatalf("valid signature rejected: %v", err)
		}
	})
}

func FuzzTokenAuth(f *testing.F) {
	f.Add("fuzz-secret-Zq8", "token=fuzz-secret-Zq8&a=b", "Bearer fuzz-secret-Zq8")
	f.Add("", "token=%zz&token=", "Basic dXNlcjpmdXp6LXNlY3JldC1acTg=")
	f.Add(" x ", ";;;", "Basic !!!")
	gitlab := mustV(f)(GitLab(fuzzSecret))
	query := mustV(f)(Token(TokenOpts{Query: "token"}, fuzzSecret))
	bearer := mustV(f)(Bearer(fuzzSecret))
	basic := mustV(f)(Basic(map[string]string{"user": fuzzSecret}))
	f.Fuzz(func(t *testing.T, token, rawQuery, authorization string) {
		r := fuzzReq(HeaderGitLabToken, token, "Authorization", authorization)
		r.URL.RawQuery = rawQuery
		checkFuzzErr(t, gitlab.Verify(r, nil))
		checkFuzzErr(t, query.Verify(r, nil))
		checkFuzzErr(t, bearer.Verify(r, nil))
		checkFuzzErr(t, basic.Verify(r, nil))
		if (gitlab.Verify(r, nil) == nil) != (strings.TrimSpace(token) == fuzzSecret) {
			t.Fatalf("gitlab token %q: wrong outcome", token)
		}
		signAndVerify(t, gitlab, "gitlab", SignerOpts{}, nil, testNow)
		signAndVerify(t, bearer, "bearer", SignerOpts{}, nil, testNow)
		signAndVerify(t, basic, "basic", SignerOpts{User: "user"}, nil, testNow)
	})
}

var fuzzTrusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.2:80", "1.2.3.4, 198.51.100.4", `for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"`, []byte{198, 51, 100, 4})
	f.Add("[fd00::1]:443", "garbage,,", `for="unterminated`, []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add("203.0.113.7:1", "192.30.252.1", "for=unknown", []byte{})
	f.Add("@", "", "", []byte{10, 1, 1, 1})
	f.Fuzz(func(t *testing.T, remote, xff, fwd string, ip []byte) {
		r := fuzzReq("X-Forwarded-For", xff, "Forwarded", fwd)
		r.RemoteAddr = remote
		a, err := ClientIP(r, fuzzTrusted)
		if err != nil {
			checkFuzzErr(t, err)
			if a.IsValid() {
				t.Fatal("valid address with error")
			}
		} else if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("bad address %v", a)
		}
		// Headers from an untrusted peer never matter.
		if peer, ok := parseNodeAddr(remote); ok && !inPrefixes(peer, fuzzTrusted) && (err != nil || a != peer) {
			t.Fatalf("untrusted peer %v: got (%v, %v)", peer, a, err)
		}
		// A well-formed chain through trusted proxies yields the client.
		var client netip.Addr
		switch len(ip) {
		case 4:
			client = netip.AddrFrom4([4]byte(ip))
		case 16:
			client = netip.AddrFrom16([16]byte(ip)).Unmap()
		default:
			return
		}
		for _, r := range []*http.Request{
			fuzzReq("X-Forwarded-For", client.String()+", 10.0.0.1"),
			fuzzReq("Forwarded", `for="`+netip.AddrPortFrom(client, 8080).String()+`";proto=https, for=10.0.0.1`),
		} {
			r.RemoteAddr = "[fd00::9]:443"
			if got, err := ClientIP(r, fuzzTrusted); err != nil || got != client {
				t.Fatalf("chain %v: got (%v, %v), want %v", r.Header, got, err, client)
			}
		}
	})
}

func FuzzForwarded(f *testing.F) {
	f.Add(`for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`)
	f.Add(`for="\"quoted\\";For=x,,`)
	f.Add(`;=,"`)
	f.Fuzz(func(t *testing.T, s string) {
		hops, err := parseForwarded(s)
		if err != nil {
			return
		}
		if len(hops) == 0 || len(hops) > maxForwardedHops {
			t.Fatalf("%d hops", len(hops))
		}
		// Re-encoding every for= value as a quoted string parses back.
		var b strings.Builder
		for i, h := range hops {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`for="`)
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(h))
			b.WriteString(`";proto=https`)
		}
		again, err := parseForwarded(b.String())
		if err != nil || len(again) != len(hops) {
			t.Fatalf("re-parse of %q: %v, %v", b.String(), again, err)
		}
		for i := range hops {
			if again[i] != hops[i] {
				t.Fatalf("hop %d: %q != %q", i, again[i], hops[i])
			}
		}
		// Parsing an address out of any hop never panics.
		for _, h := range hops {
			if a, ok := parseNodeAddr(h); ok && !a.IsValid() {
				t.Fatal("invalid address accepted")
			}
		}
	})
}
