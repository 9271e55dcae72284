package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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
	// id. Defaults to the first of [DeliveryIDHeaders] present. A delivery id is
	// processed at most once: a redelivery is answered 200 with
	// {"status":"duplicate"} and does not reach the handler. GET and HEAD
	// requests are not deduplicated.
	DeliveryIDHeader string
	// SensitiveHeaders names headers (or query parameters) that carry
	// credentials, besides HTTP's own (Authorization, Proxy-Authorization,
	// cookies) and those the endpoint's verifiers name (CredentialNamer):
	// stored deliveries keep them redacted. A handler that checks a
	// credential itself names it here.
	SensitiveHeaders []string
	// Mode chooses how the handler runs: ModeInline (the default) runs it
	// in the request and answers with its result; ModeQueued stores the
	// request, answers 202 at once and runs the handler from the durable
	// queue, retrying by Retry.
	Mode Mode
	// Retry is the retry policy of queued runs. Zero fields take the
	// defaults of RetryPolicy.
	Retry RetryPolicy
	// Check, when set, runs in the request after verification and before
	// the delivery is stored (and, inline, before the handler): a cheap look at headers and body
	// (required headers present, a JSON or form body well formed) so a
	// malformed request is refused with a 4xx instead of accepted and
	// dead-lettered. It must not have side effects.
	Check func(req *Request) error
	// Handler handles verified requests.
	Handler Handler
}

// Mode is how a webhook handler runs.
type Mode int

// The handler modes.
const (
	// ModeInline runs the handler in the request; its result is the
	// answer. The delivery is still recorded.
	ModeInline Mode = iota
	// ModeQueued commits the delivery, answers 202
	// {"status":"accepted","delivery_id":"..."} and runs the handler from
	// the queue with retries. The handler's response is recorded, not
	// sent; an HTTPError with a 4xx status, or an error from Cancel, fails
	// the delivery at once (dead letter) instead of retrying.
	ModeQueued
)

func (m Mode) String() string {
	if m == ModeQueued {
		return "queued"
	}
	return "inline"
}

// Verifier checks a request before its handler runs. r carries the
// headers, query and peer address; body holds the raw body bytes. Package
// verify has implementations.
type Verifier interface {
	Verify(r *http.Request, body []byte) error
}

// CredentialNamer is implemented by a Verifier that names where requests
// carry the credentials it checks (a signature, a token, a password):
// header and URL query parameter names, both matched case-insensitively.
// Stored deliveries keep those values redacted. The verifiers package
// verify builds implement it; for one that does not, list its headers in
// Webhook.SensitiveHeaders. A Verifier should also have a String method
// that says in words what it checks, without any secret, for listings.
type CredentialNamer interface {
	CredentialNames() (headers, params []string)
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

// deliveryIDHeaders are the well-known delivery id headers, in lookup
// order.
var deliveryIDHeaders = []string{
	"X-GitHub-Delivery", "X-Gitea-Delivery", "X-Gogs-Delivery", "X-Gitlab-Event-UUID",
	"Webhook-Id", "Svix-Id", "X-Request-UUID", "Idempotency-Key",
}

// DeliveryIDHeaders returns the headers a sender's delivery id is looked
// up in, in order, for a webhook that names no DeliveryIDHeader.
func DeliveryIDHeaders() []string { return slices.Clone(deliveryIDHeaders) }

// DeliveryID returns the sender's delivery id in h: the value of header,
// or, when header is "", of the first of [DeliveryIDHeaders] present; ""
// when there is none.
func DeliveryID(h http.Header, header string) string {
	if header != "" {
		return strings.TrimSpace(h.Get(header))
	}
	for _, name := range deliveryIDHeaders {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			return v
		}
	}
	return ""
}

// ValidateEndpoint checks an endpoint path: it starts with "/", has no
// empty, "." or ".." segments, and uses only letters, digits and - . _ ~.
// "/" alone is valid: the plugin's webhook root.
func ValidateEndpoint(p string) error {
	if p == "" {
		return errors.New("endpoint is empty; it must start with /")
	}
	if p[0] != '/' {
		return fmt.Errorf("endpoint %q must start with /", p)
	}
	if p == "/" {
		return nil
	}
	for _, seg := range strings.Split(p[1:], "/") {
		switch seg {
		case "":
			return fmt.Errorf("endpoint %q has an empty segment (// or a trailing /)", p)
		case ".", "..":
			return fmt.Errorf("endpoint %q has a %q segment", p, seg)
		}
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-._~", r)) {
			return fmt.Errorf("endpoint %q has the character %q; use letters, digits and - . _ ~", p, r)
		}
	}
	return nil
}

// Validate checks w as the server does when it is mounted: a valid
// Endpoint, a Handler, a known Mode, method names made of letters, no
// nil verifier, verification or Public, and no negative MaxBodyBytes.
func (w Webhook) Validate() error {
	if err := ValidateEndpoint(w.Endpoint); err != nil {
		return err
	}
	if w.Handler == nil {
		return fmt.Errorf("webhook %s has no handler", w.Endpoint)
	}
	if w.Mode != ModeInline && w.Mode != ModeQueued {
		return fmt.Errorf("webhook %s: unknown mode %d", w.Endpoint, w.Mode)
	}
	for _, m := range w.Methods {
		if m = strings.TrimSpace(m); m == "" || strings.ContainsFunc(m, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
			return fmt.Errorf("webhook %s: method %q is not an HTTP method name", w.Endpoint, m)
		}
	}
	for i, v := range w.Verify {
		if v == nil {
			return fmt.Errorf("webhook %s: verifier %d is nil", w.Endpoint, i)
		}
	}
	if len(w.Verify) == 0 && !w.Public {
		return fmt.Errorf("webhook %s has no verification; give it Verify or declare it Public", w.Endpoint)
	}
	if w.MaxBodyBytes < 0 {
		return fmt.Errorf("webhook %s: MaxBodyBytes is negative", w.Endpoint)
	}
	return nil
}

// AllowedMethods returns the methods w accepts: Methods upper-cased
// ("post" is POST), without duplicates, with HEAD added where GET is;
// nil when w accepts any method.
func (w Webhook) AllowedMethods() []string {
	var out []string
	for _, m := range w.Methods {
		if m = strings.ToUpper(strings.TrimSpace(m)); !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if slices.Contains(out, http.MethodGet) && !slices.Contains(out, http.MethodHead) {
		out = append(out, http.MethodHead)
	}
	return out
}
