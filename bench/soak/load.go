package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// result is what became of one request.
type result struct {
	id         string
	sent       time.Time
	took       time.Duration
	status     int    // 0 when no answer came
	retryAfter string // the answer's Retry-After
	err        string // why no answer came: timeout, refused, reset, eof or the error
}

// acked reports whether the server acknowledged the delivery (2xx).
func (r result) acked() bool { return r.status >= 200 && r.status < 300 }

// outcome names the result for the report: the status (with "+Retry-After"
// when the answer had one) or the error.
func (r result) outcome() string {
	if r.status == 0 {
		return r.err
	}
	s := strconv.Itoa(r.status)
	if r.retryAfter != "" {
		s += "+Retry-After"
	}
	return s
}

// load sends signed push deliveries at a fixed rate (open loop: a slow
// answer does not slow the sending) and records each result.
type load struct {
	url     string
	run     string // delivery id prefix
	payload *payload
	client  *http.Client

	mu      sync.Mutex
	results []result
}

func newLoad(url string, p *payload, timeout time.Duration) *load {
	return &load{
		url:     url,
		run:     strconv.FormatInt(time.Now().Unix(), 36),
		payload: p,
		client: &http.Client{
			Timeout:   timeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
		},
	}
}

// send sends rate deliveries per second from start for d, then waits for
// the last answers; ending ctx abandons the requests in flight.
func (l *load) send(ctx context.Context, start time.Time, d time.Duration, rate float64) {
	every := time.Duration(float64(time.Second) / rate)
	var wg sync.WaitGroup
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * every)
		if at.Sub(start) >= d {
			break
		}
		t := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			t.Stop()
			wg.Wait()
			return
		case <-t.C:
		}
		wg.Add(1)
		go func() { defer wg.Done(); l.one(ctx, fmt.Sprintf("soak-%s-%07d", l.run, i)) }()
	}
	wg.Wait()
}

// one sends one delivery; ending ctx abandons it.
func (l *load) one(ctx context.Context, id string) {
	body, sig := l.payload.body(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url, bytes.NewReader(body))
	if err != nil {
		panic(err) // the URL was checked
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/soak")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", sig)
	r := result{id: id, sent: time.Now()}
	resp, err := l.client.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.status, r.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	} else {
		r.err = errorKind(err)
	}
	r.took = time.Since(r.sent)
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
}

// errorKind classifies a failed request: timeout, refused, reset, eof (the
// connection closed before an answer), or the error's text.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "server closed idle connection"):
		return "eof"
	}
	return err.Error()
}

// Results returns the results recorded so far.
func (l *load) Results() []result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]result(nil), l.results...)
}

// closeIdle closes the client's idle connections, so that the server's
// goroutines serving them end.
func (l *load) closeIdle() { l.client.CloseIdleConnections() }
