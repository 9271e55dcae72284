package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server runs `hookpoint serve` as a child process: started, killed with
// SIGKILL and restarted on the same config and database, stopped at the
// end. Each start logs to serve-N.log in the output directory.
type server struct {
	bin, config, out string
	addr             string   // host:port it listens on
	env              []string // adds the webhook secret
	scrape           *http.Client

	mu         sync.Mutex
	cmd        *exec.Cmd
	starts     int
	exited     chan struct{} // closed when the current process exits
	unexpected []string      // exits nobody asked for
	expected   bool          // the current process is being killed or stopped
}

func newServer(bin, config, out, addr, secret string) *server {
	return &server{
		bin: bin, config: config, out: out, addr: addr,
		env:    append(os.Environ(), "GITHUB_WEBHOOK_SECRET="+secret),
		scrape: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
	}
}

// start starts a new process and waits until it answers /metrics.
func (s *server) start(ctx context.Context) error {
	s.mu.Lock()
	s.starts++
	n := s.starts
	s.mu.Unlock()
	logf, err := os.Create(filepath.Join(s.out, fmt.Sprintf("serve-%d.log", n)))
	if err != nil {
		return fmt.Errorf("creating server log: %w", err)
	}
	cmd := exec.Command(s.bin, "serve", "--config", s.config)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.exited, s.expected = cmd, exited, false
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logf.Close()
		s.mu.Lock()
		if !s.expected {
			s.unexpected = append(s.unexpected, fmt.Sprintf("pid %d (start %d): %v", cmd.Process.Pid, n, err))
		}
		s.mu.Unlock()
		close(exited)
	}()
	return s.waitReady(ctx, exited)
}

// waitReady polls /metrics until it answers 200.
func (s *server) waitReady(ctx context.Context, exited chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := s.scrape.Get("http://" + s.addr + "/metrics")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("hookpoint exited while starting; see serve-%d.log", s.starts)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("hookpoint did not answer /metrics within 60s")
}

// pid is the current process's id.
func (s *server) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

// current reports whether pid is the running process, with no kill or
// stop under way.
func (s *server) current(pid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid == pid && !s.expected
}

// kill sends SIGKILL and waits until the process is gone.
func (s *server) kill() {
	s.signal(syscall.SIGKILL, 0)
}

// stop asks the process to shut down (SIGTERM) and kills it after
// timeout.
func (s *server) stop(timeout time.Duration) {
	s.signal(syscall.SIGTERM, timeout)
}

func (s *server) signal(sig syscall.Signal, timeout time.Duration) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	if cmd == nil {
		s.mu.Unlock()
		return
	}
	s.expected = true
	s.mu.Unlock()
	cmd.Process.Signal(sig)
	if sig != syscall.SIGKILL {
		select {
		case <-exited:
			return
		case <-time.After(timeout):
			cmd.Process.Kill()
		}
	}
	<-exited
}

// Unexpected lists the exits that no kill or stop asked for.
func (s *server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// goroutines reads go_goroutines from /metrics.
func (s *server) goroutines(ctx context.Context, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := s.scrape.Do(req)
	if err != nil {
		return 0, fmt.Errorf("scraping /metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no go_goroutines in /metrics (status %s)", resp.Status)
}
