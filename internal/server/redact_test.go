package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// partnerVerifier accepts every request; as sdk.CredentialNamer it names
// where a partner's credentials travel, in the case it likes.
type partnerVerifier struct{}

func (partnerVerifier) Verify(*http.Request, []byte) error { return nil }

func (partnerVerifier) CredentialNames() (headers, params []string) {
	return []string{"x-partner-signature"}, []string{"Partner_Sig"}
}

// A stored delivery keeps redacted what the endpoint's verifiers name,
// what the webhook lists in SensitiveHeaders, HTTP's own credentials and
// credential-like query parameters; the rest is stored as sent.
func TestStoredDeliveryRedactsNamedCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	header := http.Header{
		"X-Token":             {"good"}, // tokenVerifier names nothing
		"X-Partner-Signature": {"partner-signature-value"},
		"X-Own-Key":           {"own-key-value"},
		"Authorization":       {"Basic dXNlcjpwYXNz"},
		"Cookie":              {"session=cookie-value"},
		"X-Hub-Signature-256": {"sha256=not-this-endpoints-scheme"},
		"X-Visible":           {"visible-value"},
	}
	query := "partner_sig=p1&PARTNER_SIG=p2&x-own-key=o1&token=t1&page=2"
	r := do(t, "POST", b.srv.URL+"/api/plugin/dev.sample_webhook/webhook/partner?"+query, "{}", header)
	if r.status != http.StatusCreated {
		t.Fatalf("webhook: %d %s", r.status, r.raw)
	}
	l := do(t, "GET", b.srv.URL+"/api/admin/deliveries?endpoint=/partner", "", nil)
	var out struct {
		Deliveries []struct {
			Headers map[string][]string `json:"headers"`
			Query   string              `json:"query"`
		} `json:"deliveries"`
	}
	if err := json.Unmarshal([]byte(l.raw), &out); err != nil || len(out.Deliveries) != 1 {
		t.Fatalf("deliveries: %v %s", err, l.raw)
	}
	d := out.Deliveries[0]
	const redacted = "[redacted]"
	for name, want := range map[string]string{
		"X-Token": "good", "X-Partner-Signature": redacted, "X-Own-Key": redacted, "Authorization": redacted,
		"Cookie": redacted, "X-Hub-Signature-256": "sha256=not-this-endpoints-scheme", "X-Visible": "visible-value",
	} {
		if got := d.Headers[name]; len(got) != 1 || got[0] != want {
			t.Errorf("stored %s = %q, want %q", name, got, want)
		}
	}
	q, err := url.ParseQuery(d.Query)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"partner_sig": redacted, "PARTNER_SIG": redacted, "x-own-key": redacted, "token": redacted, "page": "2",
	} {
		if got := q.Get(name); got != want {
			t.Errorf("stored query %s = %q, want %q (query %q)", name, got, want, d.Query)
		}
	}
}
