package verify

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func req(headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hook", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func mustV(t testing.TB) func(Verifier, error) Verifier {
	return func(v Verifier, err error) Verifier {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, name string, err, kind error) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		return
	}
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", name, err, kind)
	}
}

func TestGitHubParsing(t *testing.T) {
	const secret, body = "It's a Secret to Everybody", "Hello, World!"
	good := "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	v := mustV(t)(GitHub(secret))
	for name, tc := range map[string]struct {
		value string
		kind  error
	}{
		"valid":            {"sha256=" + good, nil},
		"uppercase hex":    {"sha256=" + strings.ToUpper(good), nil},
		"uppercase prefix": {"SHA256=" + good, ErrMalformed},
		"sha1 prefix":      {"sha1=" + good, ErrMalformed},
		"odd hex":          {"sha256=" + good[:63], ErrMalformed},
		"short":            {"sha256=" + good[:62], ErrMalformed},
		"long":             {"sha256=" + good + "00", ErrMalformed},
		"non-hex":          {"sha256=" + "zz" + good[2:], ErrMalformed},
		"blank":            {"   ", ErrMissing},
		"prefix only":      {"sha256=", ErrMalformed},
	} {
		wantErr(t, name, v.Verify(req("x-hub-signature-256", tc.value), []byte(body)), tc.kind)
	}
	wantErr(t, "nil request", v.Verify(nil, nil), ErrMissing)
	wantErr(t, "no header", v.Verify(req(), []byte(body)), ErrMissing)

	// SHA-1 is only a fallback when the SHA-256 header is absent: no downgrade.
	v1 := mustV(t)(GitHubWithOptions(GitHubOpts{AllowSHA1: true}, secret))
	sha1 := "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"
	wantErr(t, "sha1 only", v1.Verify(req("X-Hub-Signature", sha1), []byte(body)), nil)
	wantErr(t, "sha1 with bad sha256", v1.Verify(req("X-Hub-Signature", sha1, "X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64)), []byte(body)), ErrMismatch)
	wantErr(t, "sha1 disabled", v.Verify(req("X-Hub-Signature", sha1), []byte(body)), ErrMissing)

	err := v.Verify(req(), nil)
	if got := err.Error(); got != "github-signature: X-Hub-Signature-256 header is missing" {
		t.Errorf("Error() = %q", got)
	}
}

func TestGiteaForms(t *testing.T) {
	const secret = "gitea-secret"
	payload := `{"ref":"refs/heads/main","message":"a+b&c=d; 100%"}`
	sig := hmacHex(secret, payload)
	form := "payload=" + url.QueryEscape(payload)
	v := mustV(t)(Gitea(secret))
	formReq := func(ct string) *http.Request { return req("Content-Type", ct, HeaderGiteaSignature, sig) }

	wantErr(t, "form", v.Verify(formReq("application/x-www-form-urlencoded"), []byte(form)), nil)
	wantErr(t, "form charset", v.Verify(formReq("Application/X-WWW-Form-Urlencoded; charset=utf-8"), []byte(form)), nil)
	wantErr(t, "form other fields", v.Verify(formReq("application/x-www-form-urlencoded"), []byte("a=1&"+form+"&b=2")), nil)
	wantErr(t, "json", v.Verify(formReq("application/json"), []byte(payload)), nil)
	wantErr(t, "raw form as json", v.Verify(formReq("application/json"), []byte(form)), ErrMismatch)
	wantErr(t, "no payload", v.Verify(formReq("application/x-www-form-urlencoded"), []byte("a=1")), ErrMissing)
	wantErr(t, "two payloads", v.Verify(formReq("application/x-www-form-urlencoded"), []byte(form+"&"+form)), ErrMalformed)
	wantErr(t, "bad escape", v.Verify(formReq("application/x-www-form-urlencoded"), []byte("payload=%zz")), ErrMalformed)

	get := httptest.NewRequest(http.MethodGet, "/hook?"+form, nil)
	get.Header.Set(HeaderGiteaSignature, sig)
	wantErr(t, "GET query payload", v.Verify(get, nil), nil)

	wantErr(t, "prefixed", v.Verify(req(HeaderGiteaSignature, "sha256="+sig), []byte(payload)), ErrMalformed)
	wantErr(t, "forgejo", v.Verify(req(HeaderForgejoSignature, sig), []byte(payload)), nil)
	wantErr(t, "same in both", v.Verify(req(HeaderForgejoSignature, sig, HeaderGiteaSignature, sig), []byte(payload)), nil)
	wantErr(t, "conflicting aliases", v.Verify(req(HeaderForgejoSignature, sig, HeaderGiteaSignature, strings.Repeat("0", 64)), []byte(payload)), ErrMalformed)

	g := mustV(t)(Gogs(secret))
	wantErr(t, "gogs", g.Verify(req(HeaderGogsSignature, sig), []byte(payload)), nil)
	wantErr(t, "gogs odd", g.Verify(req(HeaderGogsSignature, sig[1:]), []byte(payload)), ErrMalformed)
}

func TestStandardWebhooksDetails(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const id, ts, body = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", `{"test": 2432232314}`
	const good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	at := func(sec int64) func() time.Time { return func() time.Time { return time.Unix(sec, 0) } }
	v := mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: at(1614265330)}, secret))
	sw := func(sig string) *http.Request {
		return req("webhook-id", id, "webhook-timestamp", ts, "webhook-signature", sig)
	}
	for name, tc := range map[string]struct {
		sig  string
		kind error
	}{
		"valid":          {good, nil},
		"extra spaces":   {"  v2,AAAA   " + good + "  ", nil},
		"unknown only":   {"v2,AAAA", ErrMismatch},
		"bad base64 too": {"v1,!!!! " + good, nil},
		"garbage":        {"garbage", ErrMalformed},
		"no version":     {",AAAA", ErrMalformed},
		"bad base64":     {"v1,!!!!", ErrMalformed},
		"short sig":      {"v1,AAAA", ErrMismatch},
		"too many":       {strings.Repeat("v1,AAAA ", maxSignatureEntries) + good, ErrMalformed},
	} {
		wantErr(t, name, v.Verify(sw(tc.sig), []byte(body)), tc.kind)
	}
	wantErr(t, "bad timestamp", v.Verify(req("webhook-id", id, "webhook-timestamp", "16142653.30", "webhook-signature", good), []byte(body)), ErrMalformed)
	wantErr(t, "negative timestamp", v.Verify(req("webhook-id", id, "webhook-timestamp", "-1", "webhook-signature", good), []byte(body)), ErrMalformed)
	wantErr(t, "huge timestamp", v.Verify(req("webhook-id", id, "webhook-timestamp", "99999999999999999999", "webhook-signature", good), []byte(body)), ErrMalformed)
	wantErr(t, "missing id", v.Verify(req("webhook-timestamp", ts, "webhook-signature", good), []byte(body)), ErrMissing)
	wantErr(t, "mixed svix and webhook ids", v.Verify(req("webhook-id", id, "svix-id", "msg_x", "webhook-timestamp", ts, "webhook-signature", good), []byte(body)), ErrMalformed)
	wantErr(t, "svix headers", v.Verify(req("svix-id", id, "svix-timestamp", ts, "svix-signature", good), []byte(body)), nil)

	// The tolerance edge is inclusive: exactly 300 s either way passes.
	for _, d := range []int64{-300, 300} {
		v := mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: at(1614265330 + d)}, secret))
		wantErr(t, "edge "+strconv.FormatInt(d, 10), v.Verify(sw(good), []byte(body)), nil)
	}
	v = mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: at(1614265330 + 3600), Tolerance: 2 * time.Hour}, secret))
	wantErr(t, "custom tolerance", v.Verify(sw(good), []byte(body)), nil)

	// The same key without the whsec_ prefix is accepted.
	v = mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: at(1614265330)}, strings.TrimPrefix(secret, "whsec_")))
	wantErr(t, "bare base64 secret", v.Verify(sw(good), []byte(body)), nil)

	for name, s := range map[string]string{
		"not base64":   "whsec_%%%",
		"bare garbage": "not-base64!",
		"empty key":    "whsec_",
		"short pk":     "whpk_AAAA",
		"bad sk":       "whsk_AAAA",
	} {
		if _, err := StandardWebhooks(StandardWebhooksOpts{}, s); !errors.Is(err, ErrNoSecret) {
			t.Errorf("%s: got %v", name, err)
		} else if strings.Contains(err.Error(), s) {
			t.Errorf("%s: error leaks the secret: %v", name, err)
		}
	}
	if _, err := StandardWebhooks(StandardWebhooksOpts{Tolerance: -time.Second}, secret); !errors.Is(err, ErrConfig) {
		t.Errorf("negative tolerance: %v", err)
	}
}

