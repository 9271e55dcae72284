package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
)

// proxy forwards TCP connections from a loopback port to the database and
// can cut the database off, to cause an outage:
//   - hang: bytes stop moving on open connections (nothing is closed, so
//     a client waits as on a network partition) and new connections are
//     accepted but go nowhere; when the outage ends, everything resumes.
//   - close: every open connection is closed, and new ones are closed as
//     soon as they are accepted, until the outage ends.
type proxy struct {
	ln     net.Listener
	target string
	closed chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	open  chan struct{} // closed while bytes may move
	down  bool          // in an outage of mode close
	conns map[net.Conn]struct{}
}

func newProxy(target string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the database proxy: %w", err)
	}
	open := make(chan struct{})
	close(open)
	p := &proxy{ln: ln, target: target, closed: make(chan struct{}), open: open, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the proxy's address, host:port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Down starts an outage of the given mode, hang or close.
func (p *proxy) Down(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch mode {
	case "hang":
		p.open = make(chan struct{})
	case "close":
		p.down = true
		for c := range p.conns {
			c.Close()
		}
	}
}

// Up ends the outage.
func (p *proxy) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
	default:
		close(p.open)
	}
	p.down = false
}

// Close stops the proxy and closes every connection.
func (p *proxy) Close() {
	close(p.closed)
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		p.wg.Add(1)
		go p.handle(c)
	}
}

// handle forwards one connection; during a hang it waits, accepted, until
// the outage ends.
func (p *proxy) handle(c net.Conn) {
	defer p.wg.Done()
	if !p.track(c) {
		return
	}
	if !p.wait() {
		p.untrack(c)
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(up) {
		p.untrack(c)
		if up != nil {
			up.Close()
		}
		return
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.pump(up, c) }()
	p.pump(c, up)
}

// pump copies src to dst until either ends, holding the bytes during a
// hang, then closes both.
func (p *proxy) pump(dst, src net.Conn) {
	defer p.untrack(dst)
	defer p.untrack(src)
	buf := make([]byte, 32<<10)
	for p.wait() {
		n, err := src.Read(buf)
		if n > 0 && (!p.wait() || write(dst, buf[:n]) != nil) {
			return
		}
		if err != nil {
			return
		}
	}
}

func write(c net.Conn, b []byte) error {
	_, err := c.Write(b)
	return err
}

// wait blocks while bytes may not move; it reports false once the proxy
// is closed.
func (p *proxy) wait() bool {
	p.mu.Lock()
	open := p.open
	p.mu.Unlock()
	select {
	case <-open:
		return true
	case <-p.closed:
		return false
	}
}

// track registers c, or closes it during an outage of mode close or after
// Close, reporting whether it may be used.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.closed:
		c.Close()
		return false
	default:
	}
	if p.down {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
