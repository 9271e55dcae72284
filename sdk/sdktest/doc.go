// Package sdktest is a test kit for Hookpoint plugins. It imports only the
// standard library and package sdk.
//
// [Host] is a fake [sdk.Host]: it records the webhooks a plugin mounts and
// the messages it sends, gives the plugin a temporary data directory and
// runs background tasks in goroutines that a test can cancel and wait for.
// [Serve] runs one request through a mounted webhook the way the server
// does in front of a handler (body limit, method check, verifiers, then
// the handler), and [Status] maps its result to the HTTP status the server
// would answer.
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
// The kit is not the server: it does no routing, storage, rate limiting or
// error rendering, and it runs the plugin's lifecycle only as far as the
// test drives it.
package sdktest
