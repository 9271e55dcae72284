package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzServe sends arbitrary paths, header values and bodies through the
// whole handler: nothing may answer a 5xx except the endpoints built to.
func FuzzServe(f *testing.F) {
	for _, p := range []string{"/api/plugin/dev.sample_webhook/webhook/myevent", "/api/plugin/dev.sample_webhook/webhook/../x", "/api/admin/plugins", "/api/plugin/dev.sample_webhook/webhook/verified", "/healthz", "/api/plugin//webhook"} {
		f.Add("POST", p, "good", []byte(`{"a":1}`))
	}
	f.Add("GET", "/api/admin/chats/inbox-x/messages", "", []byte{})
	b := setup(f, "")
	h := b.srv.Config.Handler
	f.Fuzz(func(t *testing.T, method, path, token string, body []byte) {
		req, err := http.NewRequest(method, "http://x/", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.Path = path
		req.URL.RawPath = ""
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("X-Token", token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && !bytes.Contains([]byte(path), []byte("/panic")) && !bytes.Contains([]byte(path), []byte("/fail")) {
			t.Fatalf("%s %q answered %d: %s", method, path, rec.Code, rec.Body)
		}
	})
}
