package plugin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hookpoint/hookpoint/internal/ratelimit"
	"github.com/hookpoint/hookpoint/sdk"
)

// Endpoint is a mounted webhook endpoint, validated and with its limits
// resolved.
type Endpoint struct {
	// Plugin is the endpoint's plugin.
	Plugin *Instance
	// Path is the endpoint, e.g. "/github".
	Path string
	// Name and Description come from the registration.
	Name        string
	Description string
	// Methods lists the allowed methods, upper case; empty means any.
	Methods []string
	// MaxBodyBytes is the body limit in force.
	MaxBodyBytes int64
	// Verify lists the verifiers that run before the handler.
	Verify []sdk.Verifier
	// Public is set for endpoints declared without verification.
	Public bool
	// Mode is inline or queued.
	Mode sdk.Mode
	// Retry is the retry policy of queued runs, defaults applied.
	Retry sdk.RetryPolicy
	// Check runs before the delivery is stored, or is nil.
	Check func(*sdk.Request) error
	// Handler handles verified requests.
	Handler sdk.Handler
	// URL is the endpoint's full URL.
	URL string
	// Limiter limits the request rate, or is nil.
	Limiter *ratelimit.Limiter
	// DeliveryIDHeader names the delivery id header, or is "" for the
	// well-known ones.
	DeliveryIDHeader string
	// SensitiveHeaders are redacted in stored deliveries, besides the
	// credentials its verifiers name (see CredentialHeaders).
	SensitiveHeaders []string

	creds credentials
}

// Allows reports whether method may be used on the endpoint.
func (e *Endpoint) Allows(method string) bool {
	return len(e.Methods) == 0 || slices.Contains(e.Methods, method)
}

// Allow returns the value of the Allow header for a 405 answer.
func (e *Endpoint) Allow() string { return strings.Join(e.Methods, ", ") }

// VerifierNames says in words what each verifier checks (its String
// method), for listings; a verifier without one is named by its Go type.
func (e *Endpoint) VerifierNames() []string {
	names := make([]string, len(e.Verify))
	for i, v := range e.Verify {
		if n, ok := v.(fmt.Stringer); ok {
			names[i] = n.String()
		} else {
			names[i] = strings.TrimPrefix(fmt.Sprintf("%T", v), "*")
		}
	}
	return names
}
