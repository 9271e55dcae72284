package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/internal/chat/inbox"
	"github.com/hookpoint/hookpoint/internal/config"
	"github.com/hookpoint/hookpoint/internal/metrics"
	"github.com/hookpoint/hookpoint/internal/plugin"
	"github.com/hookpoint/hookpoint/internal/queue"
	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
	"github.com/hookpoint/hookpoint/internal/store/storetest"
	"github.com/hookpoint/hookpoint/internal/worker"
	"github.com/hookpoint/hookpoint/sdk"
)

type followUp struct{ N int }

func (followUp) Kind() string { return "follow_up" }

// enqueuer's queued handler enqueues a task and sends its id to a chat.
type enqueuer struct{ host sdk.Host }

func (p *enqueuer) PluginInfo() sdk.Info { return sdk.Info{ID: "t.enq"} }

func (p *enqueuer) Provision(h sdk.Host) error {
	p.host = h
	if err := h.Worker(sdk.Worker{Kind: "follow_up", Handler: func(context.Context, *sdk.Task) error { return nil }}); err != nil {
		return err
	}
	return h.Webhook(sdk.Webhook{Endpoint: "/e", Public: true, Mode: sdk.ModeQueued, Handler: sdk.HandlerFunc(
		func(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
			id, err := h.Enqueue(ctx, followUp{N: 1}, nil)
			if err != nil {
				return nil, err
			}
			return nil, h.Send(ctx, "inbox-q", sdk.Message{Text: "task " + id})
		})})
}

// In a queued run, Host.Enqueue returns the id the task is stored with
// when the run commits, as it does outside a run.
func TestEnqueueInARunReturnsTheTaskID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		st := storetest.Open(t, d)
		router, _ := chat.NewRouter(inbox.New(st))
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.Plugins = map[string]config.Plugin{"t.enq": {}}
		set, err := plugin.Load(ctx, plugin.LoadOpts{Config: cfg, Sender: router, Tasks: st, Logger: slog.New(slog.DiscardHandler),
			Registry: []sdk.Info{{ID: "t.enq", New: func() sdk.Plugin { return &enqueuer{} }}}})
		if err != nil {
			t.Fatal(err)
		}
		// A task enqueued outside any run first, so that the ids of the
		// two kinds of enqueue must not collide.
		outside, err := set.Lookup("t.enq").Plugin.(*enqueuer).host.Enqueue(ctx, followUp{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := &worker.Deliveries{Plugins: set, Metrics: worker.NewMetrics(metrics.NewRegistry()), Logger: slog.New(slog.DiscardHandler)}
		r := queue.NewRunner(st.DeliveryQueue(), "w", queue.Config{Workers: 2, Poll: 10 * time.Millisecond}, w, slog.New(slog.DiscardHandler))
		id, _, err := st.InsertDelivery(ctx, &record.Delivery{Plugin: "t.enq", Endpoint: "/e", Mode: record.ModeQueued, Method: "POST",
			Path: "/api/plugin/t.enq/webhook/e", MaxAttempts: 3}, "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { r.Run(rctx, ctx); close(done) }()
		defer func() { stop(); <-done }()
		var msgs []record.Message
		for deadline := time.Now().Add(10 * time.Second); len(msgs) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			msgs, _ = st.InboxMessages(ctx, "inbox-q", 0, 10)
		}
		if len(msgs) != 1 {
			t.Fatalf("messages = %+v", msgs)
		}
		taskID, ok := strings.CutPrefix(msgs[0].Text, "task ")
		if !ok || taskID == "" || taskID == outside {
			t.Fatalf("the run's Enqueue returned %q (the task enqueued outside got %s)", taskID, outside)
		}
		var n int64
		fmt.Sscan(taskID, &n)
		task, err := st.Task(ctx, n)
		if err != nil || task.Kind != "follow_up" || task.Delivery != id || task.Plugin != "t.enq" {
			t.Errorf("task %s: %+v, %v; want the follow-up of delivery %d", taskID, task, err, id)
		}
	})
}