func TestStandardWebhooksEd25519(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	pk := PrefixPublicKey + base64.StdEncoding.EncodeToString(pub)
	body := []byte(`{"type":"invoice.paid"}`)
	now := func() time.Time { return testNow }
	for name, sk := range map[string]string{
		"private key": PrefixPrivateKey + base64.StdEncoding.EncodeToString(priv),
		"seed":        PrefixPrivateKey + base64.StdEncoding.EncodeToString(priv.Seed()),
	} {
		s, err := NewSigner("standard-webhooks", sk, SignerOpts{})
		if err != nil {
			t.Fatal(err)
		}
		r := signedRequest(t, s, body)
		if !strings.HasPrefix(r.Header.Get("webhook-signature"), "v1a,") {
			t.Fatalf("%s: signature %q", name, r.Header.Get("webhook-signature"))
		}
		// Verify with the public key, alongside an HMAC secret (mixed rotation).
		v := mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: now}, whsecSecret(0), pk))
		wantErr(t, name, v.Verify(r, body), nil)
		wantErr(t, name+" tampered", v.Verify(r, append(body, ' ')), ErrMismatch)
		// The private key can verify too.
		v = mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: now}, sk))
		wantErr(t, name+" via sk", v.Verify(r, body), nil)
		// An HMAC-only verifier rejects v1a.
		v = mustV(t)(StandardWebhooks(StandardWebhooksOpts{Now: now}, whsecSecret(0)))
		wantErr(t, name+" hmac only", v.Verify(r, body), ErrMismatch)
	}
}

