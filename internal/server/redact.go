package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hookpoint/hookpoint/internal/plugin"
)

// Redacted replaces sensitive values in stored deliveries.
const Redacted = "[redacted]"

// transportHeaders carry HTTP's own credentials: never stored in clear,
// whatever the endpoint verifies. Every other credential header is named
// by the endpoint (plugin.Endpoint.CredentialHeaders).
var transportHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// credentialParams are query parameter names that look like credentials.
// They are redacted on every endpoint, besides the ones it names: a
// handler may check a token in the URL itself, unknown to the server, and
// a sender's URL may carry one that nothing checks; a harmless value is
// only hidden in the stored copy.
var credentialParams = []string{"token", "access_token", "secret", "signature", "sig", "api_key", "apikey", "key", "password"}

// redactHeaders copies h with the values of HTTP's credential headers and
// of those ep names replaced.
func redactHeaders(h http.Header, ep *plugin.Endpoint) http.Header {
	out := h.Clone()
	named := ep.CredentialHeaders()
	for k, vs := range out {
		ck := http.CanonicalHeaderKey(k)
		if slices.Contains(transportHeaders, ck) || slices.Contains(named, ck) {
			for i := range vs {
				vs[i] = Redacted
			}
		}
	}
	return out
}

// redactQuery encodes q with the values of credential-like parameters and
// of those ep names replaced.
func redactQuery(q url.Values, ep *plugin.Endpoint) string {
	if len(q) == 0 {
		return ""
	}
	named := ep.CredentialParams()
	out := url.Values{}
	for k, vs := range q {
		lk := strings.ToLower(k)
		secret := slices.Contains(credentialParams, lk) || slices.Contains(named, lk)
		for _, v := range vs {
			if secret {
				v = Redacted
			}
			out.Add(k, v)
		}
	}
	return out.Encode()
}
