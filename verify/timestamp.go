package verify

import (
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is the default window for signed timestamps, applied both
// to the past and to the future.
const DefaultTolerance = 5 * time.Minute

// TimestampOpts tunes verifiers whose signatures cover a timestamp.
type TimestampOpts struct {
	// Tolerance is the accepted distance between the signed timestamp and
	// now, in either direction. Zero means DefaultTolerance (5 minutes).
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// tolerance validates a configured tolerance; zero means DefaultTolerance.
func tolerance(check string, d time.Duration) (time.Duration, error) {
	switch {
	case d < 0:
		return 0, configErr(check, "negative tolerance")
	case d == 0:
		return DefaultTolerance, nil
	}
	return d, nil
}

// clockOrNow returns now, or time.Now when now is nil.
func clockOrNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// parseTimestamp parses a decimal unix timestamp (seconds).
func parseTimestamp(check, header, value string) (int64, error) {
	if value == "" || len(value) > 19 || strings.TrimLeft(value, "0123456789") != "" {
		return 0, newErr(check, header, ErrMalformed, header+" must be a unix timestamp in seconds")
	}
	ts, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, newErr(check, header, ErrMalformed, header+" must be a unix timestamp in seconds")
	}
	return ts, nil
}

// checkWindow reports ErrExpired if ts is more than tol away from now, in
// either direction.
func checkWindow(check, header string, ts int64, tol time.Duration, now time.Time) error {
	n := now.Unix()
	t := int64(tol / time.Second)
	switch {
	case ts < n-t:
		return newErr(check, header, ErrExpired, "timestamp is older than the allowed tolerance of "+tol.String())
	case ts > n+t:
		return newErr(check, header, ErrExpired, "timestamp is further in the future than the allowed tolerance of "+tol.String())
	}
	return nil
}