func TestStripeHeader(t *testing.T) {
	const secret = "whsec_test_secret"
	body := "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}"
	const sig = "af4ead0627a34a8cca29808e8de9ada8e41a92e6237c63cef6eacf51d36cca34"
	v := mustV(t)(Stripe(TimestampOpts{Now: func() time.Time { return time.Unix(1614265340, 0) }}, secret))
	for name, tc := range map[string]struct {
		header string
		kind   error
	}{
		"valid":            {"t=1614265330,v1=" + sig, nil},
		"spaces":           {"t=1614265330, v1=" + sig, nil},
		"v1 first":         {"v1=" + sig + ",t=1614265330", nil},
		"unknown schemes":  {"t=1614265330,v9=x,v1=" + sig, nil},
		"second v1 valid":  {"t=1614265330,v1=00,v1=" + sig, nil},
		"no t":             {"v1=" + sig, ErrMalformed},
		"two t":            {"t=1614265330,t=1614265330,v1=" + sig, ErrMalformed},
		"bad t":            {"t=16142653e3,v1=" + sig, ErrMalformed},
		"empty t":          {"t=,v1=" + sig, ErrMalformed},
		"item without =":   {"t=1614265330,v1", ErrMalformed},
		"empty item":       {"t=1614265330,,v1=" + sig, ErrMalformed},
		"no v1":            {"t=1614265330", ErrMismatch},
		"only bad v1":      {"t=1614265330,v1=zz", ErrMismatch},
		"future":           {"t=1614265999,v1=" + sig, ErrExpired},
		"uppercase hex ok": {"t=1614265330,v1=" + strings.ToUpper(sig), nil},
		"too many":         {"t=1614265330" + strings.Repeat(",v1=00", maxSignatureEntries+1), ErrMalformed},
	} {
		wantErr(t, name, v.Verify(req("Stripe-Signature", tc.header), []byte(body)), tc.kind)
	}
	h, err := parseStripeSignature("t=12,v1=" + sig + ",v0=" + sig + ",v1=zz")
	if err != nil || h.t != "12" || h.timestamp != 12 || len(h.v1) != 1 || h.v1Entries != 2 {
		t.Errorf("parse = %+v, %v", h, err)
	}
}

