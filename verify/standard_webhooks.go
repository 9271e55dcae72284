package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers (https://www.standardwebhooks.com), and the
// equivalent names Svix sends.
const (
	HeaderWebhookID        = "Webhook-Id"
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	HeaderWebhookSignature = "Webhook-Signature"
	HeaderSvixID           = "Svix-Id"
	HeaderSvixTimestamp    = "Svix-Timestamp"
	HeaderSvixSignature    = "Svix-Signature"
)

// Standard Webhooks secret prefixes.
const (
	PrefixSymmetricSecret = "whsec_" // base64 HMAC-SHA256 key
	PrefixPublicKey       = "whpk_"  // base64 Ed25519 public key (32 bytes)
	PrefixPrivateKey      = "whsk_"  // base64 Ed25519 private key (64 bytes) or seed (32 bytes)
)

const checkStandardWebhooks = "standard-webhooks-signature"

// maxSignatureEntries bounds the signature lists accepted in one header, so a
// request cannot make the verifier do unbounded work.
const maxSignatureEntries = 32

// StandardWebhooksOpts tunes the Standard Webhooks verifier.
type StandardWebhooksOpts struct {
	// Tolerance is the accepted distance between webhook-timestamp and now,
	// in either direction. Zero means DefaultTolerance (5 minutes).
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// StandardWebhooks verifies Standard Webhooks (and Svix) deliveries: headers
// webhook-id, webhook-timestamp and webhook-signature (or svix-*), signed
// content "<id>.<timestamp>.<body>". The signature header is a
// space-separated list of "v1,<base64 HMAC-SHA256>" and "v1a,<base64
// Ed25519>" entries; any valid entry passes.
//
// Each secret is either "whsec_<base64 key>" (or the bare base64 key) for v1,
// or "whpk_<base64 public key>" (or "whsk_<base64 private key>") for v1a. A
// secret that is not valid base64 is a construction error wrapping
// ErrNoSecret.
func StandardWebhooks(opts StandardWebhooksOpts, secrets ...string) (Verifier, error) {
	tol, err := tolerance(checkStandardWebhooks, opts.Tolerance)
	if err != nil {
		return nil, err
	}
	if len(secrets) == 0 {
		return nil, noSecret(checkStandardWebhooks, "no secret configured")
	}
	v := &standardWebhooks{tol: tol, now: clockOrNow(opts.Now)}
	for i, s := range secrets {
		k, err := parseStandardSecret(s)
		if err != nil {
			return nil, noSecret(checkStandardWebhooks, "secret #"+strconv.Itoa(i+1)+": "+err.Error())
		}
		if k.hmac != nil {
			v.hmacKeys = append(v.hmacKeys, k.hmac)
		} else {
			v.pubKeys = append(v.pubKeys, k.pub)
		}
	}
	return v, nil
}

type standardWebhooks struct {
	hmacKeys [][]byte
	pubKeys  []ed25519.PublicKey
	tol      time.Duration
	now      func() time.Time
}

func (v *standardWebhooks) String() string {
	var algs []string
	if len(v.hmacKeys) > 0 {
		algs = append(algs, "HMAC-SHA256")
	}
	if len(v.pubKeys) > 0 {
		algs = append(algs, "Ed25519")
	}
	return "Standard Webhooks signature (" + HeaderWebhookSignature + " or " + HeaderSvixSignature + ", " +
		strings.Join(algs, " or ") + ", timestamp within " + v.tol.String() + ")"
}

func (v *standardWebhooks) CredentialNames() (headers, params []string) {
	return []string{HeaderWebhookSignature, HeaderSvixSignature}, nil
}

func (v *standardWebhooks) Verify(r *http.Request, body []byte) error {
	const check = checkStandardWebhooks
	_, id, err := headerValue(r, check, HeaderWebhookID, HeaderSvixID)
	if err != nil {
		return err
	}
	tsName, tsValue, err := headerValue(r, check, HeaderWebhookTimestamp, HeaderSvixTimestamp)
	if err != nil {
		return err
	}
	sigName, sigValue, err := headerValue(r, check, HeaderWebhookSignature, HeaderSvixSignature)
	if err != nil {
		return err
	}
	ts, err := parseTimestamp(check, tsName, tsValue)
	if err != nil {
		return err
	}
	if err := checkWindow(check, tsName, ts, v.tol, v.now()); err != nil {
		return err
	}
	sigs, err := parseStandardSignatures(sigValue)
	if err != nil {
		return newErr(check, sigName, ErrMalformed, sigName+" header "+err.Error())
	}
	var v1, v1a [][]byte
	for _, s := range sigs {
		switch {
		case s.version == "v1" && len(s.sig) == sha256.Size:
			v1 = append(v1, s.sig)
		case s.version == "v1a" && len(s.sig) == ed25519.SignatureSize:
			v1a = append(v1a, s.sig)
		}
	}
	prefix := []byte(id + "." + tsValue + ".")
	if len(v1) > 0 && macMatch(sha256.New, v.hmacKeys, v1, prefix, body) {
		return nil
	}
	if len(v1a) > 0 && len(v.pubKeys) > 0 {
		msg := make([]byte, 0, len(prefix)+len(body))
		msg = append(append(msg, prefix...), body...)
		for _, pk := range v.pubKeys {
			for _, s := range v1a {
				if ed25519.Verify(pk, msg, s) {
					return nil
				}
			}
		}
	}
	return mismatch(check, sigName)
}

// standardSignature is one "<version>,<base64>" entry of a signature header.
type standardSignature struct {
	version string
	sig     []byte // nil if the base64 part did not decode
}

// parseStandardSignatures splits a webhook-signature header into entries.
// Entries whose signature is not valid base64 are kept with a nil sig (and so
// never match); the header is malformed only if it has no well-formed entry
// or too many entries.
func parseStandardSignatures(value string) ([]standardSignature, error) {
	fields := strings.Fields(value)
	if len(fields) > maxSignatureEntries {
		return nil, errString("has too many signatures")
	}
	var out []standardSignature
	wellFormed := false
	for _, f := range fields {
		version, enc, ok := strings.Cut(f, ",")
		if !ok || version == "" {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(sig) == 0 {
			sig = nil
		} else {
			wellFormed = true
		}
		out = append(out, standardSignature{version: version, sig: sig})
	}
	if !wellFormed {
		return nil, errString(`must be a list of "<version>,<base64>" entries`)
	}
	return out, nil
}

// standardKey is a parsed Standard Webhooks secret.
type standardKey struct {
	hmac []byte             // v1 key, or nil
	pub  ed25519.PublicKey  // v1a verification key, or nil
	priv ed25519.PrivateKey // v1a signing key, if a whsk_ secret was given
}

func parseStandardSecret(s string) (standardKey, error) {
	if s == "" {
		return standardKey{}, errString("is empty")
	}
	if enc, ok := strings.CutPrefix(s, PrefixPublicKey); ok {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return standardKey{}, errString("whpk_ key must be a base64 32-byte Ed25519 public key")
		}
		return standardKey{pub: ed25519.PublicKey(b)}, nil
	}
	if enc, ok := strings.CutPrefix(s, PrefixPrivateKey); ok {
		b, err := base64.StdEncoding.DecodeString(enc)
		var priv ed25519.PrivateKey
		switch {
		case err != nil:
		case len(b) == ed25519.PrivateKeySize:
			priv = ed25519.PrivateKey(b)
		case len(b) == ed25519.SeedSize:
			priv = ed25519.NewKeyFromSeed(b)
		}
		if priv == nil {
			return standardKey{}, errString("whsk_ key must be a base64 Ed25519 private key or seed")
		}
		return standardKey{pub: priv.Public().(ed25519.PublicKey), priv: priv}, nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, PrefixSymmetricSecret))
	if err != nil {
		return standardKey{}, errString("is not valid base64")
	}
	if len(b) == 0 {
		return standardKey{}, errString("is empty")
	}
	return standardKey{hmac: b}, nil
}

// errString is a constant-text error.
type errString string

func (e errString) Error() string { return string(e) }
