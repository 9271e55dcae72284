package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookpoint/hookpoint/internal/app"
	"github.com/hookpoint/hookpoint/internal/logbatch"
)

// serve runs the server until SIGINT or SIGTERM.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	// Log lines are written in batches: a busy server logs a few lines per
	// request. Close writes the last ones before serve returns.
	logOut := logbatch.New(stderr)
	defer logOut.Close()
	logger := app.NewLogger(cfg.Log, logOut)
	app.TuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		a.Close()
		return fmt.Errorf("listening: %w", err)
	}
	return a.Serve(ctx, ln)
}