func TestSlackDetails(t *testing.T) {
	const secret, ts, body = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618", "token=x&team_id=T1"
	sig := "v0=" + hmacHex(secret, "v0:"+ts+":"+body)
	at := func(sec int64) TimestampOpts {
		return TimestampOpts{Now: func() time.Time { return time.Unix(sec, 0) }}
	}
	v := mustV(t)(Slack(at(1531420618), secret))
	wantErr(t, "valid", v.Verify(req(HeaderSlackTimestamp, ts, HeaderSlackSignature, sig), []byte(body)), nil)
	wantErr(t, "v1 prefix", v.Verify(req(HeaderSlackTimestamp, ts, HeaderSlackSignature, "v1="+sig[3:]), []byte(body)), ErrMalformed)
	wantErr(t, "no timestamp", v.Verify(req(HeaderSlackSignature, sig), []byte(body)), ErrMissing)
	wantErr(t, "bad timestamp", v.Verify(req(HeaderSlackTimestamp, "x", HeaderSlackSignature, sig), []byte(body)), ErrMalformed)
	wantErr(t, "other timestamp", v.Verify(req(HeaderSlackTimestamp, "1531420619", HeaderSlackSignature, sig), []byte(body)), ErrMismatch)
	v = mustV(t)(Slack(at(1531420618-301), secret))
	wantErr(t, "future", v.Verify(req(HeaderSlackTimestamp, ts, HeaderSlackSignature, sig), []byte(body)), ErrExpired)
}

