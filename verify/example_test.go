package verify_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/hookpoint/hookpoint/verify"
)

func ExampleGitHub() {
	v, err := verify.GitHub("It's a Secret to Everybody")
	if err != nil {
		panic(err) // only for an empty secret
	}
	body := []byte("Hello, World!")
	r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
	r.Header.Set("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
	fmt.Println(v.Verify(r, body))

	// A tampered body fails with ErrMismatch; the server answers e.Status().
	err = v.Verify(r, []byte("Hello, World!!"))
	var e *verify.Error
	fmt.Println(errors.Is(err, verify.ErrMismatch), errors.As(err, &e) && e.Status() == 403)
	fmt.Println(err)
	// Output:
	// <nil>
	// true true
	// github-signature: X-Hub-Signature-256 signature does not match
}

func ExampleStandardWebhooks() {
	// The verifier's clock is fixed here so the spec's test vector is fresh.
	now := func() time.Time { return time.Unix(1614265340, 0) }
	v, err := verify.StandardWebhooks(verify.StandardWebhooksOpts{Now: now},
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // current secret
		"whsec_c2Vjb25kLXNlY3JldA==",             // rotated-in secret
	)
	if err != nil {
		panic(err)
	}
	body := []byte(`{"test": 2432232314}`)
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
	r.Header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	r.Header.Set("webhook-timestamp", "1614265330")
	r.Header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	fmt.Println(v.Verify(r, body))

	// The signing side produces the same headers a sender would.
	s, _ := verify.NewSigner("standard-webhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		verify.SignerOpts{MessageID: "msg_p5jXN8AQM9LWM0D4loKWxJek"})
	h, _ := s.Sign(body, time.Unix(1614265330, 0))
	fmt.Println(h.Get("webhook-signature"))
	// Output:
	// <nil>
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}
