package sdk

import (
	"context"
	"net/http"
)

// DefaultMaxBodyBytes is the request body limit of an endpoint that sets
// none: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Webhook describes one webhook endpoint of a plugin, the seed's
// mount_webhook_method(endpoint, name, description). It is served at
// {BASE_URL}/api/plugin/{author}.{module}/webhook{Endpoint}.
type Webhook struct {
	// Endpoint is the path below the plugin's webhook root. It starts
	// with "/" and may have several segments; "..", "." and empty
	// segments are refused.
	Endpoint string
	// Name is a human-readable name for logs and listings.
	Name string
	// Description says what the endpoint does.
	Description string
	// Methods lists the allowed HTTP methods. Empty means any method;
	// others are answered 405 with an Allow header. GET implies HEAD.
	Methods []string
	// MaxBodyBytes caps the request body; larger bodies are answered 413.
	// Defaults to DefaultMaxBodyBytes (the server config may override it).
	MaxBodyBytes int64
	// Verify lists the checks a request must pass before the handler
	// runs. Every verifier must accept the request.
	Verify []Verifier
	// Public declares an endpoint that needs no verification. An endpoint
	// with no Verify and not Public is refused at load.
	Public bool
	// DeliveryIDHeader names the header carrying the sender's delivery
	// id. Defaults to the well-known ones (X-GitHub-Delivery,
	// X-Gitea-Delivery, X-Gogs-Delivery, X-Gitlab-Event-UUID, webhook-id,
	// svix-id, X-Request-UUID, Idempotency-Key). A delivery id is
	// processed at most once: a redelivery is answered 200 with
	// {"status":"duplicate"} and does not reach the handler. GET and HEAD
	// requests are not deduplicated.
	DeliveryIDHeader string
	// Handler handles verified requests.
	Handler Handler
}

// Verifier checks a request before its handler runs. r carries the
// headers, query and peer address; body holds the raw body bytes. Package
// verify has implementations.
type Verifier interface {
	Verify(r *http.Request, body []byte) error
}

// Handler handles a webhook request.
type Handler interface {
	ServeWebhook(ctx context.Context, req *Request) (*Response, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, req *Request) (*Response, error)

// ServeWebhook calls f(ctx, req).
func (f HandlerFunc) ServeWebhook(ctx context.Context, req *Request) (*Response, error) {
	return f(ctx, req)
}
