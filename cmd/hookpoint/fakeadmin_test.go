package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// fakeAdmin is an admin API that answers canned JSON by path, and records
// what the commands sent.
type fakeAdmin struct {
	*httptest.Server
	mu    sync.Mutex
	auth  []string     // Authorization headers, in order
	query []url.Values // query strings, in order
}

// newFakeAdmin serves answers: request path → JSON body (200).
func newFakeAdmin(t *testing.T, answers map[string]string) *fakeAdmin {
	t.Helper()
	f := &fakeAdmin{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.query = append(f.query, r.URL.Query())
		f.mu.Unlock()
		body, ok := answers[r.URL.Path]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			body = `{"detail":"no such path in the fake"}`
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(f.Close)
	return f
}

// lastAuth returns the Authorization header of the last request.
func (f *fakeAdmin) lastAuth() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.auth) == 0 {
		return ""
	}
	return f.auth[len(f.auth)-1]
}

// lastQuery returns the query of the last request.
func (f *fakeAdmin) lastQuery() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.query) == 0 {
		return nil
	}
	return f.query[len(f.query)-1]
}
