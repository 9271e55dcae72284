package ratelimit

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// allower is what the server asks of a limiter.
type allower interface {
	Allow(client string) (bool, time.Duration)
}

// BenchmarkAllow measures what a request pays for its endpoint's limiter,
// used as the server uses it: an endpoint bucket and a bucket per client,
// many clients (more than maxClients in the second case, so buckets are
// evicted and made again), concurrent callers. Run it with -cpu 1,2;
// "hand" is the hand-written bucket that x/time/rate replaced.
func BenchmarkAllow(b *testing.B) {
	cfg := Config{Rate: 1e7, Burst: 1e6, PerClientRate: 1e5, PerClientBurst: 1000}
	impls := []struct {
		name string
		new  func(Config) allower
	}{
		{"hand", func(c Config) allower { return newHandLimiter(c) }},
		{"xrate", func(c Config) allower { return New(c) }},
	}
	for _, clients := range []int{100, 5 * maxClients} {
		addrs := make([]string, clients)
		for i := range addrs {
			addrs[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String()
		}
		for _, impl := range impls {
			b.Run(fmt.Sprintf("clients=%d/%s", clients, impl.name), func(b *testing.B) {
				l := impl.new(cfg)
				var start atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					i := int(start.Add(7919))
					for pb.Next() {
						l.Allow(addrs[i%len(addrs)])
						i++
					}
				})
			})
		}
	}
}

// handLimiter is the hand-written token handBucket this package used before
// x/time/rate, kept as the benchmark's baseline.
type handLimiter struct {
	now func() time.Time

	mu       sync.Mutex
	endpoint *handBucket
	clients  map[string]*handBucket
	perRate  float64
	perBurst float64
}

// newHandLimiter is New for handLimiter.
func newHandLimiter(c Config) *handLimiter {
	if !c.Enabled() {
		return nil
	}
	l := &handLimiter{now: time.Now, clients: map[string]*handBucket{}}
	if c.Rate > 0 {
		l.endpoint = newHandBucket(c.Rate, handBurstOf(c.Burst, c.Rate), l.now())
	}
	if c.PerClientRate > 0 {
		l.perRate, l.perBurst = c.PerClientRate, handBurstOf(c.PerClientBurst, c.PerClientRate)
	}
	return l
}

func handBurstOf(b int, rate float64) float64 {
	if b > 0 {
		return float64(b)
	}
	return math.Max(1, rate)
}

// Allow takes a token for a request from client. When it refuses, it says
// how long until a request would be allowed.
func (l *handLimiter) Allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var cb *handBucket
	if l.perRate > 0 {
		cb = l.clients[client]
		if cb == nil {
			if len(l.clients) >= maxClients {
				l.evict(now)
			}
			cb = newHandBucket(l.perRate, l.perBurst, now)
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
func (l *handLimiter) evict(now time.Time) {
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

type handBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newHandBucket(rate, burst float64, now time.Time) *handBucket {
	return &handBucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *handBucket) refill(now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(b.burst, b.tokens+el*b.rate)
	}
	b.last = now
}

// wait is the time until one token is available.
func (b *handBucket) wait() time.Duration {
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