func TestHMACOptions(t *testing.T) {
	for name, o := range map[string]HMACOpts{
		"no header":             {},
		"bad header":            {Header: "X Sig"},
		"bad algorithm":         {Header: "X-Sig", Algorithm: "md5"},
		"bad encoding":          {Header: "X-Sig", Encoding: "base32"},
		"unknown placeholder":   {Header: "X-Sig", Template: "{bodies}"},
		"unclosed":              {Header: "X-Sig", Template: "{body"},
		"empty header name":     {Header: "X-Sig", Template: "{header:}"},
		"timestamp without hdr": {Header: "X-Sig", Template: "{timestamp}{body}"},
		"unsigned timestamp":    {Header: "X-Sig", TimestampHeader: "X-Ts", Template: "{body}"},
		"bad timestamp header":  {Header: "X-Sig", TimestampHeader: "X:Ts"},
		"negative tolerance":    {Header: "X-Sig", TimestampHeader: "X-Ts", Tolerance: -1},
	} {
		if _, err := HMAC(o, "k"); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: got %v", name, err)
		}
		if _, err := SignHMAC(o, "k", nil, testNow, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("SignHMAC %s: got %v", name, err)
		}
	}
	if _, err := SignHMAC(HMACOpts{Header: "X-Sig"}, "", nil, testNow, nil); !errors.Is(err, ErrNoSecret) {
		t.Errorf("SignHMAC empty secret: %v", err)
	}

	// Defaults: sha256, hex, {body} -> same as GitHub without prefix.
	body := []byte("Hello, World!")
	h, err := SignHMAC(HMACOpts{Header: "X-Sig"}, "It's a Secret to Everybody", body, testNow, nil)
	if err != nil || h.Get("X-Sig") != "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" {
		t.Errorf("default SignHMAC = %v, %v", h, err)
	}

	// Default template with a timestamp header is "{timestamp}.{body}".
	o := HMACOpts{Header: "X-Sig", TimestampHeader: "X-Ts", Now: fixedClock}
	h, _ = SignHMAC(o, "k", body, testNow, nil)
	if want := hmacHex("k", "1700000000."+string(body)); h.Get("X-Sig") != want || h.Get("X-Ts") != "1700000000" {
		t.Errorf("timestamped SignHMAC = %v", h)
	}
	v := mustV(t)(HMAC(o, "k"))
	wantErr(t, "timestamped", v.Verify(req("X-Sig", h.Get("X-Sig"), "X-Ts", "1700000000"), body), nil)
	wantErr(t, "no ts", v.Verify(req("X-Sig", h.Get("X-Sig")), body), ErrMissing)
	wantErr(t, "old ts", v.Verify(req("X-Sig", h.Get("X-Sig"), "X-Ts", "1699999000"), body), ErrExpired)

	// base64url, prefix matched case-insensitively, padding optional.
	o = HMACOpts{Header: "X-Sig", Algorithm: "SHA1", Encoding: "base64url", Prefix: "sha1="}
	h, _ = SignHMAC(o, "k", body, testNow, nil)
	sig := h.Get("X-Sig")
	v = mustV(t)(HMAC(o, "k"))
	wantErr(t, "base64url", v.Verify(req("X-Sig", sig), body), nil)
	wantErr(t, "prefix case", v.Verify(req("X-Sig", "SHA1="+sig[5:]), body), nil)
	wantErr(t, "unpadded", v.Verify(req("X-Sig", strings.TrimRight(sig, "=")), body), nil)
	wantErr(t, "wrong prefix", v.Verify(req("X-Sig", "sha2="+sig[5:]), body), ErrMalformed)
	wantErr(t, "bad base64", v.Verify(req("X-Sig", "sha1=***"), body), ErrMalformed)

	// Header placeholders must be present.
	o = HMACOpts{Header: "X-Sig", Template: "{header:X-Id}|{body}"}
	v = mustV(t)(HMAC(o, "k"))
	h, _ = SignHMAC(o, "k", body, testNow, http.Header{"X-Id": {"42"}})
	if want := hmacHex("k", "42|"+string(body)); h.Get("X-Sig") != want {
		t.Errorf("template SignHMAC = %v", h)
	}
	wantErr(t, "template", v.Verify(req("X-Sig", h.Get("X-Sig"), "X-Id", "42"), body), nil)
	wantErr(t, "template other id", v.Verify(req("X-Sig", h.Get("X-Sig"), "X-Id", "43"), body), ErrMismatch)
	wantErr(t, "template no id", v.Verify(req("X-Sig", h.Get("X-Sig")), body), ErrMissing)
	if _, err := SignHMAC(o, "k", body, testNow, nil); !errors.Is(err, ErrMissing) {
		t.Errorf("SignHMAC without template header: %v", err)
	}
}

