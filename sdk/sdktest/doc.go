// Package sdktest is a test kit for Hookpoint plugins. It imports only the
// standard library and package sdk.
//
// [Host] is a fake [sdk.Host]: it records the webhooks a plugin mounts,
// the workers it registers, the tasks it enqueues and the messages it
// sends, and gives the plugin a temporary data directory. Tasks run only
// when the test says so, with [Host.RunTasks] or [Host.RunTask], one run
// per call, with the server's retry bookkeeping but no clock: Delay only
// orders the runs, and a retry needs no backoff. [Serve] runs one request through a mounted
// webhook the way the server does in front of a handler (body limit,
// method check, verifiers, then the handler), and [Status] maps its result
// to the HTTP status the server would answer.
//
// A typical test:
//
//	h := sdktest.NewHost(t, "hookpoint.github")
//	p := &github.Plugin{Config: github.Config{WebhookSecret: sdk.NewSecret("s")}}
//	if err := p.Provision(h); err != nil {
//		t.Fatal(err)
//	}
//	resp, err := sdktest.Serve(t, h, "/github", &sdk.Request{Header: hdr, Body: body})
//	if got := sdktest.Status(resp, err); got != http.StatusOK {
//		t.Fatalf("status = %d, want 200", got)
//	}
//	msgs := h.Sent()
//
// A handler that enqueues a task, and its worker:
//
//	resp, err := sdktest.Serve(t, h, "/start_job", req)
//	tasks := h.Enqueued() // one task, pending
//	if err := h.RunTasks(t.Context()); err != nil {
//		t.Fatal(err)
//	}
//	msgs := h.Sent() // what the worker sent
//
// The kit is not the server: it does no routing, storage, rate limiting,
// delivery deduplication or error rendering; it runs a [sdk.ModeQueued]
// handler inline like any other (see [Serve]); and it runs the plugin's
// lifecycle only as far as the test drives it.
package sdktest
