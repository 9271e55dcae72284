package ratelimit

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTest(c Config) (*Limiter, *clock) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(c)
	l.now = clk.now
	return l, clk
}

func TestOffWhenUnconfigured(t *testing.T) {
	if New(Config{}) != nil {
		t.Fatal("a zero config made a limiter")
	}
}

func TestEndpointBucket(t *testing.T) {
	l, clk := newTest(Config{Rate: 2, Burst: 3})
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	ok, wait := l.Allow("b")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%v, want refused for 500ms", ok, wait)
	}
	clk.advance(500 * time.Millisecond)
	if ok, _ := l.Allow("c"); !ok {
		t.Fatal("refused after the refill")
	}
	clk.advance(time.Hour)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("burst did not refill completely (request %d)", i)
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("tokens grew past the burst")
	}
}

func TestPerClientBucket(t *testing.T) {
	l, clk := newTest(Config{PerClientRate: 1, PerClientBurst: 2})
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatal("burst refused")
		}
	}
	if ok, wait := l.Allow("10.0.0.1"); ok || wait != time.Second {
		t.Fatalf("3rd request from one client: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Fatal("another client was limited by the first one's bucket")
	}
	clk.advance(time.Second)
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Fatal("client not refilled")
	}
}

func TestClientRefusedDoesNotSpendEndpointToken(t *testing.T) {
	l, _ := newTest(Config{Rate: 1, Burst: 2, PerClientRate: 1, PerClientBurst: 1})
	l.Allow("noisy")
	for i := 0; i < 5; i++ {
		l.Allow("noisy") // refused by its own bucket
	}
	if ok, _ := l.Allow("quiet"); !ok {
		t.Fatal("a refused client drained the endpoint bucket")
	}
}

func TestEndpointRefusedDoesNotSpendClientToken(t *testing.T) {
	l, clk := newTest(Config{Rate: 1, Burst: 1, PerClientRate: 1, PerClientBurst: 1})
	l.Allow("first") // the endpoint's only token
	if ok, wait := l.Allow("second"); ok || wait != time.Second {
		t.Fatalf("endpoint drained: ok=%v wait=%v", ok, wait)
	}
	clk.advance(time.Second)
	if ok, _ := l.Allow("second"); !ok {
		t.Fatal("the endpoint's refusal spent the client's token")
	}
}

func TestClientMapBounded(t *testing.T) {
	l, clk := newTest(Config{PerClientRate: 1})
	for i := 0; i < maxClients+10; i++ {
		l.Allow(time.Duration(i).String())
		clk.advance(time.Millisecond)
	}
	if len(l.clients) > maxClients {
		t.Fatalf("%d client buckets kept", len(l.clients))
	}
}
