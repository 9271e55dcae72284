// Package ratelimit holds token-bucket rate limiters for webhook endpoints:
// one bucket for the endpoint and one per client address.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Config sets an endpoint's limits. A zero rate turns that limit off.
type Config struct {
	// Rate is the endpoint's sustained requests per second.
	Rate float64 `yaml:"rate"`
	// Burst is how many requests the endpoint takes at once. Defaults to
	// max(1, Rate).
	Burst int `yaml:"burst"`
	// PerClientRate is each client address's sustained requests per
	// second.
	PerClientRate float64 `yaml:"per_client_rate"`
	// PerClientBurst defaults to max(1, PerClientRate).
	PerClientBurst int `yaml:"per_client_burst"`
}

// Enabled reports whether any limit is set.
func (c Config) Enabled() bool { return c.Rate > 0 || c.PerClientRate > 0 }

// maxClients bounds the per-client buckets kept; full (idle) buckets are
// dropped first when it is reached.
const maxClients = 10000

// Limiter limits one endpoint.
type Limiter struct {
	now func() time.Time

	// mu makes taking a token from a client's bucket and the endpoint's
	// one step, so that a request refused by one spends nothing of the
	// other.
	mu       sync.Mutex
	endpoint *rate.Limiter
	clients  map[string]*rate.Limiter
	perRate  rate.Limit
	perBurst int
}

// New returns a limiter for c, or nil when c sets no limit.
func New(c Config) *Limiter {
	if !c.Enabled() {
		return nil
	}
	l := &Limiter{now: time.Now, clients: map[string]*rate.Limiter{}}
	if c.Rate > 0 {
		l.endpoint = rate.NewLimiter(rate.Limit(c.Rate), burstOf(c.Burst, c.Rate))
	}
	if c.PerClientRate > 0 {
		l.perRate, l.perBurst = rate.Limit(c.PerClientRate), burstOf(c.PerClientBurst, c.PerClientRate)
	}
	return l
}

func burstOf(b int, r float64) int {
	if b > 0 {
		return b
	}
	return int(math.Max(1, r))
}

// Allow takes a token for a request from client. When it refuses, it says
// how long until a request would be allowed.
func (l *Limiter) Allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var cb *rate.Limiter
	if l.perRate > 0 {
		cb = l.clients[client]
		if cb == nil {
			if len(l.clients) >= maxClients {
				l.evict(now)
			}
			cb = rate.NewLimiter(l.perRate, l.perBurst)
			l.clients[client] = cb
		}
		if t := cb.TokensAt(now); t < 1 {
			return false, wait(cb, t)
		}
	}
	if l.endpoint != nil && !l.endpoint.AllowN(now, 1) {
		return false, wait(l.endpoint, l.endpoint.TokensAt(now))
	}
	if cb != nil {
		cb.AllowN(now, 1) // it has a token: checked above, under mu
	}
	return true, 0
}

// evict drops the buckets that have refilled completely; if none has, it
// drops them all rather than grow without bound.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.clients {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxClients {
		clear(l.clients)
	}
}

// wait is the time until b, holding tokens, has one.
func wait(b *rate.Limiter, tokens float64) time.Duration {
	return time.Duration((1 - tokens) / float64(b.Limit()) * float64(time.Second))
}
