package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HeaderStripeSignature is Stripe's signature header.
const HeaderStripeSignature = "Stripe-Signature"

const checkStripe = "stripe-signature"

// Stripe verifies "Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]", the
// HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret bytes as they
// are (including the "whsec_" prefix). Any matching v1 entry passes; other
// schemes (v0, ...) are ignored. The timestamp must be within
// opts.Tolerance (default 5 minutes) of now.
func Stripe(opts TimestampOpts, secrets ...string) (Verifier, error) {
	tol, err := tolerance(checkStripe, opts.Tolerance)
	if err != nil {
		return nil, err
	}
	keys, err := secretKeys(checkStripe, secrets)
	if err != nil {
		return nil, err
	}
	return &stripe{keys: keys, tol: tol, now: clockOrNow(opts.Now)}, nil
}

type stripe struct {
	keys [][]byte
	tol  time.Duration
	now  func() time.Time
}

func (s *stripe) String() string {
	return "Stripe signature (" + HeaderStripeSignature + ", HMAC-SHA256, timestamp within " + s.tol.String() + ")"
}

func (s *stripe) CredentialNames() (headers, params []string) {
	return []string{HeaderStripeSignature}, nil
}

func (s *stripe) Verify(r *http.Request, body []byte) error {
	name, value, err := headerValue(r, checkStripe, HeaderStripeSignature)
	if err != nil {
		return err
	}
	h, err := parseStripeSignature(value)
	if err != nil {
		return newErr(checkStripe, name, ErrMalformed, name+" header "+err.Error())
	}
	if err := checkWindow(checkStripe, name, h.timestamp, s.tol, s.now()); err != nil {
		return err
	}
	if h.v1Entries == 0 {
		return newErr(checkStripe, name, ErrMismatch, name+" header has no v1 signature")
	}
	if len(h.v1) == 0 || !macMatch(sha256.New, s.keys, h.v1, []byte(h.t+"."), body) {
		return mismatch(checkStripe, name)
	}
	return nil
}

// stripeHeader is a parsed Stripe-Signature header.
type stripeHeader struct {
	t         string   // timestamp as sent (it is signed verbatim)
	timestamp int64    // parsed t
	v1        [][]byte // decodable v1 signatures
	v1Entries int      // number of v1 entries, decodable or not
}

// parseStripeSignature parses "t=<unix>,v1=<hex>,...". Undecodable v1
// entries are skipped, unknown schemes ignored; a missing or repeated t, an
// item without "=" or too many items make the header malformed.
func parseStripeSignature(value string) (stripeHeader, error) {
	var h stripeHeader
	items := strings.Split(value, ",")
	if len(items) > maxSignatureEntries+1 {
		return h, errString("has too many items")
	}
	seenT := false
	for _, item := range items {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || k == "" {
			return h, errString(`must be a list of "<key>=<value>" items`)
		}
		switch k {
		case "t":
			if seenT {
				return h, errString("has several t= items")
			}
			seenT = true
			ts, err := parseTimestamp(checkStripe, HeaderStripeSignature, v)
			if err != nil {
				return h, errString("has an invalid t= timestamp")
			}
			h.t, h.timestamp = v, ts
		case "v1":
			h.v1Entries++
			if sig, ok := decodeHex(v, sha256.Size); ok {
				h.v1 = append(h.v1, sig)
			}
		}
	}
	if !seenT {
		return h, errString("has no t= timestamp")
	}
	return h, nil
}

// formatStripeSignature builds a Stripe-Signature value.
func formatStripeSignature(t int64, sigs ...[]byte) string {
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(t, 10))
	for _, s := range sigs {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(s))
	}
	return b.String()
}
