// Command profserve is a benchmark-only copy of "hookpoint serve" (not
// shipped): the same app, config and plugins, plus
//
//	-cpuprofile FILE   write a CPU profile from start to SIGTERM/SIGINT
//	-memprofile FILE   write a heap profile (allocations since start) at shutdown
//	-no-workers        serve the request path only: verify, store, 202,
//	                   with no queue runners (isolates ingest cost)
//
// Usage: profserve -config hookpoint.yaml [-database URL] [-cpuprofile F] [-memprofile F] [-trace F] [-no-workers]
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/hookpoint/hookpoint/internal/app"
	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/chat/inbox"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/ingest"
	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/server"
	_ "github.com/hookpoint/hookpoint/plugins/all"
)

func main() {
	cfgPath := flag.String("config", "", "config file")
	database := flag.String("database", "", "database URL (overrides the config)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here until shutdown")
	memprofile := flag.String("memprofile", "", "write a heap profile here at shutdown (go tool pprof -sample_index=alloc_space)")
	noWorkers := flag.Bool("no-workers", false, "request path only: no queue runners")
	traceFile := flag.String("trace", "", "write an execution trace here until shutdown (go tool trace -pprof=sched|net FILE)")
	flag.Parse()
	cfg, err := config.Load(*cfgPath, config.Overrides{Database: *database})
	if err != nil {
		log.Fatal(err)
	}
	logger := app.NewLogger(cfg.Log, os.Stderr)
	app.TuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	defer record(*cpuprofile, pprof.StartCPUProfile, pprof.StopCPUProfile)()
	defer record(*traceFile, trace.Start, trace.Stop)()
	defer writeAllocs(*memprofile)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		log.Fatal(err)
	}
	if !*noWorkers {
		a, err := app.New(ctx, cfg, logger)
		if err != nil {
			log.Fatal(err)
		}
		if err := a.Serve(ctx, ln); err != nil {
			log.Print(err)
		}
		return
	}
	st, err := app.OpenStore(ctx, cfg, logger)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	router, err := chat.NewRouter(inbox.New(st))
	if err != nil {
		log.Fatal(err)
	}
	plugins, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Sender: router, Logger: logger, Tasks: st, TaskNotify: func() {}})
	if err != nil {
		log.Fatal(err)
	}
	h := server.New(server.Config{
		Plugins: plugins, Inbox: st, Logger: logger, Operator: st, Metrics: metrics.NewRegistry(),
		Ingest: ingest.New(ingest.Config{Store: st, Owner: "bench", Lease: cfg.Queue.Lease}),
	})
	srv := &http.Server{Handler: h, MaxHeaderBytes: 64 << 10}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Print(err)
	}
}

// record starts writing a profile or trace to path, if path is set, and
// returns the function that stops and closes it.
func record(path string, start func(io.Writer) error, stop func()) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := start(f); err != nil {
		log.Fatal(err)
	}
	return func() { stop(); f.Close() }
}

// writeAllocs writes the allocations made since start to path, if set.
func writeAllocs(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
}
