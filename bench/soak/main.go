// Command soak runs Hookpoint for a while under steady load and checks
// that nothing leaks or gets lost. It starts `hookpoint serve` on loopback
// against PostgreSQL reached through a TCP proxy of its own (proxy.go),
// sends signed GitHub push deliveries at a steady rate (load.go), kills
// the server with SIGKILL and restarts it, cuts the database off for a
// while (the plan, plan.go), and at the end checks and prints what it
// measured (check.go): no acknowledged delivery lost, none handled twice,
// what was refused or timed out, flat RSS, goroutines back to idle, and
// a database bounded by retention. It exits 1 when a check fails.
//
// bench/soak.sh builds it and documents its flags. It reads /proc, so it
// runs on Linux; every address it uses is loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	opts, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	passed, err := run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !passed {
		os.Exit(1)
	}
}
