package main

import (
	"fmt"
	"time"
)

// sinceUntil turns the value of --since or --until into the RFC 3339 time
// the admin API takes: an RFC 3339 time as it is, or a duration such as
// 1h, 30m or 2h45m meaning that long before now.
func sinceUntil(flag, v string, now time.Time) (string, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Format(time.RFC3339Nano), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return "", fmt.Errorf("--%s %q: want a duration such as 1h, 30m or 2h45m (that long ago), or an RFC 3339 time such as 2026-01-02T15:04:05Z", flag, v)
	}
	return now.Add(-d).UTC().Format(time.RFC3339), nil
}
