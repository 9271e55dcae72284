package plugin

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hookpoint/hookpoint/sdk"
)

// credentials are the names under which an endpoint's requests carry
// credentials, worked out once: stored deliveries keep their values
// redacted.
type credentials struct {
	once    sync.Once
	headers []string // canonical header names
	params  []string // query parameter names, lower case
}

// CredentialHeaders returns the canonical names of the headers that carry
// the endpoint's credentials: those its verifiers name
// ([sdk.CredentialNamer]) and its SensitiveHeaders.
func (e *Endpoint) CredentialHeaders() []string {
	e.creds.once.Do(e.nameCredentials)
	return e.creds.headers
}

// CredentialParams returns, in lower case, the names of the URL query
// parameters that carry the endpoint's credentials: those its verifiers
// name and its SensitiveHeaders (which may name headers or parameters).
func (e *Endpoint) CredentialParams() []string {
	e.creds.once.Do(e.nameCredentials)
	return e.creds.params
}

func (e *Endpoint) nameCredentials() {
	c := &e.creds
	add := func(headers, params []string) {
		for _, h := range headers {
			if h = http.CanonicalHeaderKey(h); !slices.Contains(c.headers, h) {
				c.headers = append(c.headers, h)
			}
		}
		for _, p := range params {
			if p = strings.ToLower(p); !slices.Contains(c.params, p) {
				c.params = append(c.params, p)
			}
		}
	}
	for _, v := range e.Verify {
		if n, ok := v.(sdk.CredentialNamer); ok {
			add(n.CredentialNames())
		}
	}
	add(e.SensitiveHeaders, e.SensitiveHeaders)
}
