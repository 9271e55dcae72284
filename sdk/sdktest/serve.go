package sdktest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookpoint/hookpoint/sdk"
)

var requestSeq atomic.Int64

// Serve runs req through the webhook mounted at endpoint on h, doing what
// the server does in front of a handler:
//
//  1. a body larger than the webhook's MaxBodyBytes (or
//     [sdk.DefaultMaxBodyBytes]) is refused with an [*sdk.HTTPError] 413;
//  2. a method not in Methods is refused with 405 and an Allow header
//     (GET implies HEAD);
//  3. every verifier runs against an *http.Request built from req, and
//     the first error is returned as is;
//  4. the webhook's Check, if set, runs, and its error is returned as is;
//  5. the handler runs with t's context, and its result is returned.
//
// Serve fills in what the server would set: Method defaults to POST,
// Endpoint, Path, Query, Header, ClientAddr (192.0.2.1), RequestID,
// DeliveryID (from the webhook's DeliveryIDHeader or the usual delivery
// headers), ReceivedAt and Logger. It works on a copy of req. The test
// fails at once if endpoint is not mounted. Use [Status] to get the HTTP
// status of the result.
//
// Serve calls the handler directly whatever the webhook's Mode: what the
// server adds around a [sdk.ModeQueued] handler — storing the delivery,
// answering 202 at once, retrying by the webhook's Retry policy,
// dead-lettering permanent errors, and committing messages and tasks only
// when the handler succeeds — is the server's job, and so is delivery-id
// deduplication. A test of a queued handler checks what the handler
// returns: a 4xx [*sdk.HTTPError] or an [sdk.Cancel] error is what the
// server dead-letters ([sdk.IsPermanent]), any other error is what it
// retries. Only Check's error reaches the sender of a queued request.
func Serve(t testing.TB, h *Host, endpoint string, req *sdk.Request) (*sdk.Response, error) {
	t.Helper()
	w, ok := h.Mounted(endpoint)
	if !ok {
		t.Fatalf("sdktest.Serve: no webhook mounted at %q on %s", endpoint, h.ID())
	}
	r := fillRequest(h, w, req)

	limit := w.MaxBodyBytes
	if limit <= 0 {
		limit = sdk.DefaultMaxBodyBytes
	}
	if int64(len(r.Body)) > limit {
		return nil, sdk.Errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
	}
	if allow := w.AllowedMethods(); allow != nil && !slices.Contains(allow, r.Method) {
		return nil, &sdk.HTTPError{
			Status: http.StatusMethodNotAllowed,
			Detail: "Method Not Allowed",
			Header: http.Header{"Allow": {strings.Join(allow, ", ")}},
		}
	}

	hr := httptest.NewRequestWithContext(t.Context(), r.Method, h.WebhookURL(endpoint), bytes.NewReader(r.Body))
	hr.URL.RawQuery = r.Query.Encode()
	hr.RequestURI = hr.URL.RequestURI()
	hr.Header = r.Header.Clone()
	hr.RemoteAddr = net.JoinHostPort(r.ClientAddr, "40000")
	for _, v := range w.Verify {
		if err := v.Verify(hr, r.Body); err != nil {
			return nil, err
		}
	}
	if w.Check != nil {
		if err := w.Check(r); err != nil {
			return nil, err
		}
	}
	return w.Handler.ServeWebhook(t.Context(), r)
}

func fillRequest(h *Host, w sdk.Webhook, req *sdk.Request) *sdk.Request {
	endpoint := w.Endpoint
	r := new(sdk.Request)
	if req != nil {
		*r = *req
	}
	if r.Method == "" {
		r.Method = http.MethodPost
	}
	r.Endpoint = endpoint
	r.Path = webhookPath(h.ID(), endpoint)
	if r.Query == nil {
		r.Query = url.Values{}
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if r.ClientAddr == "" {
		r.ClientAddr = "192.0.2.1"
	}
	if r.RequestID == "" {
		r.RequestID = fmt.Sprintf("test-%d", requestSeq.Add(1))
	}
	if r.DeliveryID == "" {
		r.DeliveryID = sdk.DeliveryID(r.Header, w.DeliveryIDHeader)
	}
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = time.Now()
	}
	if r.Logger == nil {
		r.Logger = h.Logger().With("request_id", r.RequestID)
	}
	return r
}

// Status returns the HTTP status the server would answer for a handler's
// or [Serve]'s result: an [*sdk.HTTPError]'s Status, the Status() of an
// error that has such a method (verify's errors do), 500 for any other
// error, and otherwise resp.Status, with 0 or a nil resp meaning 200.
func Status(resp *sdk.Response, err error) int {
	if err != nil {
		var he *sdk.HTTPError
		if errors.As(err, &he) {
			return he.Status
		}
		var se interface{ Status() int }
		if errors.As(err, &se) {
			return se.Status()
		}
		return http.StatusInternalServerError
	}
	if resp == nil || resp.Status == 0 {
		return http.StatusOK
	}
	return resp.Status
}
