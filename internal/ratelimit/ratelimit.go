// Package ratelimit holds token-bucket rate limiters for webhook endpoints:
// one bucket for the endpoint and one per client address.
package ratelimit

import (
	"math"
	"sync"
	"time"
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

	mu       sync.Mutex
	endpoint *bucket
	clients  map[string]*bucket
	perRate  float64
	perBurst float64
}

// New returns a limiter for c, or nil when c sets no limit.
func New(c Config) *Limiter {
	if !c.Enabled() {
		return nil
	}
	l := &Limiter{now: time.Now, clients: map[string]*bucket{}}
	if c.Rate > 0 {
		l.endpoint = newBucket(c.Rate, burstOf(c.Burst, c.Rate), l.now())
	}
	if c.PerClientRate > 0 {
		l.perRate, l.perBurst = c.PerClientRate, burstOf(c.PerClientBurst, c.PerClientRate)
	}
	return l
}

func burstOf(b int, rate float64) float64 {
	if b > 0 {
		return float64(b)
	}
	return math.Max(1, rate)
}

// Allow takes a token for a request from client. When it refuses, it says
// how long until a request would be allowed.
func (l *Limiter) Allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var cb *bucket
	if l.perRate > 0 {
		cb = l.clients[client]
		if cb == nil {
			if len(l.clients) >= maxClients {
				l.evict(now)
			}
			cb = newBucket(l.perRate, l.perBurst, now)
			l.clients[client] = cb
		}
		cb.refill(now)
		if cb.tokens < 1 {
			return false, cb.wait()
		}
	}
	if l.endpoint != nil {
		l.endpoint.refill(now)
		if l.endpoint.tokens < 1 {
			return false, l.endpoint.wait()
		}
		l.endpoint.tokens--
	}
	if cb != nil {
		cb.tokens--
	}
	return true, 0
}

// evict drops the buckets that have refilled completely; if none has, it
// drops them all rather than grow without bound.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.clients {
		b.refill(now)
		if b.tokens >= b.burst {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxClients {
		clear(l.clients)
	}
}

type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(b.burst, b.tokens+el*b.rate)
	}
	b.last = now
}

// wait is the time until one token is available.
func (b *bucket) wait() time.Duration {
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
