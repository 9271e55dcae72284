package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// echoServer answers each line with the same line, until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

type echoConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialEcho(t *testing.T, addr string) *echoConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &echoConn{c, bufio.NewReader(c)}
}

// roundTrip sends a line and waits up to d for it to come back.
func (e *echoConn) roundTrip(line string, d time.Duration) error {
	e.c.SetDeadline(time.Now().Add(d))
	if _, err := io.WriteString(e.c, line+"\n"); err != nil {
		return err
	}
	got, err := e.r.ReadString('\n')
	if err != nil {
		return err
	}
	if got != line+"\n" {
		return errors.New("echoed " + got)
	}
	return nil
}

// proxiedEcho starts a proxy in front of an echo server and opens a
// connection through it that has carried a line.
func proxiedEcho(t *testing.T) (*proxy, *echoConn) {
	t.Helper()
	p, err := newProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	open := dialEcho(t, p.Addr())
	if err := open.roundTrip("before", time.Second); err != nil {
		t.Fatalf("before the outage: %v", err)
	}
	return p, open
}

func TestProxyHang(t *testing.T) {
	t.Parallel()
	p, open := proxiedEcho(t)
	p.Down("hang")
	if err := open.roundTrip("during", 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("open connection during a hang: %v, want a timeout", err)
	}
	fresh := dialEcho(t, p.Addr()) // accepted, then black-holed
	if err := fresh.roundTrip("new", 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("new connection during a hang: %v, want a timeout", err)
	}
	p.Up()
	open.c.SetDeadline(time.Now().Add(time.Second))
	if got, err := open.r.ReadString('\n'); err != nil || got != "during\n" {
		t.Fatalf("after the outage the held line came back as %q, %v", got, err)
	}
	fresh.c.SetDeadline(time.Now().Add(time.Second))
	if got, err := fresh.r.ReadString('\n'); err != nil || got != "new\n" {
		t.Fatalf("after the outage the new connection's line came back as %q, %v", got, err)
	}
	if err := open.roundTrip("after", time.Second); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

func TestProxyClose(t *testing.T) {
	t.Parallel()
	p, open := proxiedEcho(t)
	p.Down("close")
	if err := open.roundTrip("during", time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("open connection during a close outage: %v, want it closed", err)
	}
	if err := dialEcho(t, p.Addr()).roundTrip("new", time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("new connection during a close outage: %v, want it closed", err)
	}
	p.Up()
	if err := dialEcho(t, p.Addr()).roundTrip("after", time.Second); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
