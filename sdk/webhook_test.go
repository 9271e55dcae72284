package sdk_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/hookpoint/hookpoint/sdk"
)

var noop = sdk.HandlerFunc(func(context.Context, *sdk.Request) (*sdk.Response, error) { return nil, nil })

func TestWebhookValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		w    sdk.Webhook
		ok   bool
	}{
		{"plain", sdk.Webhook{Endpoint: "/github", Public: true, Handler: noop}, true},
		{"root", sdk.Webhook{Endpoint: "/", Public: true, Handler: noop}, true},
		{"segments", sdk.Webhook{Endpoint: "/a/b-c_d.e~f", Public: true, Handler: noop}, true},
		{"lower-case method", sdk.Webhook{Endpoint: "/f", Public: true, Methods: []string{"post"}, Handler: noop}, true},
		{"no slash", sdk.Webhook{Endpoint: "a", Public: true, Handler: noop}, false},
		{"empty", sdk.Webhook{Endpoint: "", Public: true, Handler: noop}, false},
		{"dot dot", sdk.Webhook{Endpoint: "/a/../b", Public: true, Handler: noop}, false},
		{"empty segment", sdk.Webhook{Endpoint: "/a//b", Public: true, Handler: noop}, false},
		{"trailing slash", sdk.Webhook{Endpoint: "/a/", Public: true, Handler: noop}, false},
		{"space", sdk.Webhook{Endpoint: "/a b", Public: true, Handler: noop}, false},
		{"no handler", sdk.Webhook{Endpoint: "/c", Public: true}, false},
		{"not verified, not public", sdk.Webhook{Endpoint: "/d", Handler: noop}, false},
		{"nil verifier", sdk.Webhook{Endpoint: "/e", Verify: []sdk.Verifier{nil}, Handler: noop}, false},
		{"bad method", sdk.Webhook{Endpoint: "/f", Public: true, Methods: []string{"PO ST"}, Handler: noop}, false},
		{"unknown mode", sdk.Webhook{Endpoint: "/g", Public: true, Mode: 7, Handler: noop}, false},
		{"negative limit", sdk.Webhook{Endpoint: "/h", Public: true, MaxBodyBytes: -1, Handler: noop}, false},
	} {
		if err := tc.w.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestWebhookAllowedMethods(t *testing.T) {
	t.Parallel()
	w := sdk.Webhook{Methods: []string{"post", " get", "POST"}}
	if got, want := w.AllowedMethods(), []string{"POST", "GET", "HEAD"}; !slices.Equal(got, want) {
		t.Errorf("AllowedMethods() = %v, want %v", got, want)
	}
	if got := (sdk.Webhook{}).AllowedMethods(); got != nil {
		t.Errorf("AllowedMethods() of any method = %v, want nil", got)
	}
}

func TestDeliveryID(t *testing.T) {
	t.Parallel()
	h := http.Header{"X-Gitea-Delivery": {" g "}, "Svix-Id": {"s"}, "X-My-Id": {"m"}}
	if got := sdk.DeliveryID(h, ""); got != "g" {
		t.Errorf("DeliveryID(well-known) = %q, want the first present, g", got)
	}
	if got := sdk.DeliveryID(h, "x-my-id"); got != "m" {
		t.Errorf("DeliveryID(named) = %q, want m", got)
	}
	if got := sdk.DeliveryID(h, "X-None"); got != "" {
		t.Errorf("DeliveryID(named, absent) = %q, want none (no fallback)", got)
	}
	if hs := sdk.DeliveryIDHeaders(); hs[0] != "X-GitHub-Delivery" || !slices.Contains(hs, "Idempotency-Key") {
		t.Errorf("DeliveryIDHeaders() = %v", hs)
	}
}
