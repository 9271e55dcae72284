package main

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sample is one reading of the server process: RSS from /proc, and
// goroutines from /metrics (-1 when /metrics did not answer in time).
type sample struct {
	at         time.Time
	pid        int
	rss        int64
	goroutines int
}

// sampler reads the server's RSS and goroutines and the database's table
// sizes every interval.
type sampler struct {
	srv    *server
	db     *pgxpool.Pool
	schema string

	mu     sync.Mutex
	procs  []sample
	tables []tableSizes
}

func (s *sampler) run(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); every(ctx, interval, s.sampleProcess) }()
	go func() { defer wg.Done(); every(ctx, interval, s.sampleTables) }()
	wg.Wait()
}

func (s *sampler) sampleProcess(ctx context.Context, interval time.Duration) {
	pid := s.srv.pid()
	rss, err := rssBytes(pid)
	if err != nil {
		return // between a kill and the restart
	}
	n, err := s.srv.goroutines(ctx, interval)
	if err != nil {
		n = -1 // /metrics reads the queue depth from the database
	}
	if !s.srv.current(pid) {
		return // killed meanwhile: the reading may be of a dying process
	}
	s.mu.Lock()
	s.procs = append(s.procs, sample{at: time.Now(), pid: pid, rss: rss, goroutines: n})
	s.mu.Unlock()
}

func (s *sampler) sampleTables(ctx context.Context, _ time.Duration) {
	t, err := readSizes(ctx, s.db, s.schema)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.tables = append(s.tables, t)
	s.mu.Unlock()
}

// every calls f now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func(context.Context, time.Duration)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		f(ctx, interval)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Samples returns the process and table samples so far.
func (s *sampler) Samples() ([]sample, []tableSizes) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sample(nil), s.procs...), append([]tableSizes(nil), s.tables...)
}
