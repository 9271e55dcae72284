package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Redacted replaces sensitive values in stored deliveries.
const Redacted = "[redacted]"

// sensitiveHeaders are credentials and signatures: never stored in clear.
var sensitiveHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Hub-Signature", "X-Hub-Signature-256", "X-Gitea-Signature", "X-Forgejo-Signature", "X-Gogs-Signature",
	"X-Gitlab-Token", "Webhook-Signature", "Svix-Signature", "Stripe-Signature", "X-Slack-Signature",
	"X-Signature", "X-Webhook-Token", "X-Webhook-Signature", "X-Api-Key",
}

// sensitiveParams are query parameters that carry credentials.
var sensitiveParams = []string{"token", "access_token", "secret", "signature", "sig", "api_key", "apikey", "key", "password"}

// redactHeaders copies h with sensitive values, and those of extra,
// replaced.
func redactHeaders(h http.Header, extra []string) http.Header {
	out := h.Clone()
	for k := range out {
		if isSensitive(k, extra) {
			for i := range out[k] {
				out[k][i] = Redacted
			}
		}
	}
	return out
}

func isSensitive(name string, extra []string) bool {
	ck := http.CanonicalHeaderKey(name)
	if slices.Contains(sensitiveHeaders, ck) {
		return true
	}
	for _, e := range extra {
		if http.CanonicalHeaderKey(e) == ck {
			return true
		}
	}
	return false
}

// redactQuery encodes q with credential parameters, and those of extra,
// replaced.
func redactQuery(q url.Values, extra []string) string {
	if len(q) == 0 {
		return ""
	}
	out := url.Values{}
	for k, vs := range q {
		lk := strings.ToLower(k)
		secret := slices.Contains(sensitiveParams, lk) || slices.ContainsFunc(extra, func(e string) bool { return strings.EqualFold(e, k) })
		for _, v := range vs {
			if secret {
				v = Redacted
			}
			out.Add(k, v)
		}
	}
	return out.Encode()
}