func TestToken(t *testing.T) {
	for name, o := range map[string]TokenOpts{"neither": {}, "both": {Header: "X-T", Query: "t"}} {
		if _, err := Token(o, "tok"); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	q := mustV(t)(Token(TokenOpts{Query: "token"}, "old-token", "new-token"))
	get := func(query string) *http.Request { return httptest.NewRequest(http.MethodPost, "/hook?"+query, nil) }
	wantErr(t, "query", q.Verify(get("token=new-token"), nil), nil)
	wantErr(t, "query old", q.Verify(get("a=b&token=old-token"), nil), nil)
	wantErr(t, "query wrong", q.Verify(get("token=new-tokeN"), nil), ErrMismatch)
	wantErr(t, "query prefix", q.Verify(get("token=new"), nil), ErrMismatch)
	wantErr(t, "query missing", q.Verify(get("tok=new-token"), nil), ErrMissing)
	wantErr(t, "query empty", q.Verify(get("token="), nil), ErrMissing)
	wantErr(t, "query repeated", q.Verify(get("token=new-token&token=new-token"), nil), nil)
	wantErr(t, "query conflicting", q.Verify(get("token=new-token&token=x"), nil), ErrMalformed)
	wantErr(t, "nil request", q.Verify(nil, nil), ErrMissing)
	wantErr(t, "nil URL", q.Verify(&http.Request{}, nil), ErrMissing)
	err := q.Verify(get("token=wrong-guess"), nil)
	assertNoLeak(t, err, "wrong-guess")
	assertNoLeak(t, err, "new-token")
}

func TestBasicAndBearer(t *testing.T) {
	b := mustV(t)(Basic(map[string]string{"alice": "pw-alice", "bob": "pw-bob"}))
	basic := func(user, pass string) *http.Request {
		r := req()
		r.SetBasicAuth(user, pass)
		return r
	}
	wantErr(t, "alice", b.Verify(basic("alice", "pw-alice"), nil), nil)
	wantErr(t, "bob", b.Verify(basic("bob", "pw-bob"), nil), nil)
	for name, r := range map[string]*http.Request{
		"crossed":     basic("alice", "pw-bob"),
		"unknown":     basic("carol", "pw-alice"),
		"empty":       basic("", ""),
		"missing":     req(),
		"bearer":      req("Authorization", "Bearer pw-alice"),
		"bad base64":  req("Authorization", "Basic %%%"),
		"no colon":    req("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("alice"))),
		"conflicting": req("Authorization", "Basic YTpi", "Authorization", "Basic YzpK"),
	} {
		err := b.Verify(r, nil)
		wantErr(t, "basic "+name, err, ErrUnauthorized)
		var e *Error
		if !errors.As(err, &e) || e.Status() != http.StatusUnauthorized || e.Challenge != `Basic realm="hookpoint"` {
			t.Errorf("basic %s: %#v", name, err)
		}
		assertNoLeak(t, err, "pw-alice")
		assertNoLeak(t, err, "pw-bob")
	}
	if _, err := Basic(nil); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Basic(nil): %v", err)
	}
	if _, err := Basic(map[string]string{"a": ""}); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Basic empty password: %v", err)
	}

	br := mustV(t)(Bearer("tok-1", "tok-2"))
	wantErr(t, "bearer", br.Verify(req("Authorization", "Bearer tok-1"), nil), nil)
	wantErr(t, "bearer lower", br.Verify(req("Authorization", "bearer tok-2"), nil), nil)
	for name, tc := range map[string]struct {
		r         *http.Request
		challenge string
	}{
		"missing": {req(), `Bearer realm="hookpoint"`},
		"basic":   {req("Authorization", "Basic dG9rLTE6"), `Bearer realm="hookpoint"`},
		"empty":   {req("Authorization", "Bearer "), `Bearer realm="hookpoint"`},
		"wrong":   {req("Authorization", "Bearer tok-3"), `Bearer realm="hookpoint", error="invalid_token"`},
	} {
		err := br.Verify(tc.r, nil)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrUnauthorized) || e.Status() != 401 || e.Challenge != tc.challenge {
			t.Errorf("bearer %s: %#v", name, err)
		}
		assertNoLeak(t, err, "tok-1")
	}
}

