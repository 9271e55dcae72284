package verify

import (
	"crypto/sha256"
	"net/http"
	"time"
)

// Slack request signing headers.
const (
	HeaderSlackSignature = "X-Slack-Signature"
	HeaderSlackTimestamp = "X-Slack-Request-Timestamp"
)

const checkSlack = "slack-signature"

// Slack verifies "X-Slack-Signature: v0=<hex>", the HMAC-SHA256 of
// "v0:<X-Slack-Request-Timestamp>:<body>" keyed with the signing secret. The
// timestamp must be within opts.Tolerance (default 5 minutes) of now.
func Slack(opts TimestampOpts, secrets ...string) (Verifier, error) {
	tol, err := tolerance(checkSlack, opts.Tolerance)
	if err != nil {
		return nil, err
	}
	keys, err := secretKeys(checkSlack, secrets)
	if err != nil {
		return nil, err
	}
	return &slack{keys: keys, tol: tol, now: clockOrNow(opts.Now)}, nil
}

type slack struct {
	keys [][]byte
	tol  time.Duration
	now  func() time.Time
}

func (s *slack) String() string {
	return "Slack signature (" + HeaderSlackSignature + ", HMAC-SHA256, timestamp within " + s.tol.String() + ")"
}

func (s *slack) CredentialNames() (headers, params []string) {
	return []string{HeaderSlackSignature}, nil
}

func (s *slack) Verify(r *http.Request, body []byte) error {
	tsName, tsValue, err := headerValue(r, checkSlack, HeaderSlackTimestamp)
	if err != nil {
		return err
	}
	name, value, err := headerValue(r, checkSlack, HeaderSlackSignature)
	if err != nil {
		return err
	}
	ts, err := parseTimestamp(checkSlack, tsName, tsValue)
	if err != nil {
		return err
	}
	sig, err := prefixedHex(checkSlack, name, value, "v0=", sha256.Size)
	if err != nil {
		return err
	}
	if err := checkWindow(checkSlack, tsName, ts, s.tol, s.now()); err != nil {
		return err
	}
	if !macMatch(sha256.New, s.keys, [][]byte{sig}, []byte("v0:"+tsValue+":"), body) {
		return mismatch(checkSlack, name)
	}
	return nil
}