func TestErrorType(t *testing.T) {
	for kind, status := range map[error]int{
		ErrMissing: 400, ErrMalformed: 400, ErrMismatch: 403, ErrExpired: 403,
		ErrForbiddenAddress: 403, ErrUnauthorized: 401, ErrNoSecret: 500, ErrConfig: 500,
	} {
		e := &Error{Check: "c", Kind: kind}
		if e.Status() != status {
			t.Errorf("%v: status %d, want %d", kind, e.Status(), status)
		}
		if !errors.Is(e, kind) || e.Unwrap() != kind {
			t.Errorf("%v: Is/Unwrap broken", kind)
		}
	}
	if s := (&Error{Kind: ErrMissing, Challenge: "Basic"}).Status(); s != 401 {
		t.Errorf("challenge status %d", s)
	}
	if s := (&Error{Check: "c", Header: "H", Kind: ErrMissing}).Error(); s != "c: H: verify: missing" {
		t.Errorf("Error() = %q", s)
	}
	if s := (&Error{}).Error(); s != "verification failed" {
		t.Errorf("zero Error() = %q", s)
	}
}

func TestAllAny(t *testing.T) {
	pass := VerifierFunc(func(*http.Request, []byte) error { return nil })
	missing := VerifierFunc(func(*http.Request, []byte) error { return newErr("a", "", ErrMissing, "missing") })
	wrong := VerifierFunc(func(*http.Request, []byte) error { return newErr("b", "", ErrMismatch, "wrong") })
	r := req()
	wantErr(t, "all pass", All(pass, pass).Verify(r, nil), nil)
	wantErr(t, "all first failure", All(pass, missing, wrong).Verify(r, nil), ErrMissing)
	wantErr(t, "any pass", Any(missing, pass).Verify(r, nil), nil)
	wantErr(t, "any attempted", Any(missing, wrong).Verify(r, nil), ErrMismatch)
	wantErr(t, "any all missing", Any(missing, missing).Verify(r, nil), ErrMissing)
	for name, v := range map[string]Verifier{
		"all empty": All(), "any empty": Any(), "all nil": All(pass, nil), "any nil": Any(nil),
		"all nil func": All(VerifierFunc(nil)), "any nil func": Any(pass, VerifierFunc(nil)),
	} {
		wantErr(t, name, v.Verify(r, nil), ErrConfig)
	}
	// Changing the caller's slice later does not change the combination.
	vs := []Verifier{wrong}
	all := All(vs...)
	vs[0] = pass
	wantErr(t, "copied", all.Verify(r, nil), ErrMismatch)
}

// Verifiers are safe for concurrent use (run with -race).
func TestConcurrentUse(t *testing.T) {
	body := []byte(`{"concurrent":true}`)
	var wg sync.WaitGroup
	for _, tc := range rtCases() {
		v, err := tc.verifier(tc.secret(0), tc.secret(1))
		if err != nil {
			t.Fatal(err)
		}
		s := signerFor(t, tc, 1)
		for range 4 {
			wg.Go(func() {
				for range 20 {
					h, err := s.Sign(body, testNow)
					if err != nil {
						t.Error(err)
						return
					}
					r := httptest.NewRequest(http.MethodPost, "/hook", nil)
					r.Header = h
					if err := v.Verify(r, body); err != nil {
						t.Errorf("%s: %v", tc.scheme, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

func TestHMACTemplateHeaders(t *testing.T) {
	for name, o := range map[string]HMACOpts{
		"signs signature header": {Header: "X-Sig", Template: "{header:x-sig}{body}"},
		"blank prefix":           {Header: "X-Sig", Prefix: " v1="},
		"control prefix":         {Header: "X-Sig", Prefix: "v1\n"},
	} {
		if _, err := HMAC(o, "k"); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The timestamp header may itself appear in the template.
	o := HMACOpts{Header: "X-Sig", TimestampHeader: "X-Ts", Template: "{header:X-Ts}/{timestamp}/{body}", Now: fixedClock}
	h, err := SignHMAC(o, "k", []byte("b"), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := hmacHex("k", "1700000000/1700000000/b"); h.Get("X-Sig") != want {
		t.Errorf("signature %q, want %q", h.Get("X-Sig"), want)
	}
	v := mustV(t)(HMAC(o, "k"))
	wantErr(t, "timestamp header in template", v.Verify(req("X-Sig", h.Get("X-Sig"), "X-Ts", h.Get("X-Ts")), []byte("b")), nil)
}
